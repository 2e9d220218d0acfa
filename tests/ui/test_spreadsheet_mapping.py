"""Importing a spreadsheet in the app: its first rows with a proposed field per column, the user's changes reach
the import, the mapping is saved as the CLI reads it, and matching rows go through the review."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QComboBox

from kbase.formats.spreadsheet import FIELDS, read_mapping_file
from kbase.library import models as m
from ui.dialogs.import_dialog import ImportDialog
from ui.dialogs.spreadsheet_mapping import PREVIEW_ROWS, MappingPage, spreadsheet_files

LIST = ("Nom;Année;Auteurs;Remarques\n"
        "Tin traders of Maniema;2022;Mukendi, Aline;vérifier l'année\n"
        "Charcoal and conflict in Virunga;2021;Kabila, Joseph;\n"
        + "".join(f"Report {i};2020;IPIS;\n" for i in range(12)))


def _list(tmp_path: Path, text: str = LIST, name: str = "liste.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _dialog(qtbot, window, paths: list[Path]) -> ImportDialog:
    dialog = ImportDialog(window, [str(p) for p in paths])
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.mapping_ready, timeout=30000):
        dialog.start()
    return dialog


def test_the_mapping_is_proposed_changed_and_used_by_the_import(qtbot, window, tmp_path) -> None:
    cat = window.catalogue
    before = cat.count(m.Publication)
    dialog = _dialog(qtbot, window, [_list(tmp_path)])
    page = dialog.mapping_page
    assert dialog.in_mapping() and dialog.report is None and dialog.task is None
    assert page.mapping() == {"Nom": "ignore", "Année": "year", "Auteurs": "authors", "Remarques": "note"}
    table = page.table
    assert table.columnCount() == 4 and table.rowCount() == 1 + PREVIEW_ROWS  # the combo row, then the first rows
    assert table.item(1, 0).text() == "Tin traders of Maniema"
    assert table.verticalHeaderItem(1).text() == "2"  # the row's number in the sheet
    assert isinstance(table.cellWidget(0, 0), QComboBox)
    assert table.item(1, 0).foreground().color().name() == "#8a8a8a"  # an ignored column is grey
    assert "No column is read as the title" in page.warning.text()
    assert "semicolon" in page.details.text() and "row 1" in page.details.text()

    page.set_field("Nom", "title")  # the user says which column holds the titles
    page.combos["Remarques"].setCurrentIndex(page.combos["Remarques"].findData("ignore"))
    assert page.warning.text() == ""
    assert table.item(1, 0).foreground().color().name() != "#8a8a8a"

    dialog.continue_button.click()  # no row matches a record: the import starts at once
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    (f,) = dialog.report.files
    assert (f.created, f.matched, f.refused) == (14, 0, 0)
    assert f.mapping["proposed"] is False and f.mapping["columns"]["Nom"] == "title"
    assert cat.count(m.Publication) == before + 14
    tin = next(p for p in cat.all(m.Publication) if p.title == "Tin traders of Maniema")
    assert tin.year == 2022 and "note" not in (cat.extra(tin).get("fields") or {})
    assert "Entries of bibliographies and spreadsheets: 14 created" in dialog.summary.text()


def test_save_mapping_writes_what_the_cli_reads(qtbot, tmp_path) -> None:
    page = MappingPage()
    qtbot.addWidget(page)
    assert page.load(str(_list(tmp_path)))
    page.set_field("Nom", "title")
    saved = page.save_mapping(str(tmp_path / "liste-mapping.json"))
    assert saved is not None
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["columns"] == {"Nom": "title", "Année": "year", "Auteurs": "authors", "Remarques": "note"}
    assert read_mapping_file(saved) == (data["columns"], None)
    assert "Mapping saved to" in page.details.text()

    other = MappingPage()
    qtbot.addWidget(other)
    other.load(str(_list(tmp_path, name="again.csv")))
    assert other.mapping()["Nom"] == "ignore"
    assert other.load_mapping(str(saved))
    assert other.mapping() == data["columns"]


def test_an_xlsx_with_sheets_and_the_review_of_a_matching_row(qtbot, window, tmp_path) -> None:
    import openpyxl

    cat = window.catalogue
    demo = next(p for p in cat.all(m.Publication) if p.year and p.title.startswith("Misisi gold"))
    wb = openpyxl.Workbook()
    wb.active.title = "Read me"
    wb.active.append(["This workbook lists our publications"])
    ws = wb.create_sheet("Publications")
    ws.append(["Title", "Year", "Authors", "Abstract"])
    authors = "; ".join(c["label"] for c in _contributors(cat, demo.id))
    ws.append([demo.title, demo.year, authors, "An abstract the record lacks."])
    ws.append(["Gold buyers of Bunia", 2023, "Merket, Hans", None])
    book = tmp_path / "list.xlsx"
    wb.save(book)

    dialog = _dialog(qtbot, window, [book])
    page = dialog.mapping_page
    assert page.sheet_box.isVisibleTo(page) and [page.sheet_box.itemText(i) for i in range(2)] == ["Read me",
                                                                                                  "Publications"]
    assert page.sheet == "Read me"
    page.sheet_box.setCurrentIndex(1)
    page.sheet_box.activated.emit(1)  # as a click on the sheet does
    assert page.sheet == "Publications" and page.mapping()["Title"] == "title"
    assert page.options() == {"mapping": page.mapping(), "sheet": "Publications"}
    with qtbot.waitSignal(dialog.review_ready, timeout=60000):
        dialog.continue_button.click()
    review = dialog.review
    assert review.matches.topLevelItemCount() == 1
    item = review.matches.topLevelItem(0)
    assert item.text(0) == "row2" and item.text(1) == demo.title
    assert review.compare.horizontalHeaderItem(1).text() == "In the spreadsheet"
    assert review.compare_label.text().startswith("Row 2 of list.xlsx and the library's record ID")
    review.set_choice("update")
    before = cat.count(m.Publication)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert dialog.report.totals() == {"created": 1, "matched": 1, "refused": 0}
    assert cat.count(m.Publication) == before + 1
    assert cat.get(m.Publication, demo.id).abstract  # filled only if it was empty; never overwritten


def _contributors(cat, pid: int) -> list[dict]:
    from kbase.catalogue.views import describe

    return [c for c in describe(cat, "publication", pid).get("contributors") or [] if c.get("role") == "author"]


def test_a_file_that_cannot_be_read_says_so_and_the_import_names_it(qtbot, window, tmp_path) -> None:
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a workbook")
    dialog = _dialog(qtbot, window, [bad])
    assert "This file cannot be read" in dialog.mapping_page.warning.text()
    assert dialog.continue_button.isEnabled()
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    (f,) = dialog.report.files
    assert f.status == "failed" and "not an XLSX workbook" in f.message


def test_several_spreadsheets_each_get_their_columns(qtbot, window, tmp_path) -> None:
    one = _list(tmp_path, name="one.csv")
    two = _list(tmp_path, "Titre,Année\nSolo work,2019\n", name="two.csv")
    assert spreadsheet_files([str(one), str(two), str(tmp_path)]) == [str(one), str(two)]
    dialog = _dialog(qtbot, window, [one, two])
    dialog.mapping_page.set_field("Nom", "title")
    with qtbot.waitSignal(dialog.mapping_ready, timeout=30000):
        dialog.continue_button.click()
    assert dialog.mapping_page.path == str(two) and dialog.mapping_page.mapping() == {"Titre": "title",
                                                                                      "Année": "year"}
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    assert sorted((Path(f.path).name, f.created) for f in dialog.report.files) == [("one.csv", 14), ("two.csv", 1)]
    assert dialog.sheet_options["files"][str(one)]["mapping"]["Nom"] == "title"


def test_the_mapping_step_reads_in_french(qtbot, window, tmp_path) -> None:
    from ui import i18n

    i18n.set_language("fr")
    dialog = _dialog(qtbot, window, [_list(tmp_path)])
    page = dialog.mapping_page
    assert dialog.windowTitle() == "Import : colonnes de liste.csv"
    assert page.heading.text() == "Comment lire liste.csv ?"
    assert page.combos["Nom"].currentText() == "— ignorer —"
    assert page.combos["Année"].currentText() == "Année"
    assert page.save_button.text() == "Enregistrer la correspondance…"
    assert dialog.continue_button.text() == "Continuer"
    assert "point-virgule" in page.details.text()
    catalogue = i18n.load_catalogue("fr")
    assert all(label in catalogue for label in FIELDS.values())  # every field the combo boxes offer


def test_an_empty_spreadsheet_goes_on_to_the_import_which_says_so(qtbot, window, tmp_path) -> None:
    empty = _list(tmp_path, "", name="empty.csv")
    dialog = _dialog(qtbot, window, [empty])
    assert dialog.mapping_page.headers == [] and dialog.continue_button.isEnabled()
    dialog.continue_button.click()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=120000)
    (f,) = dialog.report.files
    assert f.created == 0 and "the sheet is empty" in f.problems[0]["reason"]
