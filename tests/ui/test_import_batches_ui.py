"""Imports as batches in the window: undo from the results, the import history, and matches reviewed before
a .bib import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from kbase.library import models as m
from ui.dialogs.import_dialog import ImportDialog, start_import
from ui.dialogs.import_history import ImportHistoryDialog
from ui.dialogs.import_review import DIFFERS, FILLS

FIRST = """@article{okapi2020,
  author = {Mbala, Jeanne and Kabila, Paul},
  title = {Okapi tracks in the Ituri forest: a ground survey},
  journal = {African Journal of Ecology},
  year = {2020},
  doi = {10.9999/okapi.2020.1},
}
@book{rivers2018,
  author = {Nzuzi, Albert},
  title = {Rivers of the Kasai basin},
  year = {2018},
  publisher = {Presses du Kasai},
}
"""
# the okapi article again (same DOI, with an abstract and pages the library lacks) and a new report
SECOND = """@article{okapi-again,
  author = {Mbala, Jeanne and Kabila, Paul},
  title = {Okapi Tracks in the Ituri Forest: A Ground Survey},
  journal = {Afr. J. Ecol.},
  year = {2020},
  pages = {101--117},
  doi = {10.9999/okapi.2020.1},
  abstract = {Tracks counted along twelve transects.},
}
@techreport{charcoal2022,
  author = {Lusamba, Claire},
  title = {Charcoal markets around Bukavu},
  institution = {Kivu Institute},
  year = {2022},
}
"""


def _bib(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _titles(cat) -> set[str]:
    return {p.title for p in cat.all(m.Publication)}


@pytest.fixture
def answer(monkeypatch):
    """answer(yes) -> the confirmations asked: the next "Undo import N?" is answered yes (Undo) or no (Cancel).

    (The box itself is a QMessageBox, which the offscreen platform warns about, as in the other GUI tests.)"""
    from ui.dialogs import import_history

    def set_answer(yes: bool = True) -> list[str]:
        asked: list[str] = []
        monkeypatch.setattr(import_history, "ask_to_undo",
                            lambda parent, batch: asked.append(import_history.confirm_text(batch)) or yes)
        return asked

    return set_answer


def _imported(qtbot, window, paths: list[Path]) -> ImportDialog:
    dialog = start_import(window, [str(p) for p in paths])
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    return dialog


def test_undo_this_import_removes_what_it_created(qtbot, window, tmp_path, answer) -> None:
    cat = window.catalogue
    before = cat.count(m.Publication)
    bib = _bib(tmp_path / "in", "refs.bib", FIRST)
    dialog = _imported(qtbot, window, [bib])
    assert not dialog.in_review()  # nothing in the file matches: no review step
    assert dialog.report.batch is not None
    assert cat.count(m.Publication) == before + 2
    assert "2 created" in dialog.summary.text()
    assert dialog.undo_button.isVisible() and dialog.undo_button.isEnabled()

    seen = answer()
    with qtbot.waitSignal(dialog.undo_finished, timeout=30000) as done:
        dialog.undo_button.click()
    assert done.args[0] is not None
    assert "2 publications" in seen[0]  # the confirmation says how many records go
    assert cat.count(m.Publication) == before
    assert not {"Okapi tracks in the Ituri forest: a ground survey", "Rivers of the Kasai basin"} & _titles(cat)
    assert dialog.heading.text() == "Import undone."
    assert "Removed: 2 publications, 3 people, 1 organisation." in dialog.summary.text()
    assert not dialog.undo_button.isEnabled() and not dialog.edit_button.isEnabled()
    # the window's table follows
    qtbot.waitUntil(lambda: window.model.rowCount() == before, timeout=10000)


def test_saying_no_to_the_confirmation_keeps_the_import(qtbot, window, tmp_path, answer) -> None:
    cat = window.catalogue
    dialog = _imported(qtbot, window, [_bib(tmp_path / "in", "refs.bib", FIRST)])
    count = cat.count(m.Publication)
    seen = answer(False)
    dialog.undo_button.click()
    qtbot.waitUntil(lambda: bool(seen) and dialog.undo_button.isEnabled(), timeout=30000)
    assert cat.count(m.Publication) == count


def test_an_undo_refused_is_said_plainly(qtbot, window, tmp_path, answer) -> None:
    cat = window.catalogue
    dialog = _imported(qtbot, window, [_bib(tmp_path / "in", "refs.bib", FIRST)])
    rivers = next(p for p in cat.all(m.Publication) if p.title == "Rivers of the Kasai basin")
    cat.update(m.Publication, rivers.id, place="Kananga")  # an edit after the import
    answer()
    with qtbot.waitSignal(dialog.undo_finished, timeout=30000) as done:
        dialog.undo_button.click()
    assert done.args[0] is None
    text = dialog.summary.text()
    assert "cannot be undone" in text and f"publication {rivers.id}" in text
    assert "Traceback" not in text and "Error" not in text
    assert "Rivers of the Kasai basin" in _titles(cat)
    assert dialog.undo_button.isEnabled()  # the user may undo the edit and try again


def test_the_history_lists_the_import_and_undoes_it(qtbot, window, tmp_path, answer) -> None:
    cat = window.catalogue
    before = cat.count(m.Publication)
    dialog = _imported(qtbot, window, [_bib(tmp_path / "in", "refs.bib", FIRST)])
    batch = dialog.report.batch

    window.action_import_history.trigger()
    history = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ImportHistoryDialog) and w.isVisible())
    qtbot.addWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() > 0, timeout=30000)
    model = history.model
    row = model.row_of(batch)
    assert row == 0  # newest first
    shown = [model.index(0, c).data() for c in range(model.columnCount())]
    assert shown[0] == str(batch) and shown[3] == "refs.bib"
    assert shown[4:8] == ["2", "0", "0", "done"]
    assert history.selected_batch()["id"] == batch and history.undo_button.isEnabled()

    seen = answer()
    history.undo_button.click()
    qtbot.waitUntil(lambda: model.rowCount() and model.batch_at(0)["status"] == "undone", timeout=30000)
    assert "2 publications" in seen[0]
    assert cat.count(m.Publication) == before
    assert history.status.text().startswith(f"Import {batch} undone.")
    assert model.index(0, 7).data().startswith("undone on ")
    assert not history.undo_button.isEnabled()  # an undone import cannot be undone again



def test_the_history_is_reachable_from_the_import_dialog(qtbot, window, tmp_path) -> None:
    dialog = _imported(qtbot, window, [_bib(tmp_path / "in", "refs.bib", FIRST)])
    history = dialog.show_history()
    qtbot.addWidget(history)
    qtbot.waitUntil(lambda: history.model.rowCount() > 0, timeout=30000)
    assert history.selected_batch()["id"] == dialog.report.batch
    with qtbot.waitSignal(history.loaded, timeout=30000):
        history.refresh_button.click()
    assert history.selected_batch()["id"] == dialog.report.batch



def _review(qtbot, window, tmp_path) -> tuple[ImportDialog, Any]:
    from kbase.imports.pipeline import import_paths

    cat = window.catalogue
    import_paths(cat, [_bib(tmp_path / "first", "refs.bib", FIRST)])
    okapi = next(p for p in cat.all(m.Publication) if p.doi == "10.9999/okapi.2020.1")
    dialog = ImportDialog(window, [str(_bib(tmp_path / "second", "more.bib", SECOND))])
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.review_ready, timeout=60000):
        dialog.start()
    return dialog, okapi


def test_matches_are_reviewed_side_by_side_and_skip_creates_nothing_for_them(qtbot, window, tmp_path) -> None:
    cat = window.catalogue
    dialog, okapi = _review(qtbot, window, tmp_path)
    review = dialog.review
    assert dialog.in_review() and dialog.report is None  # nothing imported yet
    assert review.matches.topLevelItemCount() == 1
    item = review.matches.topLevelItem(0)
    assert item.text(0) == "okapi-again"
    assert item.text(1) == "Okapi Tracks in the Ituri Forest: A Ground Survey"
    assert item.text(2) == f"ID {okapi.id} · {okapi.title}"
    assert "DOI" in item.text(3)
    assert review.choice_value() == "link"  # the default

    rows = {review.compare.item(r, 0).text(): r for r in range(review.compare.rowCount())}
    cell = lambda field, col: review.compare.item(rows[field], col)  # noqa: E731
    assert cell("Title", 1).text() != cell("Title", 2).text()
    assert cell("Title", 1).background().color() != DIFFERS  # only the case differs: the same title
    assert cell("In (book or journal)", 1).background().color() == DIFFERS
    assert cell("Pages", 1).text() == "101–117" or cell("Pages", 1).text().startswith("101")
    assert cell("Pages", 2).background().color() == FILLS  # empty in the library: an update fills it
    assert cell("Abstract", 2).background().color() == FILLS
    assert cell("DOI", 1).text() == cell("DOI", 2).text() == "10.9999/okapi.2020.1"

    before = cat.count(m.Publication)
    review.set_choice("skip")
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert dialog.on_duplicate == "skip"
    assert dialog.report.totals() == {"created": 1, "matched": 1, "refused": 0}
    assert cat.count(m.Publication) == before + 1
    assert cat.get(m.Publication, okapi.id).abstract is None  # left alone
    assert sum(1 for p in cat.all(m.Publication) if p.doi == "10.9999/okapi.2020.1") == 1


def test_update_empty_fields_reaches_the_import(qtbot, window, tmp_path, answer) -> None:
    cat = window.catalogue
    dialog, okapi = _review(qtbot, window, tmp_path)
    dialog.review.set_choice("update")
    compare = dialog.review.compare
    abstract = next(r for r in range(compare.rowCount()) if compare.item(r, 0).text() == "Abstract")
    assert "filled" in compare.item(abstract, 2).text()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    after = cat.get(m.Publication, okapi.id)
    assert after.abstract == "Tracks counted along twelve transects."
    assert after.title == okapi.title  # a field with a value is not overwritten
    # and the update is undone with the import: the record is as it was
    answer()
    with qtbot.waitSignal(dialog.undo_finished, timeout=30000) as done:
        dialog.undo_button.click()
    assert done.args[0]["reverted"] >= 1
    assert cat.get(m.Publication, okapi.id).abstract is None


def test_import_as_new_creates_the_matching_entry_too(qtbot, window, tmp_path) -> None:
    cat = window.catalogue
    dialog, _okapi = _review(qtbot, window, tmp_path)
    before = cat.count(m.Publication)
    dialog.review.set_choice("new")
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert cat.count(m.Publication) == before + 2
    assert sum(1 for p in cat.all(m.Publication) if p.doi == "10.9999/okapi.2020.1") == 2


def test_cancel_in_the_review_imports_nothing(qtbot, window, tmp_path) -> None:
    cat = window.catalogue
    dialog, _okapi = _review(qtbot, window, tmp_path)
    before = cat.count(m.Publication)
    dialog.cancel_or_close()
    assert not dialog.isVisible() and dialog.task is None
    assert cat.count(m.Publication) == before


def test_the_review_reads_in_french(qtbot, window, tmp_path) -> None:
    from ui import i18n

    i18n.set_language("fr")
    dialog, okapi = _review(qtbot, window, tmp_path)
    review = dialog.review
    assert review.heading.text().startswith("1 entrée sur 2 correspond à une fiche")
    assert review.choice_buttons["link"].text() == "Lier à la fiche existante"
    assert review.matches.topLevelItem(0).text(3) == "même DOI 10.9999/okapi.2020.1"
    labels = {review.compare.item(r, 0).text() for r in range(review.compare.rowCount())}
    assert {"Titre", "Résumé"} <= labels
    assert dialog.import_button.text() == "Lancer l’import"
    assert dialog.windowTitle() == "Import : correspondances à vérifier"


def test_a_refusal_and_a_summary_in_french(qtbot, window, tmp_path, answer) -> None:
    from ui import i18n

    i18n.set_language("fr")
    cat = window.catalogue
    dialog = _imported(qtbot, window, [_bib(tmp_path / "in", "refs.bib", FIRST)])
    rivers = next(p for p in cat.all(m.Publication) if p.title == "Rivers of the Kasai basin")
    cat.update(m.Publication, rivers.id, place="Kananga")
    asked = answer()
    with qtbot.waitSignal(dialog.undo_finished, timeout=30000):
        dialog.undo_button.click()
    assert asked[0].startswith(f"Annuler l’import {dialog.report.batch} (")
    assert "Les 2 publications qu’il a créées seront retirées" in asked[0]
    assert dialog.summary.text() == (
        f"l’import {dialog.report.batch} ne peut pas être annulé : ces fiches ont été modifiées depuis : "
        f"publication {rivers.id} (version 2, l’import avait laissé la version 1). Annulez d’abord ces "
        "modifications, ou supprimez ces fiches à la main.")
    cat.update(m.Publication, rivers.id, place=None)  # not the same as before: the version moved on
    with qtbot.waitSignal(dialog.undo_finished, timeout=30000):
        dialog.undo_button.click()
    assert "ne peut pas être annulé" in dialog.summary.text()


def test_the_history_model_passes_the_model_tester(qtmodeltester) -> None:
    from ui.dialogs.import_history import ImportHistoryModel, confirm_text

    model = ImportHistoryModel()
    batches = [
        {"id": 1, "started": "2026-01-02T10:00:00+00:00", "finished": "2026-01-02T10:01:00+00:00", "user": "ana",
         "sources": ["/data/a.bib", "/data/b.bib", "/data/c.bib"], "counts": {"created": 3, "matched": 1, "refused": 0},
         "status": "undone", "undone": "2026-01-03T09:00:00+00:00", "publications_created": 3,
         "publications_changed": 0},
        {"id": 2, "started": "2026-01-04T10:00:00+00:00", "finished": None, "user": "ben", "sources": ["/data/x"],
         "counts": None, "status": "running or interrupted", "undone": None, "publications_created": 5,
         "publications_changed": 2},
    ]
    model.set_batches(batches)
    qtmodeltester.check(model)
    assert model.batch_at(0)["id"] == 2  # newest first
    assert model.index(1, 3).data() == "a.bib, b.bib (+1 more)"
    assert model.index(0, 4).data() == ""  # no counts yet
    text = confirm_text(batches[1])
    assert "5 publications" in text and "2 existing publications" in text and "has not finished" in text
