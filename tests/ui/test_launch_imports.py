"""What the desktop app's modules load before its first paint: nothing a rarely opened dialog or a
background job needs (each costs launch time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# loaded on use only: charts (finances, reports), PDF reading, the search index
LATER = ("matplotlib", "numpy", "pymupdf", "fitz", "whoosh")


def test_the_window_modules_leave_charts_pdfs_and_the_index_for_later():
    code = ("import json, sys; import ui.app, ui.main_window; "
            f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({list(LATER)!r}))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
