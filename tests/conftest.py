"""Shared fixtures: libraries on SQLite and on the PostgreSQL server `make test` starts."""

from __future__ import annotations

import gc
import itertools
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # without it Qt aborts on a machine without a screen
os.environ["KBASE_LANG"] = "en"  # tests read English output whatever the machine's locale; French tests ask for it

import portalocker
import pytest

from kbase.catalogue.records import Catalogue
from kbase.library.db import open_library

if TYPE_CHECKING:
    import psycopg


def _own_pg_server() -> None:
    """Under pytest-xdist, worker gw<i> takes server i of scripts/with-postgres.sh for itself: roles are
    per server and tests/team/test_team_reconnect.py restarts its server, so two workers never share one."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not os.environ.get("KBASE_TEST_PG_URL"):
        return
    i = int(worker.removeprefix("gw"))
    url, data = os.environ.get(f"KBASE_TEST_PG_URL_{i}"), os.environ.get(f"KBASE_TEST_PG_DATA_{i}")
    if not (url and data):
        raise pytest.UsageError(f"pytest-xdist worker {worker} has no PostgreSQL server of its own: "
                                "set KBASE_TEST_PG_SERVERS to the number of workers (`make test` does)")
    os.environ["KBASE_TEST_PG_URL"], os.environ["KBASE_TEST_PG_DATA"] = url, data


_own_pg_server()
PG_URL = os.environ.get("KBASE_TEST_PG_URL")
BACKENDS = ["sqlite", "postgresql"]
_counter = itertools.count()


# Warnings are errors (pyproject.toml). These come from our own code, outside this file: each
# is ignored for the named tests only, by its message, until the test or module is fixed; then
# its line goes. (A ResourceWarning fires when the object is collected, so inside the test.)
KNOWN_WARNINGS: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    # A worker holds ~650,000 objects (SQLAlchemy, Qt, PyMuPDF, the test modules). With Python's default
    # thresholds its collector went through all of them ~30 times in 400 tests: 10-13% of the suite's CPU.
    # Fewer young collections promote less, so the full ones come about a third as often; same garbage freed.
    gc.set_threshold(10_000, 10, 10)


def pytest_collection_finish(session: pytest.Session) -> None:
    # what is alive once the tests are collected (modules, classes, the ORM's metadata) lives to the end:
    # the full collections leave it out
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    for item in items:
        name = getattr(item, "originalname", item.name)  # without its parameters
        known = KNOWN_WARNINGS.get(f"{item.path.relative_to(root).as_posix()}::{name}")
        if known:
            item.add_marker(pytest.mark.filterwarnings(known))
    if PG_URL:
        return
    if os.environ.get("KBASE_REQUIRE_PG"):
        raise pytest.UsageError("KBASE_REQUIRE_PG is set but KBASE_TEST_PG_URL is not")
    skip = pytest.mark.skip(reason="no PostgreSQL test server (run the tests with `make test`)")
    for item in items:
        callspec = getattr(item, "callspec", None)  # parametrized functions only
        params = callspec.params if callspec else {}
        if "postgresql" in item.keywords or params.get("backend") == "postgresql":
            item.add_marker(skip)


def pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    import psycopg

    assert PG_URL
    url = PG_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


def pg_url_for(dbname: str) -> str:
    assert PG_URL
    return PG_URL.rsplit("/", 1)[0] + "/" + dbname


def _libpq_url(dbname: str) -> str:
    """The database's URL as libpq tools (pg_dump, pg_restore) read it."""
    return pg_url_for(dbname).replace("postgresql+psycopg://", "postgresql://")


