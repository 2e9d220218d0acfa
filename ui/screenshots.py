"""Drives the real app (under Xvfb) on a fresh demo library and saves PNGs of its main views in English and French."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import QApplication, QWidget

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from ui.screenshot_data import SAMPLES, import_folder, make_scan, mapping_sheet, prepare_library, review_bib

ROOT = Path(__file__).resolve().parent.parent
SIZE = (1500, 920)

def wait(app: QApplication, condition: Callable[[], Any], timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if condition():
            return True
        time.sleep(0.02)
    return False


def settle(app: QApplication, seconds: float = 0.4) -> None:
    wait(app, lambda: False, seconds)


def save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def shoot(app: QApplication, cat: Catalogue, lang: str, out: Path, work: Path) -> None:
    from ui import i18n, tasks
    from ui.app import settings
    from ui.main_window import MainWindow

    i18n.set_language(lang)
    window = MainWindow(cat, settings())
    window.resize(*SIZE)
    window.show()
    wait(app, lambda: window.isVisible() and bool(window.navigator._counts))
    settle(app)

    # 1. the main window with a publication that has an attachment selected
    with_file = next(a.publication_id for a in cat.all(m.Attachment) if a.publication_id)
    row = window.model.row_of(with_file)
    window.table.selectRow(row)
    window.table.scrollTo(window.model.index(row, 0))
    wait(app, lambda: window.details.current == ("publication", with_file))
    wait(app, lambda: "<img" in window.details.toHtml(), timeout=10)  # the first-page picture, drawn on demand
    settle(app, 1.0)
    save(window, out / f"main-window-{lang}.png")

    # 2. a search with facets, one facet chosen
    window.run_search("cobalt")
    panel = window.search_panel
    wait(app, lambda: panel.result is not None and panel.result.query == "cobalt")
    # prefer a hit past the first page: the shot then shows the viewer jumping there
    pdf_hit = next((h for h in panel.result.hits if any(p.page > 1 for p in h.pages)),
                   next((h for h in panel.result.hits if h.pages), None))
    if pdf_hit is not None:
        row = panel.result.hits.index(pdf_hit)
        index = panel.hits.index(row, 0)
        panel.hit_view.expand(index)
        panel.hit_view.setCurrentIndex(panel.hits.index(0, 0, index))
    settle(app, 0.8)
    save(window, out / f"search-{lang}.png")

    # 3. the viewer at a hit
    if pdf_hit is not None:
        page = next((p for p in pdf_hit.pages if p.page > 1), pdf_hit.pages[0])
        window.open_attachment(page.attachment_id, page.page, panel.term_for(page.snippet_html))
        wait(app, lambda: window.viewers and window.viewers[-1].document.pageCount() > 0
             and window.viewers[-1].current_page() == page.page)
        settle(app, 1.5)
        save(window, out / f"viewer-{lang}.png")
        window._close_tab(window.tabs.indexOf(window.viewers[-1]))
    window.show_browse()

    # 4. the publication editor
    from ui.editors import open_editor

    editor = open_editor(window, "publication", with_file)
    if editor is not None:
        wait(app, editor.isVisible)
        settle(app, 0.8)
        save(editor, out / f"editor-{lang}.png")
        editor.close()
    from ui.editors.notes_tab import shoot_editor_notes  # its Notes tab, and a note with its preview

    shoot_editor_notes(app, window, cat, lang, out)

    # 5. the import results
    from ui.dialogs.import_dialog import show_import

    dialog = show_import(window, [str(import_folder(work, lang))])
    if dialog is not None:
        wait(app, lambda: dialog.report is not None, timeout=120)
        settle(app, 0.8)
        save(dialog, out / f"import-results-{lang}.png")
        dialog.close()

    # 6. a .bib import: its matches reviewed side by side, then imported and undone
    from kbase.imports.batches import undo_batch
    from ui.dialogs.import_history import open_import_history

    dialog = show_import(window, [str(review_bib(cat, work, lang))])
    if dialog is not None:
        wait(app, dialog.in_review)
        dialog.resize(1100, 720)
        dialog.review.matches.setCurrentItem(dialog.review.matches.topLevelItem(0))
        settle(app, 0.8)
        save(dialog, out / f"import-review-{lang}.png")
        dialog.import_reviewed()
        wait(app, lambda: dialog.report is not None, timeout=120)
        if dialog.report is not None and dialog.report.batch is not None:
            undo_batch(cat, dialog.report.batch)
        dialog.close()

    # 6b. a spreadsheet: its first rows and what each column holds, before the import (cancelled there)
    dialog = show_import(window, [str(mapping_sheet(cat, work, lang))])
    if dialog is not None:
        wait(app, dialog.in_mapping)
        dialog.resize(1440, 560)
        settle(app, 0.8)
        save(dialog, out / f"spreadsheet-mapping-{lang}.png")
        dialog.cancel_or_close()

    # 7. the import history, the undone import among the others
    history = open_import_history(window)
    wait(app, lambda: history.model.rowCount() > 0)
    history.table.selectRow(1)
    settle(app, 0.8)
    save(history, out / f"import-history-{lang}.png")
    history.close()

    # 8. the report dialog with its preview
    from ui.dialogs.report_dialog import open_report_dialog

    report = open_report_dialog(window, "annual")
    report.preview()
    wait(app, lambda: report.output is not None, timeout=120)
    settle(app, 1.0)
    save(report, out / f"report-{lang}.png")
    report.close()

    # 8b. the report's own texts: the preface in Markdown and its preview
    from ui.dialogs.report_texts import ReportTextsDialog

    texts = ReportTextsDialog(cat, 2021, lang, window)
    texts.show()
    texts.select("preface")
    texts.refresh_preview()
    wait(app, texts.isVisible)
    settle(app, 0.8)
    save(texts, out / f"report-texts-{lang}.png")
    texts.close()

    # 9. the finances dialog with the demo's 2021 accounts
    shoot_finances(app, cat, lang, out)

    # 10. the report's model: a project's contracts, an event's organisers and hosts, a person's roles
    shoot_report_model(app, window, cat, lang, out)

    # 11. notes, related publications, links and collections; the trash
    shoot_around(app, window, cat, lang, out)

    # 12. a record's history, with Restore this version (ui/history_panel.py)
    from ui.history_panel import shoot_history

    shoot_history(app, window, cat, lang, out)

    window.close()
    tasks.wait_all()
    settle(app)


def shoot_finances(app: QApplication, cat: Catalogue, lang: str, out: Path) -> None:
    from ui.dialogs.finances import FinancesDialog

    dialog = FinancesDialog(cat, year=2021)
    dialog.show()
    wait(app, dialog.isVisible)
    settle(app, 0.8)
    save(dialog, out / f"finances-{lang}.png")
    dialog.close()


def shoot_report_model(app: QApplication, window: Any, cat: Catalogue, lang: str, out: Path) -> None:
    from ui.editors import make_editor

    def named(model: Any, field: str, start: str) -> int:
        return next(r.id for r in cat.all(model) if getattr(r, field).startswith(start))

    shots = [("project", named(m.Project, "title", "Kufatilia"), "assignments"),
             ("event", named(m.Event, "title", "Central African regional workshop"), "event-organisers"),
             ("person", named(m.Person, "name", "Johan Swinnen"), "person-roles"),
             ("organisation", named(m.Organisation, "name", "Instrument contributing"), "organisation-parent"),
             ("publication", named(m.Publication, "title", "Better Mining Impact"), "publication-supporters")]
    for kind, rid, name in shots:
        editor = make_editor(window, kind, rid)
        editor.resize(900, 640)
        if kind == "project":
            editor.tabs.setCurrentIndex(2)  # Assignments
            editor.widgets["links.assignments"].clients.list.setCurrentRow(1)
        if kind == "publication":
            editor.resize(900, 900)
            editor.tabs.setCurrentIndex(3)  # Publishing: funders, supporters, period
        editor.show()
        wait(app, editor.isVisible)
        settle(app, 0.8)
        save(editor, out / f"{name}-{lang}.png")
        editor.close()


AROUND_NOTES = {
    "en": "## To check before the report\n\n- the **site counts** against the field notes\n"
          "- the map legend *(French version)*",
    "fr": "## À vérifier avant le rapport\n\n- le **nombre de sites** avec les notes de terrain\n"
          "- la légende de la carte *(version anglaise)*",
}


def shoot_around(app: QApplication, window: Any, cat: Catalogue, lang: str, out: Path) -> None:
    """The Collections branch with a collection chosen, a publication's notes, relations and link in the details
    pane (notes-collections-LANG.png); the Trash window with two deleted records (trash-LANG.png)."""
    from kbase.catalogue import collections as coll
    from kbase.catalogue import notes, relations, trash
    from kbase.imports.attach import add_link, links
    from ui.navigator import ROLE_TARGET

    pubs = sorted(cat.all(m.Publication), key=lambda p: p.id)
    pub = next(p for p in pubs if p.title.lower().startswith("mapping")) if any(
        p.title.lower().startswith("mapping") for p in pubs) else pubs[0]
    others = [p for p in pubs if p.id != pub.id][:4]
    chapter = coll.ensure_collection_path(cat, ["Annual report 2021", "Natural resources"])
    coll.ensure_collection_path(cat, ["Annual report 2021", "Arms trade"])
    coll.ensure_collection_path(cat, ["Reading list"])
    coll.put(cat, chapter, "publication", [pub.id, *(p.id for p in others[:2])])
    for n in notes.notes(cat, "publication", pub.id):
        notes.delete_note(cat, n["id"])
    notes.add_note(cat, "publication", pub.id, AROUND_NOTES[lang])
    relations.relate(cat, others[2].id, "translation of", pub.id)
    relations.relate(cat, pub.id, "see also", others[3].id)
    if not links(cat, pub.id):
        add_link(cat, pub.id, "https://ipisresearch.be/mapping/", "Interactive map")
    window.navigator.populate()
    wait(app, lambda: window.navigator.loaded)
    nav = window.navigator
    head = next(i for i in nav._walk() if i.data(ROLE_TARGET)[0] == ("group", "collection"))
    nav.setExpanded(head.index(), True)
    item = next(i for i in nav._walk() if i.data(ROLE_TARGET)[0] == ("collection", chapter))
    nav.setExpanded(item.parent().index(), True)
    nav.setCurrentIndex(item.index())
    window.show_target(item.data(ROLE_TARGET)[1])
    wait(app, lambda: pub.id in window.model.ids)
    window.table.selectRow(window.model.row_of(pub.id))
    wait(app, lambda: window.details.current == ("publication", pub.id))
    settle(app, 0.8)
    window.details.verticalScrollBar().setValue(window.details.verticalScrollBar().maximum())
    settle(app, 0.4)
    save(window, out / f"notes-collections-{lang}.png")

    gone = [p.id for p in others[:2]]
    for pid in gone:
        trash.move_to_trash(cat, "publication", pid)
    dialog = window.navigator.open_trash()
    wait(app, dialog.isVisible)
    dialog.table.selectRow(0)
    settle(app, 0.8)
    save(dialog, out / f"trash-{lang}.png")
    dialog.close()
    for pid in gone:
        trash.restore_from_trash(cat, "publication", pid)
    window.show_target(window.navigator.model_.item(0).data(ROLE_TARGET)[1])


def shoot_first_run(app: QApplication, cat: Catalogue, lang: str, out: Path) -> None:
    """A new, empty library: the first-run panel with its ways in, where the table would be."""
    from ui import i18n, tasks
    from ui.app import settings
    from ui.main_window import MainWindow

    i18n.set_language(lang)
    window = MainWindow(cat, settings())
    window.resize(*SIZE)
    window.show()
    wait(app, lambda: window.isVisible() and window.first_run.isVisible() and window.navigator.loaded)
    settle(app, 0.8)
    save(window, out / f"first-run-{lang}.png")
    window.close()
    tasks.wait_all()
    settle(app)


def shoot_documents(app: QApplication, lang: str, out: Path, work: Path) -> None:
    """A Word report opened as its text at a hit, and the status bar while OCR reads a scan (issue 18)."""
    import docx

    from kbase.imports.pipeline import import_paths
    from ui import i18n, tasks
    from ui.app import settings
    from ui.main_window import MainWindow

    i18n.set_language(lang)
    folder = work / f"documents-{lang}"
    folder.mkdir(parents=True, exist_ok=True)
    cat = Catalogue(open_library(str(folder / "library"), create=True))
    report = docx.Document()
    report.core_properties.title = "Cobalt depots in Lualaba"
    for page in SAMPLES["cobalt"] + SAMPLES["gold"]:
        title, _, body = page.partition("\n")
        report.add_heading(title, 2)
        report.add_paragraph(body.replace("\n", " "))
    report.save(str(folder / "cobalt-depots.docx"))
    scan = make_scan(folder / "scanned-gold.pdf", SAMPLES["gold"])
    done = import_paths(cat, [folder / "cobalt-depots.docx", scan], workers=1).files
    window = MainWindow(cat, settings())
    window.resize(*SIZE)
    window.show()
    wait(app, lambda: window.isVisible() and window.navigator.loaded)
    wait(app, lambda: getattr(window, "ocr_task", None) is not None, timeout=20)
    wait(app, lambda: "OCR" in window.work_label.text() and window.work_bar.maximum() > 0, timeout=60)
    settle(app, 0.5)
    save(window, out / f"ocr-progress-{lang}.png")
    wait(app, lambda: window.ocr_task.done, timeout=300)
    window.open_attachment(done[0].attachment_id, 1, "depot")
    wait(app, lambda: window.viewers and bool(getattr(window.viewers[-1], "sections", None)))
    wait(app, lambda: window.viewers[-1].pdf is None or window.viewers[-1].pdf.search_model.count() > 0)
    settle(app, 1.5)
    save(window, out / f"document-viewer-{lang}.png")
    # the scan once OCR has read it: the word found and highlighted on the page image
    window.open_attachment(done[1].attachment_id, 2, "diggers")
    wait(app, lambda: len(window.viewers) == 2 and window.viewers[-1].document.pageCount() > 0
         and window.viewers[-1].search_model.count() > 0)
    settle(app, 1.5)
    save(window, out / f"ocr-highlight-{lang}.png")
    window.close()
    tasks.wait_all()
    cat.library.close()
    settle(app)


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kbase-shots-"))
    os.environ["KBASE_SETTINGS_DIR"] = str(work / "settings")
    os.environ.setdefault("KBASE_LOCAL_DIR", str(work / "local"))
    from ui.app import make_application

    app = make_application(argv[:1])
    cat = prepare_library(work)
    for lang in ("en", "fr"):
        shoot(app, cat, lang, out, work)
    from ui.launch import shoot_launch

    for lang in ("en", "fr"):
        shoot_launch(app, cat.library.location, lang, out)
    cat.library.close()
    empty = Catalogue(open_library(str(work / "empty-library"), create=True))
    for lang in ("en", "fr"):
        shoot_first_run(app, empty, lang, out)
    empty.library.close()
    for lang in ("en", "fr"):
        shoot_documents(app, lang, out, work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
