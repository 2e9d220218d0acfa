"""Settings dialog: library location or PostgreSQL URL, interface language, import limits."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from kbase.errors import KbaseError
from kbase.library import models as m
from ui import i18n, tasks
from ui.i18n import tr

KEY_LIBRARY = "library/location"
KEY_LANGUAGE = "ui/language"
KEY_MAX_PDF_MB = "import/max_pdf_mb"
LIB_MAX_BYTES = "import.max_bytes"  # shared by every desktop and the CLI (kbase.imports.pipeline reads it)
LIB_VISIBILITY = "import.visibility"
DEFAULT_MAX_MB = 256


def _check_location(location: str) -> str:
    """Runs in a worker: open the library read-only enough to count its publications."""
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library, redact

    lib = open_library(location)
    try:
        n = Catalogue(lib).count(m.Publication)
    finally:
        lib.close()
    return tr("{location} opens: {n} publications.").format(location=redact(location), n=n)


class SettingsDialog(QDialog):
    """Saves the user's choices in QSettings and the library-wide ones in the library itself."""

    def __init__(self, window: Any, parent: QWidget | None = None):
        super().__init__(parent if parent is not None else (window if isinstance(window, QWidget) else None))
        self.window_ref, self.cat = window, window.catalogue
        self.store: QSettings = getattr(window, "settings", None) or QSettings()
        self.task: tasks.Task | None = None
        self.setObjectName("settings_dialog")
        self.setWindowTitle(tr("Settings"))
        self.setMinimumSize(560, 360)

        self.location = QLineEdit(self)
        self.location.setObjectName("library_location")
        self.location.setPlaceholderText(tr("A folder, or postgresql+psycopg://user@host/database"))
        self.location.setText(str(self.store.value(KEY_LIBRARY) or self.cat.library.location))
        self.location.setCursorPosition(0)
        browse = QPushButton(tr("Folder…"), self)
        browse.clicked.connect(self._browse)
        self.test_button = QPushButton(tr("Test"), self)
        self.test_button.clicked.connect(self.test_location)
        self.location_status = QLabel(tr("A new library opens the next time Kbase starts."), self)
        self.location_status.setObjectName("location_status")
        self.location_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        row.addWidget(self.test_button)
        library_box = QGroupBox(tr("Library"), self)
        lib_layout = QVBoxLayout(library_box)
        lib_layout.addLayout(row)
        lib_layout.addWidget(self.location_status)

        self.language = QComboBox(self)
        self.language.setObjectName("language")
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.language())))

        self.max_mb = QSpinBox(self)
        self.max_mb.setObjectName("max_pdf_mb")
        self.max_mb.setRange(1, 4096)
        self.max_mb.setSuffix(" " + tr("MB"))
        self.max_mb.setValue(self._current_max_mb())
        self.visibility = QComboBox(self)
        self.visibility.setObjectName("import_visibility")
        for v in m.VISIBILITIES:
            self.visibility.addItem(tr(v), v)
        self.visibility.setCurrentIndex(max(0, self.visibility.findData(
            self.cat.get_setting(LIB_VISIBILITY) or "internal")))
        import_box = QGroupBox(tr("Import"), self)
        form = QFormLayout(import_box)
        form.addRow(tr("Largest PDF imported"), self.max_mb)
        form.addRow(tr("Imported documents are"), self.visibility)
        shared = QLabel(tr("These apply to everyone using this library."), import_box)
        shared.setWordWrap(True)
        form.addRow(shared)

        ui_form = QFormLayout()
        ui_form.addRow(tr("Interface language"), self.language)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(library_box)
        layout.addLayout(ui_form)
        layout.addWidget(import_box)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def _current_max_mb(self) -> int:
        value = self.cat.get_setting(LIB_MAX_BYTES)
        try:
            return max(1, int(int(value) / (1024 * 1024))) if value else int(
                self.store.value(KEY_MAX_PDF_MB, DEFAULT_MAX_MB))
        except (TypeError, ValueError):
            return DEFAULT_MAX_MB

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Library folder"), self.location.text())
        if folder:
            self.location.setText(folder)

    def test_location(self) -> tasks.Task | None:
        """Try to open the library in the background and say how it went."""
        location = self.location.text().strip()
        if not location:
            return None
        self.test_button.setEnabled(False)
        self.location_status.setText(tr("Opening {location}…").format(location=location.split("@")[-1]))
        self.task = tasks.run(_check_location, location, on_result=self.location_status.setText,
                              on_error=lambda msg: self.location_status.setText(tr("Cannot open it:") + " " + msg),
                              parent=self)
        self.task.finished.connect(lambda: self.test_button.setEnabled(True))
        return self.task

    def problems(self) -> list[str]:
        location = self.location.text().strip()
        out = []
        if not location:
            out.append(tr("Give a library folder or a PostgreSQL URL."))
        elif "://" in location and not location.startswith(("postgresql://", "postgresql+psycopg://")):
            out.append(tr("Only PostgreSQL URLs (postgresql+psycopg://…) are supported."))
        return out

    def save(self) -> bool:
        problems = self.problems()
        if problems:
            QMessageBox.warning(self, tr("Settings"), "\n".join(problems))
            return False
        self.store.setValue(KEY_LIBRARY, self.location.text().strip())
        self.store.setValue(KEY_MAX_PDF_MB, self.max_mb.value())
        lang = self.language.currentData()
        self.store.setValue(KEY_LANGUAGE, lang)
        self.store.sync()
        try:
            if self.cat.get_setting(LIB_MAX_BYTES) != str(self.max_mb.value() * 1024 * 1024):
                self.cat.set_setting(LIB_MAX_BYTES, str(self.max_mb.value() * 1024 * 1024))
            if self.cat.get_setting(LIB_VISIBILITY) != self.visibility.currentData():
                self.cat.set_setting(LIB_VISIBILITY, self.visibility.currentData())
        except KbaseError as exc:  # a read-only library or a reader's account keeps its own limits
            QMessageBox.warning(self, tr("Settings"), tr("The library settings were not saved:") + "\n" + str(exc))
        if lang != i18n.language():
            i18n.set_language(lang)
        self.accept()
        return True


def open_settings(window: Any) -> SettingsDialog:
    dialog = SettingsDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def show_settings(window: Any) -> SettingsDialog:
    """Hook for the window's Settings action."""
    return open_settings(window)


__all__ = ["SettingsDialog", "open_settings", "show_settings"]
