"""The status bar's report of background work: a label and a progress bar for the tasks the window tracks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from ui import tasks


class WorkStatus:
    """Shows the newest tracked task (its label and progress) until every tracked task has finished."""

    def __init__(self, bar: QStatusBar, parent: QWidget):
        self.label = QLabel(parent)
        self.bar = QProgressBar(parent)
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        bar.addPermanentWidget(self.label)
        bar.addPermanentWidget(self.bar)
        self.label.hide()
        self.bar.hide()
        self._tracked: list[tuple[tasks.Task, str]] = []

    def track(self, task: tasks.Task, label: str) -> None:
        self._tracked.append((task, label))
        task.progress.connect(lambda done, total, msg, t=task: self._progress(t, done, total, msg))
        task.finished.connect(lambda t=task: self._done(t))
        self._show(label, 0, 0)

    def _progress(self, task: tasks.Task, done: int, total: int, message: str) -> None:
        label = next((lbl for t, lbl in self._tracked if t is task), "")
        self._show(f"{label} {message}".strip(), done, total)

    def _done(self, task: tasks.Task) -> None:
        self._tracked = [(t, lbl) for t, lbl in self._tracked if t is not task]
        if self._tracked:
            self._show(self._tracked[-1][1], 0, 0)
        else:
            self.label.hide()
            self.bar.hide()

    def _show(self, label: str, done: int, total: int) -> None:
        self.label.setText(label)
        self.bar.setRange(0, total if total > 0 else 0)
        if total > 0:
            self.bar.setValue(done)
        self.label.show()
        self.bar.show()


__all__ = ["WorkStatus"]
