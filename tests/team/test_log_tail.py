"""Issue 19: the library's owner (who may alter the change log) deletes its newest rows. A desktop whose
index holds those changes notices it, whether or not other desktops have written changes since (which
then take the deleted rows' numbers), rebuilds its index and says so."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from kbase.catalogue import history
from kbase.catalogue.records import Catalogue
from kbase.integrity.check import check_library
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.api import search
from kbase.search.indexing import Indexer, read_state, sync
from kbase.team import roles
from tests.cli_runner import run_cli
from tests.conftest import PG_URL, pg_admin, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


def _owned_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """A database owned by a plain login (no superuser), as a team library's owner would be."""
    owner = f"olga_{uuid.uuid4().hex[:8]}"
    name = f"kbase_tail_{owner}"
    with pg_admin() as conn:
        conn.execute(f'CREATE ROLE "{owner}" LOGIN CREATEROLE PASSWORD \'pw\'')
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{owner}"')
    url = pg_url_for(name).replace("postgres@", f"{owner}:pw@", 1)
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "owner"))
    lib = open_library(url, create=True)
    roles.setup(lib)
    roles.add_user(lib, "lena", "librarian", password="pw")
    lib.close()
    return url, url.replace(f"{owner}:pw@", "lena:pw@", 1)


def _desktop(url: str, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Catalogue:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(folder))
    return Catalogue(open_library(url))


def _as_owner(url: str, sql: str) -> None:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def _found(cat: Catalogue, words: str) -> list[int]:
    return [h.publication_id for h in search(cat, words).hits]


@needs_pg
@pytest.mark.parametrize("written_since", [False, True], ids=["log-ends-early", "numbers-reused"])
def test_the_newest_changes_deleted_by_the_owner_are_noticed(tmp_path, monkeypatch, written_since: bool) -> None:
    owner_url, lena_url = _owned_library(tmp_path, monkeypatch)
    owner = _desktop(owner_url, tmp_path / "owner", monkeypatch)
    lena = _desktop(lena_url, tmp_path / "lena", monkeypatch)
    try:
        pub = owner.add(m.Publication, title="Gold exports from Ituri", type="report", year=2021)
        sync(lena)
        verified = history.read_chain(lena.library)["seq"]
        owner.update(m.Publication, pub.id, title="Gold and cobalt exports from Ituri")
        other = owner.add(m.Publication, title="Charcoal trade around Virunga", type="report", year=2020)
        with Indexer(lena):  # the app's catch-up before a search: the index now holds them
            pass
        applied = int(read_state(lena.library)["last_seq"])
        assert applied > verified and _found(lena, "cobalt") == [pub.id] and _found(lena, "charcoal") == [other.id]

        # the owner deletes the newest rows of the log in psql; the records stay as they are
        _as_owner(owner_url, f"DELETE FROM change WHERE seq > {verified}")
        if written_since:  # another desktop writes: its changes take the deleted rows' numbers
            owner.update(m.Publication, pub.id, title="Tin exports from Ituri")
            owner.update(m.Publication, other.id, year=2019)
            owner.update(m.Publication, other.id, title="Charcoal and timber around Virunga")
            with owner.reading() as s:
                assert history.head(s)[0] >= applied  # without the checksum, nothing looks amiss
        assert any("change log" in p.record for p in check_library(lena).remaining)

        monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "lena"))
        out = run_cli(["sync", "--library", lena_url])
        assert out.returncode == 0, out.stderr
        said = out.stdout.splitlines()[0]
        assert said.startswith("the change log was altered at change ") and said.endswith(
            "; the search index was rebuilt from the catalogue"), out.stdout
        assert ("the change this desktop read last " + ("was rewritten" if written_since else "is gone")) in said
        if written_since:
            assert _found(lena, "tin") == [pub.id] and _found(lena, "cobalt") == []
            assert _found(lena, "timber") == [other.id]
        else:
            assert _found(lena, "cobalt") == [pub.id]
        assert check_library(lena).remaining == []
        again = run_cli(["sync", "--library", lena_url])
        assert again.stdout.startswith("index up to date"), again.stdout  # said once
    finally:
        lena.library.close()
        owner.library.close()



def test_an_alteration_seen_while_an_import_writes_the_index(cat: Catalogue) -> None:
    """The check runs when the writer leaves (an import's Indexer): its pending documents give way
    to the rebuild, which reads them from the catalogue."""
    pub = cat.add(m.Publication, title="Cassiterite from Bisie", type="report", year=2016)
    later = cat.add(m.Publication, title="Coltan from Rubaya", type="report", year=2017)
    sync(cat)
    with cat.library.engine.begin() as conn:  # the owner erases the newest row, which this desktop read
        conn.execute(text("DELETE FROM change WHERE seq = (SELECT max(seq) FROM change)"))
    with Indexer(cat) as ix:
        ix.refresh_publication(later.id)  # written, not committed yet
        ix.refresh_publication(pub.id)
    assert ix.notes and "the search index was rebuilt from the catalogue" in ix.notes[0]
    assert _found(cat, "coltan") == [later.id] and _found(cat, "cassiterite") == [pub.id]
    assert check_library(cat).remaining == []
