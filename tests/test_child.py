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
