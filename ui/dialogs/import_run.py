"""The import dialog's worker side (the import in a child process, its progress queued to the GUI thread)
and the question that picks what to import."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ui import tasks
from ui.i18n import tr


class ImportTask(tasks.Task):
    """A Task whose cancel() also stops the importer (so closing the window stops an import too)."""

    def __init__(self, fn: Any, stop: threading.Event, parent: QObject | None = None):
        super().__init__(fn, parent=parent)
        self.stop = stop

    def cancel(self) -> None:
        super().cancel()
        self.stop.set()


class ProgressBridge(QObject):
    """Lives in the GUI thread; the worker emits on it, so the ImportProgress arrives queued."""

    progressed = Signal(object)


def run_import(library: Any, paths: list[str], progress: Any, cancel: threading.Event, task: tasks.Task,
               on_duplicate: str = "link", sheet_options: dict[str, Any] | None = None) -> Any:
    """Worker thread: the import runs in a child process; this thread only waits on its pipe.

    (Extraction, catalogue writes and indexing in this process would share the GIL with the GUI thread.)"""
    from kbase.imports.process import ImportProcess

    def tell(state: Any) -> None:
        progress.progressed.emit(state)  # a fresh object from the pipe: nobody else changes it
        task.report(state.files_done, state.files_total, Path(state.current).name if state.current else "")

    return ImportProcess(library.location, paths, on_duplicate=on_duplicate,
                         sheet_options=sheet_options).run(progress=tell, cancelled=cancel.is_set)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "…"
    if seconds < 60:
        return tr("{n} s").format(n=int(seconds) + 1)
    return tr("{n} min").format(n=int(seconds // 60) + 1)


def ask_paths(window: Any) -> list[str]:
    """Files or one folder to import, as the user prefers; [] when cancelled."""
    parent = window if isinstance(window, QWidget) else None
    box = QMessageBox(QMessageBox.Icon.Question, tr("Import"), tr("Import files or a whole folder?"),
                      QMessageBox.StandardButton.Cancel, parent)
    files_button = box.addButton(tr("Files…"), QMessageBox.ButtonRole.AcceptRole)
    folder_button = box.addButton(tr("Folder…"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(files_button)
    box.exec()
    if box.clickedButton() is folder_button:
        folder = QFileDialog.getExistingDirectory(parent, tr("Folder to import (PDFs and .bib files inside it)"))
        return [folder] if folder else []
    if box.clickedButton() is not files_button:
        return []
    files, _ = QFileDialog.getOpenFileNames(
        parent, tr("Import PDFs, bibliographies or spreadsheets"), "",
        tr("PDFs, bibliographies and spreadsheets (*.pdf *.bib *.ris *.json *.csv *.tsv *.xlsx);;All files (*)"))
    return files


__all__ = ["ImportTask", "ProgressBridge", "run_import", "duration", "ask_paths"]
