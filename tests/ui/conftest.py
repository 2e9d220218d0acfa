"""Fixtures for the GUI tests: a main window over a demo library, settings kept in the test's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from kbase.catalogue.records import Catalogue


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test gets its own settings file and starts in English."""
    monkeypatch.setenv("KBASE_SETTINGS_DIR", str(tmp_path / "settings"))
    yield
    from ui import i18n

    if i18n.language() != "en":
        i18n.set_language("en")


@pytest.fixture
def make_window(qtbot):  # type: ignore[no-untyped-def]
    """make_window(catalogue) -> a shown MainWindow, closed (and its tasks finished) after the test."""
    from ui import tasks
    from ui.app import settings
    from ui.main_window import MainWindow

    windows = []

    def make(cat: Catalogue) -> MainWindow:
        window = MainWindow(cat, settings())
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.undo_stack.clear()  # an empty stack emits nothing while the window is destroyed
        window.close()
    tasks.wait_all()


@pytest.fixture
def window(make_window, sqlite_demo: Catalogue):  # type: ignore[no-untyped-def]
    w = make_window(sqlite_demo)
    # the navigator counts arrive from a background task
    return w


def import_pdfs(cat: Catalogue, folder: Path, pages_by_name: dict[str, list[str]]) -> dict[str, int]:
    """Make text PDFs with PyMuPDF, import them through the core and return {name: attachment id}."""
    from kbase.imports.pipeline import import_paths
    from tests.pdfs import text_pdf

    paths = [text_pdf(folder / f"{name}.pdf", pages) for name, pages in pages_by_name.items()]
    report = import_paths(cat, [str(p) for p in paths], workers=1)
    out = {}
    for result in report.files:
        assert result.attachment_id is not None, (result.path, result.status, result.message)
        out[Path(result.path).stem] = result.attachment_id
    return out
