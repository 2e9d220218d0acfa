"""Child processes forked from a server (kbase.child with preload) see the caller's state as it is when they start."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

import pytest

from kbase import i18n
from kbase.child import JOB_MODULES, ChildProcess


def _state(*, progress: Callable[[Any], None], cancel: threading.Event, inbox: Any) -> tuple[Any, ...]:
    return os.environ.get("KBASE_TEST_CHILD"), os.getcwd(), i18n.language(), os.getppid()


def test_a_forked_child_takes_the_callers_environment_folder_and_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ChildProcess(_state, preload=JOB_MODULES).run()  # starts the server, if no test did before
    monkeypatch.setenv("KBASE_TEST_CHILD", "after the server started")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KBASE_LANG", "fr")
    value, cwd, lang, parent = ChildProcess(_state, preload=JOB_MODULES).run()
    assert (value, Path(cwd), lang) == ("after the server started", tmp_path, "fr")
    assert parent == first[3] != os.getpid()  # both forked by the same server, not started by us


def test_without_preload_a_child_is_a_fresh_interpreter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBASE_TEST_CHILD", "spawned")
    monkeypatch.chdir(tmp_path)
    value, cwd, _lang, parent = ChildProcess(_state).run()
    assert (value, Path(cwd), parent) == ("spawned", tmp_path, os.getpid())


def _prints(*, progress: Callable[[Any], None], cancel: threading.Event, inbox: Any) -> int:
    print("written by the job", end="")  # no newline: it sits in the buffer when stdout is a file
    return os.getpid()


SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from kbase.child import ChildProcess
from test_child import _prints
child = ChildProcess(_prints)
pid = child.run()
print("", child.exitcode, pid)
"""


def test_a_child_that_is_done_leaves_at_once_with_its_output_written(tmp_path: Path) -> None:
    """The child skips the interpreter's teardown (kbase.child._quick_exit) but not its buffers."""
    import subprocess
    import sys

    out = tmp_path / "out.txt"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a file's output is then buffered
    with open(out, "w") as fh:
        subprocess.run([sys.executable, "-c", SCRIPT.format(tests=str(Path(__file__).parent))], stdout=fh,
                       env=env, check=True, timeout=60)
    text = out.read_text()
    assert text.startswith("written by the job")  # the child's buffer was flushed before it left
    code, pid = text.split()[-2:]
    assert code == "0" and int(pid) > 0
