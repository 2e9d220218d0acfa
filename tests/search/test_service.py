"""The warm search process (kbase.search.service): a real process on a real library answers as a cold
`kbase search` in this process does, follows catalogue changes, and goes away when idle."""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest

from kbase import cli
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.search import service
from tests.cli_runner import run_cli
from tests.search_data import FILLER, add_document

ELAPSED = re.compile(r" \(\d+ ms\)\n$")  # the query's own time, the one line that differs between runs


def ask(location: str, *words: str) -> dict:
    args = cli.build_parser("search").parse_args(["--library", location, "search", *words])
    answer = service.ask(args, tty=False)
    assert answer is not None, "the warm process did not answer"
    return answer


def assert_same_as_cold(location: str, *words: str) -> dict:
    answer = ask(location, *words)
    cold = run_cli(["--library", location, "search", *words])
    assert (answer["code"], ELAPSED.sub("", answer["out"]), answer["err"]) == \
        (cold.returncode, ELAPSED.sub("", cold.stdout), cold.stderr)
    return answer


@pytest.fixture
def warm(location: str):
    yield location
    service.stop(location)


def test_the_warm_process_answers_as_a_cold_search(cat: Catalogue, warm: str) -> None:
    pub, _ = add_document(cat, "Roadblock census", [FILLER, "Soldiers at the roadblock asked for a toll.", FILLER],
                          year=2021, type="report")
    add_document(cat, "Toll roads", ["A toll on every road, and a toll on every bridge."], year=2019, type="article")
    first = assert_same_as_cold(warm, "roadblock", "toll")
    assert f"{pub}  Roadblock census  (2021 report)" in first["out"] and "**roadblock**" in first["out"]
    for words in (["toll", "--json"], ["toll", "--no-snippets", "--limit", "1"], ["toll", "--type", "report"],
                  ["toll", "--sort", "date", "--offset", "1"], ["nothing-like-this"]):
        assert_same_as_cold(warm, *words)
    bad = assert_same_as_cold(warm, '"toll')
    assert bad["code"] == 1 and bad["err"].startswith("kbase: error: unbalanced quote")
    assert assert_same_as_cold(warm, "toll", "--limit", "-1")["code"] == 1


def test_the_warm_process_follows_the_catalogue(cat: Catalogue, warm: str) -> None:
    pub, _ = add_document(cat, "Cassiterite trade", ["The cooperative sold its cassiterite in Bukavu."])
    assert "Cassiterite trade" in ask(warm, "cassiterite")["out"]
    cat.update(m.Publication, pub, title="Tin ore trade")
    late, _ = add_document(cat, "Late arrival", ["More cassiterite went through Goma."])
    answer = assert_same_as_cold(warm, "cassiterite")
    assert "Tin ore trade" in answer["out"] and f"{late}  Late arrival" in answer["out"]
    cat.delete(m.Publication, late)
    assert f"{late}  Late arrival" not in assert_same_as_cold(warm, "cassiterite")["out"]


def test_a_shell_search_goes_through_the_warm_process(cat: Catalogue, warm: str, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    answers: list[dict | None] = []
    real_ask = service.ask
    monkeypatch.setattr(service, "ask", lambda *a, **kw: answers.append(real_ask(*a, **kw)) or answers[-1])
    monkeypatch.setattr(sys, "argv", ["kbase", "--library", warm, "search", "roadblock"])
    assert cli.main() == 0
    out = capsys.readouterr().out
    assert "Roadblock census" in out
    assert len(answers) == 1 and answers[0] is not None and answers[0]["out"] == out
    # a caller's own main(argv) (a test, the desktop) searches in its own process
    assert cli.main(["--library", warm, "search", "roadblock"]) == 0
    assert "Roadblock census" in capsys.readouterr().out
    assert len(answers) == 1


def test_an_idle_process_exits(cat: Catalogue, warm: str, monkeypatch: pytest.MonkeyPatch) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    monkeypatch.setenv(service.ENV_IDLE, "0.5")
    ask(warm, "toll")
    path = service.socket_path(warm)
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not path.exists()
    assert not service.stop(warm)


def test_no_process_when_turned_off_or_without_a_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = cli.build_parser("search").parse_args(["--library", str(tmp_path / "none"), "search", "toll"])
    assert service.ask(args, tty=False) is None
    monkeypatch.setenv("KBASE_SEARCH_SERVICE", "0")
    assert not service.enabled()


def test_a_changed_module_is_noticed(tmp_path: Path) -> None:
    module = tmp_path / "api.py"
    module.write_text("x = 1\n")
    path = tmp_path / "search-x.sock"
    assert service.code_changed(path)  # no list of modules: treated as changed
    st = module.stat()
    service._write_manifest(path, {str(module): [st.st_size, st.st_mtime_ns]})
    assert not service.code_changed(path)
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert service.code_changed(path)


def test_a_process_running_changed_code_is_replaced(cat: Catalogue, warm: str) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    ask(warm, "toll")
    listed = service._manifest_path(service.socket_path(warm))
    first = json.loads(listed.read_text())
    assert any(name.endswith("kbase/search/api.py") for name in first["files"])
    changed = {name: [size + 1, mtime] for name, (size, mtime) in first["files"].items()}
    listed.write_text(json.dumps({**first, "files": changed}))  # as if every module had been edited
    assert_same_as_cold(warm, "toll")
    assert json.loads(listed.read_text())["pid"] != first["pid"]
    assert oct(listed.parent.stat().st_mode & 0o777) == oct(0o700)
