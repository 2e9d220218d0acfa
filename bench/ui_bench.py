"""Desktop app benchmark on a 50,000-publication catalogue (prints figures, asserts nothing).

Run (a screen is needed; without one use a virtual one):
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/ui_bench.py [--library FOLDER] [--pdfs 500]

1. launch: `python main.py` in a fresh process until the record table is painted with rows (median of 3),
   with the same-run baseline of a bare PySide6 QApplication showing an empty QTableView;
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

# The child run by --probe: the real app start (ui.app.main) that prints when the table has painted rows.
PROBE = r"""
import os, sys, time
sys.path.insert(0, {root!r})
import ui.app  # first, as main.py does: the app decides what loads before PySide6
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import ui.main_window as mw

class Probe(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        window.table.viewport().installEventFilter(self)
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and self.window.model.rowCount() > 0:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self.done)
        return False
    def done(self):
        heavy = [m for m in ("fitz", "pymupdf", "whoosh") if m in sys.modules]
        print("PAINTED", self.window.model.rowCount(), ",".join(heavy) or "-", flush=True)
        QApplication.instance().exit(0)

original = mw.MainWindow.__init__
def patched(self, *a, **kw):
    original(self, *a, **kw)
    Probe(self)
mw.MainWindow.__init__ = patched
from ui.app import main
sys.exit(main(sys.argv))
"""

BASELINE = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView
app = QApplication(sys.argv)
view = QTableView(); model = QStandardItemModel(1, 1); view.setModel(model); view.resize(800, 600)
class P(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self); QTimer.singleShot(0, lambda: (print("PAINTED", flush=True), app.exit(0)))
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


def run_child(code: str, env: dict[str, str]) -> tuple[float, str, float]:
    """(wall seconds to the PAINTED line, that line, CPU seconds the child used in all)."""
    import resource

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, "kbase"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=str(ROOT))
    assert proc.stdout is not None
    line = ""
    for line in proc.stdout:
        if line.startswith("PAINTED"):
            break
    elapsed = time.perf_counter() - started
    proc.wait(timeout=60)
    if not line.startswith("PAINTED"):
        raise SystemExit(f"the app did not paint: {proc.stderr.read() if proc.stderr else ''}")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return elapsed, line.strip(), cpu


def measure_launch(library: Path, runs: int = 3) -> None:
    work = Path(tempfile.mkdtemp(prefix="kbase-uibench-"))
    env = {**os.environ, "KBASE_LIBRARY": str(library), "KBASE_SETTINGS_DIR": str(work / "settings")}
    run_child(BASELINE, env)  # warm the file cache for both
    base_runs = [run_child(BASELINE, env) for _ in range(runs)]
    app_runs = [run_child(PROBE.format(root=str(ROOT)), env) for _ in range(runs)]
    times, base = [r[0] for r in app_runs], [r[0] for r in base_runs]
    cpu, base_cpu = statistics.median(r[2] for r in app_runs), statistics.median(r[2] for r in base_runs)
    _, rows, heavy = app_runs[-1][1].split()
    print(f"launch to painted table ({int(rows):,} rows): median {statistics.median(times):.2f} s, "
          f"worst {max(times):.2f} s, CPU {cpu:.2f} s  (bare PySide6 window with an empty table: "
          f"{statistics.median(base):.2f} s, CPU {base_cpu:.2f} s; ratio {statistics.median(times) / statistics.median(base):.1f}x)")
    print(f"  heavy modules loaded at first paint: {heavy if heavy != '-' else 'none (PyMuPDF and Whoosh not imported)'}")
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
    print("  longest blocks: " + ", ".join(f"{gap} ms (GUI-thread CPU {cpu:.0f} ms) ending {when / 1000:.1f} s after the start"
                                         for gap, when, cpu in worst)
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
    args = parser.parse_args()
    library = Path(args.library)
    ensure_catalogue(library)
    if not args.skip_launch:
        measure_launch(library)
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
