"""The warm search process (kbase.search.service, asked through kbase.search.ask): a real process on a
real library answers as a cold `kbase search` in this process does, follows catalogue changes, refuses
what it should not answer, and goes away when idle."""

from __future__ import annotations

import marshal
import os
import re
import socket
import sys
import time
from pathlib import Path

import pytest

from kbase import cli
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.search import ask as asking
from kbase.search import service
from tests.cli_runner import run_cli
from tests.search_data import FILLER, add_document

ELAPSED = re.compile(r" \(\d+ ms\)\n$")  # the query's own time, the one line that differs between runs


def ask(location: str, *words: str, env: dict[str, str] | None = None) -> dict:
    answer = asking.request(location, ["--library", location, "search", *words], False, location, env)
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
    asking.stop(location)


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
    real_request = asking.request
    monkeypatch.setattr(asking, "request", lambda *a, **kw: answers.append(real_request(*a, **kw)) or answers[-1])
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
    monkeypatch.setenv(asking.ENV_IDLE, "0.5")
    ask(warm, "toll")
    path = asking.socket_path(warm)
    assert path is not None
    deadline = time.monotonic() + 30
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(path)
    assert not asking.stop(warm)


def test_no_process_when_turned_off_or_without_a_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    none = str(tmp_path / "none")
    assert asking.shell_search(["--library", none, "search", "toll"], none) is None
    monkeypatch.setenv("KBASE_SEARCH_SERVICE", "0")
    assert not asking.enabled()


def test_a_changed_module_is_noticed(tmp_path: Path) -> None:
    module = tmp_path / "api.py"
    module.write_text("x = 1\n")
    path = str(tmp_path / "search-x.sock")
    assert asking.code_changed(path)  # no list of modules: treated as changed
    st = module.stat()
    service.write_manifest(path, {str(module): (st.st_size, st.st_mtime_ns)})
    assert not asking.code_changed(path)
    os.utime(module, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert asking.code_changed(path)


def test_a_process_running_changed_code_is_replaced(cat: Catalogue, warm: str) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    ask(warm, "toll")
    path = asking.socket_path(warm)
    assert path is not None
    listed = Path(asking.manifest_path(path))
    pid, *files = listed.read_text().splitlines()
    assert any(line.endswith("kbase/search/api.py") for line in files)
    changed = [f"{int(size) + 1} {rest}" for size, rest in (line.split(" ", 1) for line in files)]
    listed.write_text("\n".join([pid, *changed]) + "\n")  # as if every module had been edited
    assert_same_as_cold(warm, "toll")
    assert listed.read_text().splitlines()[0] != pid
    assert oct(listed.parent.stat().st_mode & 0o777) == oct(0o700)


def test_it_answers_in_the_askers_language(cat: Catalogue, warm: str) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    english = ask(warm, '"toll')
    french = ask(warm, '"toll', env={"KBASE_LANG": "fr"})
    cold = run_cli(["--library", warm, "--lang", "fr", "search", '"toll'])
    assert english["err"] != french["err"] == cold.stderr
    assert ask(warm, '"toll', "--lang", "fr")["err"] == cold.stderr


def test_what_it_must_not_answer_is_refused(cat: Catalogue, warm: str, tmp_path: Path) -> None:
    add_document(cat, "Roadblock census", ["Soldiers at the roadblock asked for a toll."])
    ask(warm, "toll")
    other = str(tmp_path / "other")
    # --library spelt in a way the asker did not read (an abbreviation) names another library
    assert asking.request(warm, ["--lib", other, "search", "toll"], False, None) is None
    assert asking.request(warm, ["--library", other, "search", "toll"], False, warm) is None
    assert asking.request(warm, ["--library", warm, "list", "publication"], False, warm) is None
    assert asking.request(warm, ["--library", warm, "search", "--help"], False, warm) is None  # argparse exits
    path = asking.socket_path(warm)
    assert path is not None  # another library whose socket name clashed with this one's
    clash = {"argv": ["--library", other, "search", "toll"], "location": other, "library": other, "tty": False}
    assert asking._exchange(path, marshal.dumps(clash)) == asking.REFUSED
    assert "Roadblock census" in ask(warm, "toll")["out"]  # and it is still there


def test_a_process_that_does_not_answer_is_given_up(location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = asking.socket_path(location)
    assert path is not None
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)  # listens, never answers (a stopped process)
    silent.bind(path)
    silent.listen(4)
    monkeypatch.setattr(asking, "ANSWER_WAIT", 0.3)
    started: list[str] = []
    monkeypatch.setattr(asking, "_start", lambda *a: started.append("start") or False)
    try:
        before = time.monotonic()
        assert asking.request(location, ["--library", location, "search", "toll"], False, location) is None
        assert time.monotonic() - before < 10 and started == []  # no second wait for a new process
    finally:
        silent.close()
        os.unlink(path)
