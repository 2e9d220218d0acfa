"""OCR in the background of the main window: after an import, and when a library with pages waiting is opened;
progress and a Stop button in the status bar, the pages read kept when stopped."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QToolButton

from kbase.ocr.engine import OcrUnavailable, tessdata
from kbase.ocr.queue import ocr_state
from ui import tasks
from ui.i18n import tr, tr_n


def _run(location: str, progress: Any, cancel: Any) -> Any:
    """Worker thread: the queue runs in a child process; this thread waits on its pipe."""
    from kbase.ocr.process import OcrProcess

    def tell(state: Any) -> None:
        reading = min(state.pages_done + 1, state.pages_total)  # the page being read, not the last one read
        progress(state.pages_done, state.pages_total, tr("page {i} of {n}").format(i=reading, n=state.pages_total))

    return OcrProcess(location).run(progress=tell, cancelled=cancel)


def finished_text(report: Any) -> str:
    """The status bar's word when a run ends: the pages read, in the form their count takes."""
    pages = report.pages if report is not None else 0
    if report is not None and report.cancelled:
        said = tr_n("OCR stopped: {n} page read; it goes on next time",
                    "OCR stopped: {n} pages read; it goes on next time", pages)
    else:
        said = tr_n("OCR finished: {n} page read", "OCR finished: {n} pages read", pages)
    return said.format(n=pages)


def waiting_pages(window: Any) -> int:
    state = ocr_state(window.catalogue)
    return state["pages_left"] if state["queued"] + state["running"] else 0


def start_ocr(window: Any) -> tasks.Task | None:
    """Read the pages waiting for OCR unless a run is under way or nothing waits; None when nothing started."""
    running = getattr(window, "ocr_task", None)
    if running is not None and not running.done:
        return running
    if window.catalogue.library.read_only or not waiting_pages(window):
        return None
    try:
        tessdata()
    except OcrUnavailable as exc:  # said once in the status bar; the pages stay queued
        window.statusBar().showMessage(str(exc), 15000)
        return None
    stop = _stop_button(window)

    def done(report: Any) -> None:
        window.statusBar().showMessage(finished_text(report), 10000)
        refresh = getattr(window, "refresh", None)
        if refresh is not None:
            refresh()

    def failed(message: str) -> None:
        window.statusBar().showMessage(message, 15000)

    task = tasks.run(_run, window.catalogue.library.location, on_result=done, on_error=failed,
                     pass_control=True, parent=window)
    window.ocr_task = task
    window.track(task, tr("OCR"))
    stop.clicked.connect(task.cancel)
    stop.show()
    task.finished.connect(stop.hide)
    return task


def _stop_button(window: Any) -> QToolButton:
    button = getattr(window, "ocr_stop_button", None)
    if button is None:
        button = QToolButton(window)
        button.setObjectName("ocr_stop")
        button.setAutoRaise(True)
        window.statusBar().addPermanentWidget(button)
        window.ocr_stop_button = button
    button.setText(tr("Stop OCR"))
    button.setToolTip(tr("Stop reading scanned pages; the pages read are kept and the rest is read next time"))
    return button