def new_pg_database(template: str | None = None) -> str:
    # uuid, not a counter: conftest may be imported twice (as conftest and as tests.conftest)
    name = f"kbase_t{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:8]}"
    with pg_admin() as conn:
        copy = ""
        if template:
            # FILE_COPY: a quarter faster than the default of PostgreSQL 15 and later for these small databases
            copy = f' TEMPLATE "{template}"' + (" STRATEGY FILE_COPY" if conn.info.server_version >= 150000 else "")
        conn.execute(f'CREATE DATABASE "{name}"' + copy)
    return name


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder, shared by its pytest-xdist workers."""
    run = tmp_path_factory.getbasetemp()
    return run.parent if os.environ.get("PYTEST_XDIST_WORKER") else run


def made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder `name` of this run, made by make(folder) in the first pytest-xdist worker that asks for it
    (under a file lock) and then only read, by every worker."""
    run = _run_folder(tmp_path_factory)
    folder = run / name
    with portalocker.Lock(str(run / f"{name}.lock"), timeout=300):
        if not (run / f"{name}.done").exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed half-way left
            folder.mkdir()
            make(folder)
            (run / f"{name}.done").touch()
    return folder


def _make_sqlite_templates(base: Path) -> None:
    from kbase.catalogue.demo import load_demo

    for with_demo in (False, True):
        lib = open_library(str(base / ("demo" if with_demo else "empty")), create=True)
        if with_demo:
            load_demo(Catalogue(lib))
        lib.close()


def _pg_tool(tool: str, *args: str) -> None:
    done = subprocess.run([str(Path(os.environ["KBASE_TEST_PG_BIN"]) / tool), *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{tool} {' '.join(args)}: {done.stderr.strip()}")


def _pg_template(run: Path, with_demo: bool) -> str:
    """A template database on this worker's PostgreSQL server (each worker has its own server). The first
    worker makes it (the demo load takes ~3 s) and dumps it in the run's folder; the others restore the dump
    (~0.3 s). Without pg_dump at hand (a server not started by scripts/with-postgres.sh), each worker makes it."""
    from kbase.catalogue.demo import load_demo

    name = new_pg_database()
    dump = run / f"pg-template-{'demo' if with_demo else 'empty'}.dump"
    shared = bool(os.environ.get("KBASE_TEST_PG_BIN"))
    with portalocker.Lock(str(run / "pg-templates.lock"), timeout=300):
        if shared and dump.exists():
            _pg_tool("pg_restore", "--exit-on-error", "--single-transaction", "-d", _libpq_url(name), str(dump))
            return name
        lib = open_library(pg_url_for(name), create=True)
        if with_demo:
            load_demo(Catalogue(lib))
        lib.close()
        if shared:
            _pg_tool("pg_dump", "-Fc", "-Z0", "-f", str(dump), _libpq_url(name))
    return name


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Ready-made empty and demo libraries, copied for each test (schema and demo load once a run)."""
    out: dict[str, str] = {}
    run = _run_folder(tmp_path_factory)
    base = made_once(tmp_path_factory, "sqlite-templates", _make_sqlite_templates)  # read by every worker
    for with_demo in (False, True):
        out[f"sqlite-{with_demo}"] = str(base / ("demo" if with_demo else "empty"))
        if PG_URL:
            out[f"postgresql-{with_demo}"] = _pg_template(run, with_demo)
    return out


def make_location(backend: str, templates: dict[str, str], tmp_path: Path, demo: bool) -> str:
    key = f"{backend}-{demo}"
    if backend == "sqlite":
        folder = tmp_path / "library"
        shutil.copytree(templates[key], folder)
        return str(folder)
    return pg_url_for(new_pg_database(template=templates[key]))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def location(backend: str, templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    return make_location(backend, templates, tmp_path, demo=False)


@pytest.fixture
def demo_location(backend: str, templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    return make_location(backend, templates, tmp_path, demo=True)


@pytest.fixture
def cat(location: str) -> Iterator[Catalogue]:
    c = Catalogue(open_library(location))
    yield c
    c.library.close()


@pytest.fixture
def demo(demo_location: str) -> Iterator[Catalogue]:
    c = Catalogue(open_library(demo_location))
    yield c
    c.library.close()


@pytest.fixture
def sqlite_demo(templates: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Catalogue]:
    """The demo library on SQLite only, for tests about files, Qt or output formats."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    c = Catalogue(open_library(make_location("sqlite", templates, tmp_path, demo=True)))
    yield c
    c.library.close()
