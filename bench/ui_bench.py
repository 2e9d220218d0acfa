"""Desktop app benchmark on a 50,000-publication catalogue (prints figures, asserts nothing).

Run (a screen is needed; without one use a virtual one):
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/ui_bench.py [--library FOLDER] [--pdfs 500]

1. launch: the app (ui.app.main) in a fresh process until rows are first painted (the launch window's, see
   ui/launch.py) and until the main window has painted its own (median of 5 each, wall and the process's CPU),
   in turn with the same-run baseline of a bare PySide6 QApplication showing an empty QTableView;
2. re-sort and filter of the table (through the core) until repainted, median and worst of 7;
3. the longest time the GUI thread was blocked while the import dialog imports 500 PDFs into the library
   (a 2 ms heartbeat timer; a gap over 2 ms is time the event loop could not run).
The catalogue is built once into --library (default: the user cache folder, kbase/bench-ui-50k) and reused.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# The child: the real app start (ui.app.main). FIRST when a table with rows is first painted (the launch
# window's, or the main window's when there is none), PAINTED when the main window's table has painted rows;
# each with the process's CPU seconds so far and the heavy modules loaded by then.
PROBE = r"""
import os, sys, time
sys.path.insert(0, {root!r})
import ui.app  # first, as main.py does
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import ui.launch

HEAVY = ("sqlalchemy", "sqlmodel", "fitz", "pymupdf", "whoosh", "matplotlib")
said = []

def say(what, rows):
    heavy = [m for m in HEAVY if m in sys.modules]
    print(what, rows, f"{{time.process_time():.3f}}", ",".join(heavy) or "-", flush=True)
    said.append(what)

class Probe(QObject):
    def __init__(self, table, last):
        super().__init__(table)
        self.table, self.last = table, last
        table.viewport().installEventFilter(self)
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.table.model().rowCount() > 0:
            obj.removeEventFilter(self)
            if "FIRST" not in said:
                say("FIRST", self.table.model().rowCount())
            if self.last:
                QTimer.singleShot(0, self.done)
        return False
    def done(self):
        say("PAINTED", self.table.model().rowCount())
        QApplication.instance().exit(0)

if {former!r}:  # the former launch, for comparison: no launch window, the main window's paint is the first
    ui.launch.launch_window = lambda *a, **kw: None
shell_init = ui.launch.LaunchWindow.__init__
def shell_patched(self, *a, **kw):
    shell_init(self, *a, **kw)
    Probe(self.table, False)
ui.launch.LaunchWindow.__init__ = shell_patched
open_window = ui.app.open_window
def open_patched(*a, **kw):
    window = open_window(*a, **kw)
    if window is not None:
        Probe(window.table, True)
    return window
ui.app.open_window = open_patched
sys.exit(ui.app.main(sys.argv))
"""

BASELINE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView
app = QApplication(sys.argv)
view = QTableView(); model = QStandardItemModel(1, 1); view.setModel(model); view.resize(800, 600)
class P(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("FIRST 1", f"{time.process_time():.3f}", "-", flush=True),
                                          print("PAINTED 1", f"{time.process_time():.3f}", "-", flush=True),
                                          app.exit(0)))
        return False
p = P(); view.viewport().installEventFilter(p); view.show(); sys.exit(app.exec())
"""


def ensure_catalogue(folder: Path) -> None:
    """50,000 publications (the catalogue benchmark's generator) plus their search index, built once."""
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library

    if (folder / "catalogue.sqlite").exists() and (folder / "READY").exists():
        from kbase.search import indexing

        lib = open_library(str(folder))
        if not indexing.index_ready(lib):  # built by a Kbase with another index schema: bring it up to date
            started = time.perf_counter()
            indexing.sync(Catalogue(lib))
            print(f"rebuilt the search index for this version in {time.perf_counter() - started:.0f} s", flush=True)
        lib.close()
        return
    import catalogue_bench

    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    lib = open_library(str(folder), create=True)
    catalogue_bench.build(lib)
    print(f"built 50,000 publications in {time.perf_counter() - started:.0f} s", flush=True)
    from kbase.search import indexing

    started = time.perf_counter()
    indexing.rebuild(Catalogue(lib))
    print(f"built the search index in {time.perf_counter() - started:.0f} s", flush=True)
    lib.close()
    (folder / "READY").write_text("ok")


