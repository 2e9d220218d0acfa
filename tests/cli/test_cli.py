"""The `kbase` command as a user runs it: one clear line for every bad input.

Commands run in-process through kbase.cli.main (a process each made this file a third of the suite's
time); test_a_real_process_* keep one true subprocess for what only a process shows."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

KBASE = [sys.executable, "-m", "kbase.cli"]


def run_process(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "KBASE_LIBRARY"}
    full_env.update(env or {})
    proc = subprocess.run([*KBASE, *args], capture_output=True, text=True, env=full_env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"kbase {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def run(*args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """kbase.cli.main in this process, without the caller's KBASE_LIBRARY unless env gives one."""
    full_env = {k: v for k, v in os.environ.items() if k != "KBASE_LIBRARY"}
    full_env.update(env or {})
    proc = run_cli(args, env=full_env)
    if check and proc.returncode != 0:
        raise AssertionError(f"kbase {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc


def test_a_real_process_lists_and_fails_in_one_line(demo_location: str, tmp_path: Path) -> None:
    out = run_process("list", "project", "--year", "2020", "--json", "--library", demo_location)
    assert json.loads(out.stdout)
    assert_one_line_error(run_process("--library", str(tmp_path / "nowhere"), "list", "publication", check=False),
                          "no library")


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# the assignment list names one project differently from its programme section
RENAMED = {"Assessing the impact of due diligence programmes in eastern DRC":
           "Evaluating due diligence programs for conflict minerals in eastern DRC"}


def test_demo_then_list_projects_of_2020(demo_location: str) -> None:
    from tests.report_facts import ASSIGNMENTS

    out = run("list", "project", "--year", "2020", "--json", "--library", demo_location)
    titles = sorted(p["title"] for p in json.loads(out.stdout))
    expected = sorted(title for title, _clients in ASSIGNMENTS[2020])
    assert len(titles) == len(expected)
    from kbase.text import fold_words

    # the catalogue may use the programme section's fuller title for the same project
    def key(t: str) -> set[str]:
        return set(fold_words(t).split())
    for want in expected:
        want = RENAMED.get(want, want)
        assert any(len(key(want) & key(got)) >= 0.6 * len(key(want)) for got in titles), want


def test_region_filter_includes_territories(demo_location: str) -> None:
    out = run("list", "publication", "--region", "South Kivu", "--json", "--library", demo_location)
    south_kivu = {p["id"] for p in json.loads(out.stdout)}
    below = run("list", "region", "--region", "South Kivu", "--json", "--library", demo_location)
    territories = [r for r in json.loads(below.stdout) if r["level"] in ("territory", "site")]
    assert territories, "the demo gazetteer has territories in South Kivu"
    tagged_below = set()
    for r in territories:
        got = run("list", "publication", "--region", str(r["name"]), "--json", "--library", demo_location)
        tagged_below |= {p["id"] for p in json.loads(got.stdout)}
    assert tagged_below, "some demo publication is tagged with a territory in South Kivu"
    assert tagged_below <= south_kivu


@pytest.mark.parametrize("name", ["World Food Program", "World Food Programme", "WFP", "world food programme"])
def test_one_organisation_by_every_spelling(demo_location: str, name: str) -> None:
    out = run("lookup", "organisation", name, "--json", "--library", demo_location)
    found = json.loads(out.stdout)
    assert len(found) == 1 and found[0]["name"] == "World Food Programme"


def test_librarian_batch_work(location: str) -> None:
    lib = ["--library", location]
    run("add", "organisation", "name=Danish Institute for International Studies", "acronym=DIIS",
        "kind=research institute", *lib)
    run("add", "person", "name=Peer Schouten", "role=associate researcher", *lib)
    run("add", "project", "title=The political economy of roadblocks in South Sudan", "short_name=Roadblocks", *lib)
    run("add", "series", "name=IPIS Briefing", "periodical=yes", *lib)
    pub = json.loads(run("add", "publication", "title=Checkpoint economy", "type=report", "year=2021",
                         "month=12", "series=IPIS Briefing", "--json", *lib).stdout)
    pid = str(pub["id"])
    run("link", "publication", pid, "--project", "Roadblocks", "--author", "Peer Schouten", "--author", "DIIS", *lib)
    run("link", "project", "1", "--partner", "DIIS", "--client", "DIIS", "--year", "2020", *lib)
    run("edit", "publication", pid, "subtitle=Ten years after independence", *lib)
    shown = json.loads(run("show", "publication", pid, "--json", *lib).stdout)
    assert shown["subtitle"] == "Ten years after independence"
    assert [c["label"] for c in shown["contributors"]] == ["Peer Schouten",
                                                           "Danish Institute for International Studies"]
    assert shown["projects"][0]["label"].startswith("The political economy")
    assert shown["series"]["label"] == "IPIS Briefing"
    project = json.loads(run("show", "project", "1", "--json", *lib).stdout)
    assert project["assignments"][0]["year"] == 2020
    assert [p["label"] for p in project["partners"]] == ["Danish Institute for International Studies"]
    run("add", "organisation", "name=DIIS Copenhagen", *lib)
    run("merge", "organisation", "1", "2", *lib)
    assert json.loads(run("lookup", "org", "DIIS Copenhagen", "--json", *lib).stdout)[0]["id"] == 1
    human = run("list", "publication", *lib).stdout
    assert "Checkpoint economy" in human and "December 2021" in human
    run("edit", "publication", pid, "title=Checkpoint economy (2nd ed.)", "--if-version", "3", *lib)
    stale = run("edit", "publication", pid, "title=Stale", "--if-version", "3", *lib, check=False)
    assert_one_line_error(stale, f"publication {pid} is at version 4", "not version 3: nothing was changed",
                          "--if-version 4")


@pytest.mark.parametrize("args, fragments", [
    (["show", "999"], ["no publication with ID 999"]),
    (["show", "project", "abc"], ["not a record ID"]),
    (["list", "project", "--year", "20x0"], ["not a year"]),
    (["list", "widget"], ["unknown record type 'widget'"]),
    (["list", "publication", "--type", "pamphlet"], ["unknown publication type"]),
    (["list", "publication", "--region", "Atlantis"], ["no region named 'Atlantis'"]),
    (["edit", "publication", "1", "year=2021"], ["no publication with ID 1"]),
    (["add", "publication", "title=x", "year=1"], ["not a plausible year: 1"]),
    (["add", "publication", "title=x", "type=pamphlet"], ["type must be one of"]),
    (["add", "publication", "notakeyvalue"], ["expected FIELD=VALUE"]),
    (["merge", "organisation", "5", "5"], ["cannot merge a record with itself"]),
    (["link", "publication", "1"], ["no publication with ID 1"]),
    (["frobnicate"], ["invalid choice"]),
])
def test_bad_input_is_one_clear_line(location: str, args: list[str], fragments: list[str]) -> None:
    assert_one_line_error(run(*args, "--library", location, check=False), *fragments)


def test_missing_library_folder(tmp_path: Path) -> None:
    proc = run("list", "publication", "--library", str(tmp_path / "nowhere"), check=False)
    assert_one_line_error(proc, "no library at", "kbase init")


def test_library_from_environment(tmp_path: Path) -> None:
    lib = str(tmp_path / "envlib")
    run("init", env={"KBASE_LIBRARY": lib})
    run("add", "subject", "name=cobalt", env={"KBASE_LIBRARY": lib})
    assert "cobalt" in run("list", "subject", env={"KBASE_LIBRARY": lib}).stdout


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders anyway")
def test_read_only_library_non_root(tmp_path: Path) -> None:
    lib = tmp_path / "ro"
    run("init", str(lib))
    lib.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert run("list", "publication", "--library", str(lib)).returncode == 0
        assert_one_line_error(run("add", "subject", "name=x", "--library", str(lib), check=False), "read-only")
    finally:
        lib.chmod(stat.S_IRWXU)


def test_read_only_library_file(tmp_path: Path) -> None:
    """Even as root: a catalogue file without write permission opens read-only and refuses writes."""
    lib = tmp_path / "ro"
    run_process("init", str(lib))
    run_process("add", "subject", "name=gold", "--library", str(lib))  # a process: its exit folds the WAL in
    db = lib / "catalogue.sqlite"
    for extra in ("-wal", "-shm"):
        (lib / f"catalogue.sqlite{extra}").unlink(missing_ok=True)
    db.chmod(stat.S_IRUSR)
    try:
        assert "gold" in run("list", "subject", "--library", str(lib)).stdout
        assert_one_line_error(run("add", "subject", "name=x", "--library", str(lib), check=False), "read-only")
    finally:
        db.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_postgres_url_that_does_not_answer() -> None:
    proc = run("list", "publication", "--library", "postgresql+psycopg://nobody@127.0.0.1:9/none", check=False)
    assert_one_line_error(proc, "127.0.0.1:9", "cannot be reached")


def test_unsupported_url() -> None:
    assert_one_line_error(run("list", "publication", "--library", "mysql://x@y/z", check=False),
                          "unsupported database URL")
