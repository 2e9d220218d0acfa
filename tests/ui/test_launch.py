"""The launch window: the first publications on screen before the ORM loads, the same rows the main window
then shows in its place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library

ROOT = Path(__file__).resolve().parents[2]


def shown_rows(table, rows: int) -> list[list[str]]:
    model, header = table.model(), table.horizontalHeader()
    columns = [c for c in range(model.columnCount()) if not header.isSectionHidden(c)]
    return [[model.index(r, c).data(Qt.ItemDataRole.DisplayRole) or "" for c in columns] for r in range(rows)]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_launch_window_paints_before_the_orm_loads(demo_location, tmp_path):
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r})\n"
            "import ui.app\n"
            "from PySide6.QtCore import QSettings\n"
            "from ui.launch import launch_window\n"
            "app = ui.app.make_application(['kbase'])\n"
            f"store = QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat)\n"
            f"w = launch_window({demo_location!r}, 'demo', store)\n"
            "w.show(); app.processEvents()\n"
            "m = w.table.model()\n"
            "orm = {n.split('.')[0] for n in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'}\n"
            "print(json.dumps({'orm': sorted(orm),"
            " 'rows': m.rowCount(), 'first': m.index(0, 0).data()}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=str(ROOT),
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    cat = Catalogue(open_library(demo_location))
    titles = sorted((p.title_norm, p.id, p.title) for p in cat.all(m.Publication))
    cat.library.close()
    assert seen == {"orm": [], "rows": len(titles), "first": titles[0][2]}


@pytest.mark.parametrize("backend", ["sqlite"])
def test_main_shows_the_launch_window_then_the_main_window_in_its_place(qtbot, monkeypatch, demo_location, backend):
    from ui.app import main
    from ui.launch import LaunchWindow
    from ui.main_window import MainWindow

    monkeypatch.setenv("KBASE_LIBRARY", demo_location)
    seen: dict[str, object] = {}

    def watch() -> None:
        tops = QApplication.topLevelWidgets()
        shell = next((w for w in tops if isinstance(w, LaunchWindow) and w.isVisible()), None)
        window = next((w for w in tops if isinstance(w, MainWindow) and w.isVisible()), None)
        if shell is not None and "shell" not in seen:
            seen["shell"] = shown_rows(shell.table, 12)
        if window is not None and shell is None and window.model.rowCount() and not window.model.partial:
            seen["main"] = shown_rows(window.table, 12)
            seen["shell_gone"] = not any(isinstance(w, LaunchWindow) and w.isVisible() for w in tops)
            window.close()
            QApplication.instance().quit()
            return
        QTimer.singleShot(20, watch)

    QTimer.singleShot(0, watch)
    assert main(["kbase"]) == 0
    QCoreApplication.removePostedEvents(None, QEvent.Type.Quit)
    assert seen["shell_gone"] is True
    assert seen["shell"] == seen["main"]
    assert len(seen["main"]) == 12 and all(row[0] for row in seen["main"])  # titles, not blanks
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, LaunchWindow)]


def test_the_core_is_imported_past_pysides_import_hook():
    # main.py imports ui.app before anything imports PySide6: it keeps Python's own import function, puts it
    # back for the core's ORM modules only, then PySide6's hook is in place again for the windows' modules
    code = ("import builtins, sys; plain = builtins.__import__\n"
            "import ui.app\n"
            "hooked = builtins.__import__\n"
            "ui.app.load_core()\n"
            "print(ui.app.PLAIN_IMPORT is plain, hooked is not plain, builtins.__import__ is hooked,\n"
            "      'sqlalchemy' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=str(ROOT),
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", "True"]