def run_child(code: str, env: dict[str, str]) -> dict[str, Any]:
    """Wall seconds to the FIRST and PAINTED lines, the child's CPU seconds at each, rows, heavy modules."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, "kbase"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=str(ROOT))
    assert proc.stdout is not None
    seen: dict[str, Any] = {}
    for line in proc.stdout:
        what, rows, cpu, heavy = line.split()
        seen[what] = {"wall": time.perf_counter() - started, "cpu": float(cpu), "rows": int(rows), "heavy": heavy}
        if what == "PAINTED":
            break
    proc.wait(timeout=60)
    if "PAINTED" not in seen:
        raise SystemExit(f"the app did not paint: {proc.stderr.read() if proc.stderr else ''}")
    return seen


def measure_launch(library: Path, runs: int = 5, source: bool = False) -> None:
    work = Path(tempfile.mkdtemp(prefix="kbase-uibench-"))
    env = {**os.environ, "KBASE_LIBRARY": str(library), "KBASE_SETTINGS_DIR": str(work / "settings")}
    if not source:  # as an installed app starts: modules from compiled bytecode (kept out of the tree)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    run_child(BASELINE, env)  # warm the file cache (and the bytecode) for both
    probe, former_probe = PROBE.format(root=str(ROOT), former=False), PROBE.format(root=str(ROOT), former=True)
    run_child(probe, env)
    base, app, former = [], [], []
    for _ in range(runs):  # in turn, so all see the same moments of a shared machine
        base.append(run_child(BASELINE, env))
        app.append(run_child(probe, env))
        former.append(run_child(former_probe, env))

    def med(runs: list[dict[str, Any]], what: str, key: str) -> float:
        return statistics.median(r[what][key] for r in runs)

    bare, bare_cpu = med(base, "FIRST", "wall"), med(base, "FIRST", "cpu")
    first, first_cpu = med(app, "FIRST", "wall"), med(app, "FIRST", "cpu")
    ready, ready_cpu = med(app, "PAINTED", "wall"), med(app, "PAINTED", "cpu")
    last = app[-1]
    print(f"launch to the first painted rows ({last['FIRST']['rows']:,} rows): median {first:.3f} s, worst "
          f"{max(r['FIRST']['wall'] for r in app):.3f} s, CPU {first_cpu:.3f} s  (bare PySide6 window with an empty "
          f"table: {bare:.3f} s, CPU {bare_cpu:.3f} s; ratio {first / bare:.2f}x wall, "
          f"{first_cpu / bare_cpu:.2f}x CPU)")
    print(f"  modules loaded by then: {last['FIRST']['heavy'] if last['FIRST']['heavy'] != '-' else 'none of '}"
          f"{'' if last['FIRST']['heavy'] != '-' else 'SQLAlchemy, SQLModel, PyMuPDF, Whoosh, matplotlib'}")
    print(f"launch to the main window painted with its rows (menus, navigator, details live): median {ready:.3f} s, "
          f"worst {max(r['PAINTED']['wall'] for r in app):.3f} s, CPU {ready_cpu:.3f} s ({ready / bare:.1f}x bare)")
    before, before_cpu = med(former, "PAINTED", "wall"), med(former, "PAINTED", "cpu")
    print(f"without the launch window (PostgreSQL's path: the main window paints the first rows): median "
          f"{before:.3f} s, CPU {before_cpu:.3f} s ({before / bare:.1f}x bare; "
          f"the launch window's first rows come at {first / before:.2f}x that)")
    print(f"  modules loaded by then: {last['PAINTED']['heavy']}; load average {os.getloadavg()[0]:.1f}; "
          + ("every module compiled from source at each start" if source else "bytecode cached, as installed"))
    shutil.rmtree(work, ignore_errors=True)


def wait_until(app: Any, condition: Callable[[], bool], timeout: float = 600.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.002)


def repaint_time(app: Any, window: Any, action: Callable[[], None]) -> tuple[float, float]:
    """(wall, GUI-thread CPU) seconds for action plus the repaint that fetches the rows shown."""
    started, cpu = time.perf_counter(), time.thread_time()
    action()
    window.table.viewport().repaint()  # paint now: the rows shown are fetched here
    app.processEvents()
    return time.perf_counter() - started, time.thread_time() - cpu


def measure_table(app: Any, window: Any, repeat: int = 7) -> None:
    from PySide6.QtCore import Qt

    model = window.model
    keys = [c.key for c in model.columns]
    plans = [
        ("sort by date, newest first", lambda: model.sort(keys.index("date"), Qt.SortOrder.DescendingOrder),
         lambda: model.sort(keys.index("title"), Qt.SortOrder.AscendingOrder)),
        ("sort by title, Z to A", lambda: model.sort(keys.index("title"), Qt.SortOrder.DescendingOrder),
         lambda: model.sort(keys.index("title"), Qt.SortOrder.AscendingOrder)),
        ("filter by a title word", lambda: model.set_text("cobalt"), lambda: model.set_text("")),
        ("filter by two title words", lambda: model.set_text("gold mining"), lambda: model.set_text("")),
    ]
    for label, do, undo in plans:
        times, cpus = [], []
        for _ in range(repeat):
            wall, cpu = repaint_time(app, window, do)
            times.append(wall)
            cpus.append(cpu)
            rows = model.rowCount()
            repaint_time(app, window, undo)
        print(f"{label}: median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms, "
              f"GUI-thread CPU {statistics.median(cpus) * 1000:.0f} ms ({rows:,} rows)")


def make_pdfs(folder: Path, n: int) -> Path:
    import pymupdf

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        doc = pymupdf.open()
        for p in range(1, 5):
            page = doc.new_page()
            page.insert_text((72, 90), f"Field report {i}, page {p}", fontsize=18)
            page.insert_text((72, 130), f"Artisanal gold and cobalt sites visited in territory {i % 97}.", fontsize=11)
        doc.save(str(folder / f"report-{i:04d}.pdf"))
        doc.close()
    return folder


def measure_import(app: Any, window: Any, pdfs: Path, n: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer

    from ui.dialogs.import_dialog import show_import

    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    stamps: list[tuple[int, int, float]] = []  # (gap ms, when it ended in ms after the start, GUI-thread CPU ms)
    last_cpu = [time.thread_time()]

    def beat() -> None:
        now, cpu = clock.elapsed(), time.thread_time()
        gaps.append(now - last[0])
        stamps.append((now - last[0], now, (cpu - last_cpu[0]) * 1000))
        last[0], last_cpu[0] = now, cpu

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(beat)
    timer.start()
    started = time.perf_counter()
    dialog = show_import(window, [str(pdfs)])
    wait_until(app, lambda: dialog.report is not None)
    elapsed = time.perf_counter() - started
    finished_at = clock.elapsed()
    # the window refreshes its table after the import: count that too
    settle_end = time.monotonic() + 1.0
    while time.monotonic() < settle_end:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    report = dialog.report
    gaps.sort()
    print(f"import of {n} PDFs ({report.imported} imported, {report.pages} pages) took {elapsed:.1f} s; "
          f"GUI thread blocked at most {max(gaps) - 2} ms (99th percentile gap {gaps[int(len(gaps) * 0.99)]} ms, "
          f"{len(gaps):,} heartbeats)")
    worst = sorted(stamps, reverse=True)[:3]
    print("  longest blocks: " + ", ".join(f"{gap} ms (GUI-thread CPU {cpu:.0f} ms) ending {when / 1000:.1f} s "
                                         "after the start" for gap, when, cpu in worst)
          + f"; the report arrived {finished_at / 1000:.1f} s after the start")
    busy = max((gap for gap, _when, cpu in stamps if cpu >= gap / 2), default=0)
    print(f"  longest block with the GUI thread busy (its CPU at least half the block): {busy} ms; "
          f"GUI-thread CPU over the import {sum(c for _g, _w, c in stamps) / 1000:.2f} s")
    dialog.close()


def measure_idle(app: Any, seconds: float) -> None:
    """The same heartbeat with nothing running: what the machine alone does to the event loop."""
    from PySide6.QtCore import QElapsedTimer, QTimer

    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(2)
    timer.timeout.connect(beat)
    timer.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)
    timer.stop()
    gaps.sort()
    print(f"control, no import for {seconds:.0f} s: GUI thread blocked at most {max(gaps) - 2} ms "
          f"(99th percentile gap {gaps[int(len(gaps) * 0.99)]} ms, {len(gaps):,} heartbeats)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from platformdirs import user_cache_dir

    parser.add_argument("--library", default=str(Path(user_cache_dir("kbase", appauthor=False)) / "bench-ui-50k"))
    parser.add_argument("--pdfs", type=int, default=500)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--launch-only", action="store_true")
    parser.add_argument("--skip-launch", action="store_true", help="only the table and import measures")
    parser.add_argument("--source", action="store_true",
                        help="launch with modules compiled from source each time (PYTHONDONTWRITEBYTECODE as set)")
    args = parser.parse_args()
    library = Path(args.library)
    ensure_catalogue(library)
    if not args.skip_launch:
        measure_launch(library, source=args.source)
    if args.launch_only:
        return 0

    os.environ.setdefault("KBASE_SETTINGS_DIR", tempfile.mkdtemp(prefix="kbase-uibench-settings-"))
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library
    from ui import tasks
    from ui.app import make_application, settings
    from ui.main_window import MainWindow

    app = make_application(["kbase"])
    # a copy, so the import does not change the cached catalogue
    work = Path(tempfile.mkdtemp(prefix="kbase-uibench-lib-"))
    shutil.copytree(library, work / "library")
    cat = Catalogue(open_library(str(work / "library")))
    window = MainWindow(cat, settings())
    window.resize(1500, 900)
    window.show()
    wait_until(app, lambda: window.isVisible() and window.model.rowCount() > 0)
    wait_until(app, lambda: bool(window.navigator._counts))
    measure_table(app, window)
    if not args.skip_import:
        pdfs = make_pdfs(work / "pdfs", args.pdfs)
        measure_idle(app, 15.0)
        measure_import(app, window, pdfs, args.pdfs)
    window.close()
    tasks.wait_all()
    cat.library.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
