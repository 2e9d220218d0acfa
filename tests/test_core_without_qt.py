"""The core must work where Qt cannot even be imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_kbase_imports_and_runs_with_qt_unimportable(tmp_path) -> None:
    script = textwrap.dedent(f"""
        import sys
        class BlockQt:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
                    raise ImportError("Qt is blocked for this test: " + name)
                return None
        sys.meta_path.insert(0, BlockQt())
        import pkgutil, importlib, kbase
        for mod in pkgutil.walk_packages(kbase.__path__, "kbase."):
            if ".migrations" in mod.name or mod.name.endswith("__main__"):
                continue
            importlib.import_module(mod.name)
        try:
            import PySide6  # noqa: F401
        except ImportError:
            pass
        else:
            raise SystemExit("Qt was importable")
        from kbase.cli import main
        lib = {str(tmp_path / 'lib')!r}
        sys.exit(main(["demo", "--library", lib]) or main(["list", "project", "--library", lib]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Madini" in proc.stdout
