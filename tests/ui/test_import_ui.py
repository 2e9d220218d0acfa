"""Import from the window: a dropped folder is imported in the background and every file is listed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from kbase.library import models as m
from tests.pdfs import english_pdf, french_pdf, text_pdf, text_renamed_pdf, truncated_pdf
from ui.dialogs.import_dialog import ImportDialog, start_import
from ui.dialogs.import_results import ImportResultsModel


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "incoming"
    english_pdf(folder / "mapping.pdf")
    french_pdf(folder / "barrieres.pdf")
    text_pdf(folder / "sub" / "cobalt.pdf", ["Cobalt refiners and traceability\nA third document."])
    truncated_pdf(folder / "broken.pdf")
    text_renamed_pdf(folder / "notes.pdf")
    return folder


def _drop(window, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    # Qt delivers a Drop only to the target of a real drag, so the window's handler is called directly
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    window.dropEvent(drop)
    assert drop.isAccepted()


def _wait_for_dialog(qtbot, window) -> ImportDialog:
    qtbot.waitUntil(lambda: window.findChild(ImportDialog) is not None, timeout=5000)
    dialog = window.findChild(ImportDialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    return dialog


def test_dropping_a_folder_imports_the_good_files_and_lists_the_damaged_one(qtbot, window, tmp_path) -> None:
    cat = window.catalogue
    folder = _folder(tmp_path)
    before = cat.count(m.Attachment)
    _drop(window, [folder])
    dialog = _wait_for_dialog(qtbot, window)

    model = dialog.model
    rows = {Path(model.result_at(r).path).name: model.result_at(r) for r in range(model.rowCount())}
    assert set(rows) == {"mapping.pdf", "barrieres.pdf", "cobalt.pdf", "broken.pdf", "notes.pdf"}
    assert rows["broken.pdf"].status == "damaged" and rows["broken.pdf"].message
    assert rows["notes.pdf"].status in ("not a pdf", "damaged")
    for name in ("mapping.pdf", "barrieres.pdf", "cobalt.pdf"):
        assert rows[name].status == "ok", rows[name].message
        assert cat.get(m.Publication, rows[name].publication_id)
    assert cat.count(m.Attachment) == before + 3

    # the damaged files come first and the filter keeps only them
    flagged = {model.result_at(r).path for r in range(2)}
    assert {Path(p).name for p in flagged} == {"broken.pdf", "notes.pdf"}
    dialog.only_flagged.setChecked(True)
    assert dialog.proxy.rowCount() == 2
    dialog.table.selectRow(0)
    assert dialog.open_button.isEnabled() and not dialog.edit_button.isEnabled()
    assert "imported" in dialog.summary.text()


def test_edit_publication_from_the_results(qtbot, window, tmp_path) -> None:
    english_pdf(tmp_path / "one.pdf")
    dialog = start_import(window, [str(tmp_path / "one.pdf")])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    dialog.table.selectRow(0)
    assert dialog.edit_button.isEnabled()
    editor = dialog.edit_selected_publication()
    qtbot.addWidget(editor)
    assert editor.kind == "publication" and editor.record_id == dialog.report.files[0].publication_id
    from ui.editors.forms import AttachmentsView

    files = next(w for w in map(editor.tabs.widget, range(editor.tabs.count())) if isinstance(w, AttachmentsView))
    assert files.list.count() == 1 and files.list.item(0).text().startswith("one.pdf")
    files.open_selected()
    qtbot.waitUntil(lambda: len(window.viewers) == 1, timeout=10000)
    editor.reject()
    dialog.close()


def test_cancel_stops_the_import_and_says_so(qtbot, window, tmp_path) -> None:
    for i in range(12):
        english_pdf(tmp_path / "many" / f"doc{i:02}.pdf", n_pages=3)
    before = window.catalogue.count(m.Attachment)
    dialog = start_import(window, [str(tmp_path / "many")])
    qtbot.addWidget(dialog)
    dialog.cancel_or_close()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert dialog.report.cancelled
    statuses = {dialog.model.result_at(r).status for r in range(dialog.model.rowCount())}
    assert dialog.model.rowCount() == 12
    assert "cancelled" in statuses
    assert "cancelled" in dialog.heading.text().lower()
    # what was committed before the cancel is whole; nothing else was written
    imported = [f for f in dialog.report.files if f.imported]
    assert window.catalogue.count(m.Attachment) == before + len(imported)
    for f in imported:
        assert window.catalogue.get(m.Attachment, f.attachment_id).publication_id == f.publication_id


def test_results_model_passes_the_model_tester(qtmodeltester, tmp_path) -> None:
    from kbase.imports.pipeline import FileResult

    model = ImportResultsModel()
    model.set_results([FileResult(str(tmp_path / "a.pdf"), "ok", "", 1, 2, 3),
                       FileResult(str(tmp_path / "b.pdf"), "damaged", "cannot open: broken xref"),
                       FileResult(str(tmp_path / "c.pdf"), "duplicate", "already in publication 4", duplicate_of=4)])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == "damaged"


def test_an_encrypted_file_is_read_again_with_its_password(qtbot, window, tmp_path) -> None:
    from tests.pdfs import encrypted_pdf

    locked = encrypted_pdf(tmp_path / "locked.pdf", user_password="secret")
    dialog = start_import(window, [str(locked)])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert dialog.model.result_at(0).status == "encrypted"
    assert ", 1 needs attention" in dialog.summary.text()
    dialog.table.selectRow(0)
    assert dialog.unlock_button.isEnabled()
    task = dialog.unlock(str(locked), "secret")
    qtbot.waitUntil(lambda: task.done, timeout=120000)
    row = dialog.model.result_at(0)
    assert row.status == "ok", row.message
    assert ", 0 need attention" in dialog.summary.text()  # the summary follows the unlocked file
    with window.catalogue.reading() as s:
        from sqlalchemy import func, select

        pages = s.scalar(select(func.count()).select_from(m.PageText)
                         .where(m.PageText.attachment_id == row.attachment_id))
    assert pages == 3
    dialog.close()


def test_closing_the_window_stops_a_running_import(qtbot, window, tmp_path) -> None:
    from ui import tasks

    for i in range(10):
        english_pdf(tmp_path / "many" / f"doc{i:02}.pdf", n_pages=2)
    dialog = start_import(window, [str(tmp_path / "many")])
    qtbot.addWidget(dialog)
    assert tasks.wait_all(60000)  # what the window does when it closes: cancel every task and wait
    assert dialog._cancel.is_set()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=60000)
    assert dialog.report.cancelled


def test_a_failure_in_the_import_process_is_a_message_not_a_traceback(qtbot, window, tmp_path) -> None:
    english_pdf(tmp_path / "one.pdf")
    window.catalogue.set_setting("import.visibility", "everyone")  # a bad library setting stops the import
    dialog = start_import(window, [str(tmp_path / "one.pdf")])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.error_message is not None, timeout=120000)
    assert dialog.summary.isVisible() and dialog.summary.text() == dialog.error_message
    assert "import.visibility" in dialog.error_message and "Traceback" not in dialog.error_message
    assert "stopped" in dialog.heading.text().lower() and not dialog.is_running()
    assert dialog.report is None and "Traceback" in dialog.task.details  # kept for a bug report, not shown
    dialog.close()


def test_duplicates_and_cancelled_files_do_not_need_attention() -> None:
    from kbase.imports.pipeline import FileResult
    from ui.dialogs.import_results import ImportResultsModel, is_flagged

    assert not is_flagged(FileResult("a.pdf", "duplicate")) and not is_flagged(FileResult("b.pdf", "cancelled"))
    assert is_flagged(FileResult("c.pdf", "damaged")) and is_flagged(FileResult("d.pdf", "no text layer"))
    model = ImportResultsModel()
    model.set_results([FileResult("e.pdf", "encrypted", "encrypted: protected by a password (3 pages); imported "
                                  "without text; import it again with --password to read it")])
    shown = model.index(0, 3).data()
    assert "--password" not in shown and "Password…" in shown  # the window's own way to unlock it


def test_results_name_a_bibliographys_format_as_its_users_write_it(tmp_path) -> None:
    from kbase.imports.pipeline import FileResult
    from ui import i18n

    model = ImportResultsModel()
    model.set_results([FileResult(str(tmp_path / "z.sqlite"), "zotero", ""),
                       FileResult(str(tmp_path / "b.bib"), "bibtex", ""),
                       FileResult(str(tmp_path / "s.csv"), "spreadsheet", "")])
    shown = [model.data(model.index(r, 1)) for r in range(3)]
    assert sorted(shown) == ["BibTeX", "Zotero", "spreadsheet"]
    i18n.set_language("fr")
    try:
        assert sorted(model.data(model.index(r, 1)) for r in range(3)) == ["BibTeX", "Zotero", "tableur"]
    finally:
        i18n.set_language("en")
