"""The team commands from the command line: admin, migrate, backup, restore, sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbase.catalogue.records import Catalogue
from kbase.cli import main
from kbase.library.db import open_library
from kbase.team import dump
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_backup_restore_migrate_and_sync(sqlite_demo: Catalogue, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    lib = sqlite_demo.library.location
    original = dump.summarize(sqlite_demo.library)
    archive = tmp_path / "backup.zip"
    code, out, err = run(capsys, "backup", lib, str(archive))
    assert code == 0 and "verified" in out and archive.exists(), err
    code, out, err = run(capsys, "restore", str(archive), str(tmp_path / "restored"), "--json")
    assert code == 0, err
    assert json.loads(out)["ok"] and json.loads(out)["tables"]["publication"]["rows"] == original["publication"]["rows"]
    code, out, err = run(capsys, "--library", str(tmp_path / "restored"), "sync")
    assert code == 0 and "index up to date" in out, err
    code, out, err = run(capsys, "--library", str(tmp_path / "restored"), "sync")
    assert out.strip() == "index up to date (0 changes applied)"
    code, out, err = run(capsys, "migrate", lib, str(tmp_path / "copy"))
    assert code == 0 and "verified: row counts, table digests and file checksums match" in out, err
    copy = open_library(str(tmp_path / "copy"))
    assert dump.summarize(copy) == original
    copy.close()
    # mistakes get one line, never a traceback
    code, out, err = run(capsys, "migrate", lib, str(tmp_path / "copy"))
    assert code == 1 and err.startswith("kbase: error: the target library is not empty")
    code, out, err = run(capsys, "restore", str(tmp_path / "nothing.zip"), str(tmp_path / "x"))
    assert code == 1 and "cannot read backup" in err
    code, out, err = run(capsys, "--library", lib, "admin", "setup")
    assert code == 1 and "only in PostgreSQL libraries" in err


@needs_pg
def test_admin_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    url = pg_url_for(new_pg_database())
    Catalogue(open_library(url, create=True)).library.close()
    code, out, err = run(capsys, "--library", url, "admin", "setup")
    assert code == 0 and "row-level security" in out, err
    code, out, err = run(capsys, "--library", url, "admin", "user", "ana", "--role", "librarian", "--confidential")
    assert code == 0 and "password: " in out, err
    code, out, err = run(capsys, "--library", url, "admin", "user", "bob", "--role", "reader", "--password", "s3cret")
    assert code == 0 and "password" not in out
    code, out, err = run(capsys, "--library", url, "admin", "users", "--json")
    users = {u["user"]: u for u in json.loads(out)}
    assert users["ana"] == {"user": "ana", "role": "librarian", "confidential": True}
    assert users["bob"]["role"] == "reader"
    code, out, err = run(capsys, "--library", url, "admin", "user", "bob", "--role", "boss")
    assert code == 2 and "invalid choice" in err
    code, out, err = run(capsys, "--library", url, "admin", "drop-user", "bob")
    assert code == 0
    code, out, err = run(capsys, "--library", url, "admin", "drop-user", "bob")
    assert code == 1 and "no user named 'bob'" in err
