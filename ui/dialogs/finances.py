"""A year's finances for the annual report: income by source and expenses by category, edited as a table."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel.numbers import format_decimal
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kbase.errors import KbaseError
from kbase.i18n import N_
from kbase.report.finances import KINDS, list_lines, parse_amount, replace_year
from ui.i18n import language, tr, tr_message, tr_n

KIND_LABELS = {"income": N_("Income"), "expense": N_("Expense")}


class FinancesDialog(QDialog):
    """One row per line: income or expense, its source or category, the amount. Save replaces the year's lines."""

    def __init__(self, cat: Any, year: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.cat = cat
        self.setObjectName("finances_dialog")
        self.setWindowTitle(tr("Finances"))
        self.resize(760, 620)
        self.dirty = False
        self.loaded_year: int | None = None

        self.year = QSpinBox(self)
        self.year.setRange(1990, 2100)
        self.year.setValue(year or date.today().year - 1)
        self.currency = QLineEdit(self)
        self.currency.setMaxLength(3)
        self.currency.setFixedWidth(60)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Year"), self))
        top.addWidget(self.year)
        top.addSpacing(16)
        top.addWidget(QLabel(tr("Currency"), self))
        top.addWidget(self.currency)
        top.addStretch(1)

        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("finances_table")
        self.table.setHorizontalHeaderLabels([tr("Income or expense"), tr("Source or category"), tr("Amount")])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(2, 140)
        self.table.verticalHeader().setVisible(False)
        self.table.itemChanged.connect(self._changed)

        self.add_income = QPushButton(tr("Add income"), self)
        self.add_expense = QPushButton(tr("Add expense"), self)
        self.remove = QPushButton(tr("Remove line"), self)
        self.add_income.clicked.connect(lambda: self.add_row("income"))
        self.add_expense.clicked.connect(lambda: self.add_row("expense"))
        self.remove.clicked.connect(self.remove_row)
        row_buttons = QHBoxLayout()
        for button in (self.add_income, self.add_expense, self.remove):
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)

        self.totals = QLabel(self)
        self.totals.setObjectName("finances_totals")
        self.message = QLabel(self)
        self.message.setObjectName("finances_message")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        hint = QLabel(tr("Income is listed by source (a funder, or a label such as \"Programme subsidies\"), "
                         "expenses by category. The annual report shows them as a table and a chart."), self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.totals)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.year.valueChanged.connect(self._year_changed)
        self.load(self.year.value())

    # -- rows ---------------------------------------------------------------------------------
    def load(self, year: int) -> None:
        lines = list_lines(self.cat, year)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for line in lines:
            self._append(line["kind"], line["label"], money(line["amount"]))
        self.table.blockSignals(False)
        self.currency.setText(lines[0]["currency"] if lines else "EUR")
        self.loaded_year, self.dirty = year, False
        self.message.clear()
        self._update_totals()

    def _append(self, kind: str, label: str = "", amount: str = "") -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        combo = QComboBox(self.table)
        for k in KINDS:
            combo.addItem(tr(KIND_LABELS[k]), k)
        combo.setCurrentIndex(KINDS.index(kind))
        combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.table.setCellWidget(row, 0, combo)
        self.table.setItem(row, 1, QTableWidgetItem(label))
        value = QTableWidgetItem(amount)
        value.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(row, 2, value)
        return row

    def add_row(self, kind: str) -> None:
        row = self._append(kind)
        self.table.setCurrentCell(row, 1)
        self.table.editItem(self.table.item(row, 1))
        self._changed()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self._changed()

    def rows(self) -> list[tuple[str, str, str]]:
        """(kind, label, amount as typed) for each row; rows left wholly empty are skipped."""
        out = []
        for row in range(self.table.rowCount()):
            kind = self.table.cellWidget(row, 0).currentData()
            label = (self.table.item(row, 1).text() if self.table.item(row, 1) else "").strip()
            amount = (self.table.item(row, 2).text() if self.table.item(row, 2) else "").strip()
            if label or amount:
                out.append((kind, label, amount))
        return out

    def _changed(self, *_args: Any) -> None:
        self.dirty = True
        self._update_totals()

    def _update_totals(self) -> None:
        sums = {k: 0 for k in KINDS}
        for kind, _label, amount in self.rows():
            try:
                sums[kind] += parse_amount(amount)
            except KbaseError:
                continue
        income, expense = sums["income"] / 100, sums["expense"] / 100
        said = tr("Total income: {income}   ·   Total expenses: {expenses}   ·   Result: {result} {currency}")
        self.totals.setText(said.format(income=money(income), expenses=money(expense),
                                        result=money(income - expense), currency=self.currency.text()))

    # -- saving -------------------------------------------------------------------------------
    def save(self) -> bool:
        """Replace the year's lines with the table's; a refused row is named and nothing is written."""
        try:
            count = replace_year(self.cat, self.loaded_year, self.rows(), self.currency.text() or None)
        except KbaseError as exc:
            self.message.setStyleSheet("color: #a33;")
            self.message.setText(tr_message(str(exc)))
            return False
        self.load(self.loaded_year)  # the lines as saved: amounts as typed ("2500") shown formatted
        self.message.setStyleSheet("color: #2a6a2a;")
        saved = tr_n("Saved: {count} line.", "Saved: {count} lines.", count)
        self.message.setText(saved.replace("{count}", str(count)))
        return True

    def _year_changed(self, year: int) -> None:
        if self.dirty and self.loaded_year is not None and self._ask_save() is False:
            return
        self.load(year)

    def _ask_save(self) -> bool | None:
        answer = QMessageBox.question(
            self, tr("Finances"), tr("Save the changes to {year} first?").replace("{year}", str(self.loaded_year)),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard)
        return self.save() if answer == QMessageBox.StandardButton.Save else None


def money(amount: float) -> str:
    """204,667.00 in English, 204 667,00 in French (kbase.report.finances.parse_amount reads both back)."""
    return format_decimal(amount, format="#,##0.00", locale="fr_BE" if language() == "fr" else "en_GB")


def open_finances(window: Any) -> None:
    dialog = FinancesDialog(window.catalogue, parent=window)
    dialog.exec()
