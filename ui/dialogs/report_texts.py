"""The report's own texts (preface, chair's word, a project's narrative…) edited in Markdown with a live preview."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kbase.errors import KbaseError, NotFound
from kbase.report.i18n import translator
from kbase.report.render import stylesheet
from kbase.report.texts import get_text, preview_html, set_text, stored_keys, text_keys
from ui.i18n import language, tr

LANG_LABELS = {"en": "English", "fr": "Français"}
LABEL = Qt.ItemDataRole.UserRole + 1
GROUP_LABELS = {"report": "", "programme": "Programme: ", "project": "Project: "}


def report_label(title: str) -> str:
    """A report section's title as the report says it in the interface's language ("Le mot du président")."""
    return translator(language())(title)


class ReportTextsDialog(QDialog):
    """A list of the year's texts, the Markdown of the chosen one, and how the report will show it.

    A changed text is stored when another text, year or language is chosen, on Save and on Close."""

    def __init__(self, cat: Any, year: int | None = None, lang: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.cat = cat
        self.setObjectName("report_texts_dialog")
        self.setWindowTitle(tr("Report texts"))
        self.setMinimumSize(900, 540)
        self.resize(1100, 680)
        self.current: str | None = None  # the key being edited
        self.dirty = False

        self.year = QSpinBox(self)
        self.year.setRange(1990, 2100)
        self.year.setValue(year or date.today().year - 1)
        self.lang = QComboBox(self)
        for code, label in LANG_LABELS.items():
            self.lang.addItem(label, code)
        self.lang.setCurrentIndex(max(0, self.lang.findData(lang or language())))
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("Year"), self))
        top.addWidget(self.year)
        top.addSpacing(16)
        top.addWidget(QLabel(tr("Language"), self))
        top.addWidget(self.lang)
        top.addStretch(1)

        self.keys = QListWidget(self)
        self.keys.setObjectName("report_texts_keys")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("report_texts_editor")
        self.editor.setPlaceholderText(tr("Write this text in Markdown: *italics*, **bold**, lists with -, "
                                          "## for a sub-heading. Leave it empty to remove the text."))
        self.preview = QTextBrowser(self)
        self.preview.setObjectName("report_texts_preview")
        self.preview.setOpenExternalLinks(True)
        self.preview.document().setDefaultStyleSheet(stylesheet())  # the report's own look
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(250)
        self.timer.timeout.connect(self.refresh_preview)
        self.status = QLabel("", self)
        self.status.setObjectName("report_texts_status")

        splitter = QSplitter(self)
        splitter.addWidget(self.keys)
        splitter.addWidget(self.editor)
        splitter.addWidget(self.preview)
        splitter.setSizes([320, 390, 390])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Close,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("Close"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        layout.addLayout(bottom)

        self.editor.textChanged.connect(self._changed)
        self.keys.currentItemChanged.connect(lambda _new, _old: self._key_changed())
        self.year.valueChanged.connect(lambda _v: self._reload())
        self.lang.currentIndexChanged.connect(lambda _i: self._reload())
        self._reload()

    # -- the list of texts -------------------------------------------------------------------
    def _reload(self) -> None:
        if not self._store():
            return
        keep = self.current
        have = stored_keys(self.cat, "annual", self.year.value(), self.lang.currentData())
        self.keys.blockSignals(True)
        self.keys.clear()
        for row in text_keys(self.cat, self.year.value()):
            title = report_label(row["title"]) if row["group"] == "report" else row["title"]  # the report's words
            label = tr(GROUP_LABELS[row["group"]]) + title
            item = QListWidgetItem(self.keys)
            item.setData(Qt.ItemDataRole.UserRole, row["key"])
            item.setData(LABEL, label)
            _show_stored(item, row["key"] in have)
            item.setToolTip(row["key"])
        self.keys.blockSignals(False)
        rows = [self.keys.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.keys.count())]
        self.keys.setCurrentRow(rows.index(keep) if keep in rows else 0)
        self.current = None
        self._key_changed()

    def _key_changed(self) -> None:
        if not self._store():
            return
        item = self.keys.currentItem()
        self.current = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        text = ""
        if self.current:
            try:
                text = get_text(self.cat, "annual", self.year.value(), self.current, self.lang.currentData())
            except NotFound:
                text = ""
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self.dirty = False
        self.refresh_preview()
        self.status.setText("")

    # -- editing, preview, storing -----------------------------------------------------------
    def _changed(self) -> None:
        self.dirty = True
        self.timer.start()

    def refresh_preview(self) -> None:
        self.timer.stop()
        self.preview.setHtml(preview_html(self.editor.toPlainText()))

    def _store(self) -> bool:
        """Store the text being edited if it changed; False (with a message) if the catalogue refused it."""
        if not (self.dirty and self.current):
            return True
        try:
            set_text(self.cat, "annual", self.year.value(), self.current, self.lang.currentData(),
                     self.editor.toPlainText())
        except KbaseError as exc:
            QMessageBox.warning(self, tr("Report texts"), str(exc))
            return False
        self.dirty = False
        self._mark(self.current, bool(self.editor.toPlainText().strip()))
        self.status.setText(tr("Saved."))
        return True

    def _mark(self, key: str, stored: bool) -> None:
        for i in range(self.keys.count()):
            item = self.keys.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == key:
                _show_stored(item, stored)

    def save(self) -> None:
        self._store()

    def done(self, result: int) -> None:
        if not self._store():
            return
        super().done(result)

    def select(self, key: str) -> None:
        for i in range(self.keys.count()):
            if self.keys.item(i).data(Qt.ItemDataRole.UserRole) == key:
                self.keys.setCurrentRow(i)
                return


def _show_stored(item: QListWidgetItem, stored: bool) -> None:
    """A tick before the texts already written in the chosen language."""
    item.setText(("✓  " if stored else "     ") + item.data(LABEL))


def open_report_texts(window: Any, year: int | None = None, lang: str | None = None,
                      parent: QWidget | None = None) -> ReportTextsDialog:
    dialog = ReportTextsDialog(window.catalogue, year, lang, parent if parent is not None else window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def show_report_texts(window: Any) -> ReportTextsDialog:
    """Hook for the window's Report texts action."""
    return open_report_texts(window)


__all__ = ["ReportTextsDialog", "open_report_texts", "show_report_texts"]
