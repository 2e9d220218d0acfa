"""The finances dialog: the demo's 2021 lines in a table, added and saved, a bad amount refused, French, the menu."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from kbase.catalogue.records import Catalogue
from kbase.report.finances import list_lines
from ui.dialogs.finances import FinancesDialog


def _cell(dialog: FinancesDialog, row: int, column: int) -> str:
    return dialog.table.item(row, column).text()


def test_the_year_is_shown_edited_and_saved(qtbot, sqlite_demo: Catalogue) -> None:
    dialog = FinancesDialog(sqlite_demo, year=2021)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 11 and dialog.currency.text() == "EUR"
    assert _cell(dialog, 3, 1) == "Programme subsidies" and _cell(dialog, 3, 2) == "701,349.00"
    assert "1,697,569.00" in dialog.totals.text() and "-7,073.00" in dialog.totals.text()

    dialog.add_row("expense")
    row = dialog.table.rowCount() - 1
    dialog.table.item(row, 1).setText("Audit")
    dialog.table.item(row, 2).setText("2.500")
    assert dialog.dirty and "1,707,142.00" in dialog.totals.text()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert not dialog.dirty and "12" in dialog.message.text()
    assert _cell(dialog, row, 1) == "Audit" and _cell(dialog, row, 2) == "2,500.00"  # shown as saved
    assert [(r["label"], r["amount"]) for r in list_lines(sqlite_demo, 2021)][-1] == ("Audit", 2500.0)

    dialog.table.item(0, 2).setText("a lot")
    assert not dialog.save()
    assert "row 1" in dialog.message.text() and "a lot" in dialog.message.text()
    assert list_lines(sqlite_demo, 2021)[0]["amount"] == 204_667  # nothing written

    dialog.table.setCurrentCell(row, 1)
    dialog.remove_row()
    dialog.table.item(0, 2).setText("204667")
    assert dialog.save() and len(list_lines(sqlite_demo, 2021)) == 11


def test_another_year_starts_empty(qtbot, sqlite_demo: Catalogue) -> None:
    dialog = FinancesDialog(sqlite_demo, year=2021)
    qtbot.addWidget(dialog)
    dialog.year.setValue(2020)
    assert dialog.table.rowCount() == 0 and dialog.currency.text() == "EUR"
    dialog.add_row("income")
    dialog.table.item(0, 1).setText("Membership fees")
    dialog.table.item(0, 2).setText("1200")
    assert dialog.save()
    assert [r["label"] for r in list_lines(sqlite_demo, 2020)] == ["Membership fees"]


def test_in_french(qtbot, sqlite_demo: Catalogue) -> None:
    from ui import i18n

    i18n.set_language("fr")
    dialog = FinancesDialog(sqlite_demo, year=2021)
    qtbot.addWidget(dialog)
    headers = [dialog.table.horizontalHeaderItem(i).text() for i in range(3)]
    assert headers == ["Produit ou charge", "Source ou catégorie", "Montant"]
    assert dialog.table.cellWidget(0, 0).currentText() == "Produit"
    assert dialog.add_income.text() == "Ajouter un produit"
    assert "Résultat" in dialog.totals.text() and "1 697 569,00" in dialog.totals.text().replace("\u202f", " ")


def test_the_file_menu_opens_it(make_window, sqlite_demo: Catalogue) -> None:
    window = make_window(sqlite_demo)
    assert window.action_finances in window.menu_file.actions()
    assert window.action_finances.text()
