"""`kbase` commands run in this process through kbase.cli.main, their output captured as a process's would be.

A process per command cost a third of the suite's time (each start imports SQLAlchemy, SQLModel and the
models); the few tests that need a real process say so and use subprocess themselves."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from typing import Any, Sequence

KBASE = [sys.executable, "-m", "kbase.cli"]


def run_cli(argv: Sequence[str], env: dict[str, str] | None = None,
            **_subprocess_options: Any) -> subprocess.CompletedProcess[str]:
    """kbase.cli.main(argv) with stdout and stderr captured; env replaces the environment for the call."""
    from kbase.cli import main

    saved = dict(os.environ)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as exc:  # --help and argparse's own exits
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess([*KBASE, *argv], code, out.getvalue(), err.getvalue())


def run_ok(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """run_cli, asserting the command succeeded (its stderr is the failure's message)."""
    done = run_cli(argv)
    assert done.returncode == 0, done.stderr
    return done
