"""Issue 19: a librarian edits records in psql, outside Kbase. The change log records each edit (who, which
fields, old and new values, a new version), other desktops' `kbase sync` pick it up, and a desktop that
still shows the old version is refused by the version check. Kbase's own edits are logged once."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from sqlalchemy import text

from kbase.catalogue import history
from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError
from kbase.integrity.check import check_library
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.api import search
from kbase.search.indexing import sync
from kbase.team import roles
from tests.cli_runner import run_cli
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")
needs_psql = pytest.mark.skipif(shutil.which("psql") is None, reason="no psql binary")


def _psql(url: str, sql: str) -> str:
    done = subprocess.run([shutil.which("psql") or "psql", url, "-X", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _found(cat: Catalogue, words: str) -> list[int]:
    return sorted(h.publication_id for h in search(cat, words).hits)


@pytest.fixture
def team(tmp_path, monkeypatch):
    """The owner's catalogue, a reader's desktop (own index) and the librarian's psql address."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "owner"))
    owner = Catalogue(open_library(pg_url_for(new_pg_database()), create=True))
    roles.setup(owner.library)
    roles.add_user(owner.library, "lars", "librarian", password="pw")
    roles.add_user(owner.library, "rita", "reader", password="pw")
    url = owner.library.engine.url.set(password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "rita"))
    rita = Catalogue(open_library(url.set(username="rita").render_as_string(hide_password=False)))
    psql = url.set(drivername="postgresql", username="lars").render_as_string(hide_password=False)
    yield owner, rita, psql
    rita.library.close()
    owner.library.close()


@needs_pg
@needs_psql
def test_an_update_in_psql_is_logged_synced_and_versioned(team) -> None:
    owner, rita, psql = team
    pub = owner.add(m.Publication, title="Gold exports from Ituri", type="report", year=2021)
    person = owner.add(m.Person, name="Lotte Hoex")
    owner.set_contributors(pub.id, [("author", "person", person.id)])
    shown = owner.get(m.Publication, pub.id)  # a desktop shows this version
    sync(rita)
    assert _found(rita, "ituri") == [pub.id]

    _psql(psql, f"UPDATE publication SET title = 'Cobalt exports from Katanga', year = 2022 WHERE id = {pub.id}")
    _psql(psql, f"UPDATE person SET name = 'Ken Matthysen' WHERE id = {person.id}")

    last = history.history(owner, "publication", pub.id)[-1]
    assert (last["db_user"], last["user"], last["op"]) == ("lars", "[psql]", "update")
    assert last["fields"] == {"title": ["Gold exports from Ituri", "Cobalt exports from Katanga"], "year": [2021, 2022]}
    assert last["version"] == shown.version + 1 == owner.get(m.Publication, pub.id).version
    out = run_cli(["history", "person", str(person.id), "--library", owner.library.location])
    assert "[psql] (lars): update → v2" in out.stdout and "name: Lotte Hoex → Ken Matthysen" in out.stdout

    notes: list[str] = []
    assert sync(rita, notes) >= 2 and notes == []
    assert _found(rita, "katanga") == [pub.id] and _found(rita, "ituri") == []
    assert _found(rita, "matthysen") == [pub.id]  # (the old name stays an alias, as in Kbase)
    assert check_library(rita).remaining == []
    with pytest.raises(ConflictError):  # the desktop that showed the old version does not overwrite psql's
        owner.update(m.Publication, pub.id, expected_version=shown.version, title="Gold exports, revised")
    with owner.reading() as s:
        assert history.verify(s).ok
    # the server's logging runs as the owner: a librarian may not call it to write what they like
    done = subprocess.run([shutil.which("psql") or "psql", psql, "-X", "-c",
                           f"SELECT kbase_change_outside('publication', true, 'UPDATE', {pub.id}, '{{}}', '{{}}')"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "permission denied for function kbase_change_outside" in done.stderr


@needs_pg
@needs_psql
def test_inserts_deletes_links_and_confidential_in_psql(team) -> None:
    owner, rita, psql = team
    pub = owner.add(m.Publication, title="Charcoal trade around Virunga", type="report", year=2020)
    subject = owner.add(m.Subject, name="Forestry")
    sync(rita)
    # one transaction: two rows of one record and a link; logged once for each record
    _psql(psql, f"BEGIN; UPDATE publication SET year = 2019 WHERE id = {pub.id}; "
                f"UPDATE publication SET abstract = 'Armed groups tax the charcoal trade.' WHERE id = {pub.id}; "
                f"INSERT INTO publication_subject (publication_id, subject_id) VALUES ({pub.id}, {subject.id}); "
                f"INSERT INTO publication (title, title_norm, type, year, visibility, editors_et_al, version, created, "
                "updated) VALUES ('Timber exports', 'timber exports', 'report', 2018, 'public', false, 1, now(), "
                "now()); COMMIT;")
    steps = history.history(owner, "publication", pub.id)
    assert [h["op"] for h in steps] == ["insert", "update"]
    assert steps[-1]["fields"] == {"year": [2020, 2019], "abstract": [None, "Armed groups tax the charcoal trade."]}
    timber = int(_psql(psql, "SELECT id FROM publication WHERE title = 'Timber exports'").splitlines()[1])
    made = history.history(owner, "publication", timber)
    assert [(h["op"], h["db_user"], h["version"]) for h in made] == [("insert", "lars", 1)]
    assert made[0]["fields"]["title"] == [None, "Timber exports"]
    sync(rita)
    assert _found(rita, "timber") == [timber] and _found(rita, "armed") == [pub.id]

    as_owner = owner.library.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    _psql(as_owner, f"UPDATE publication SET visibility = 'confidential' WHERE id = {pub.id}")
    _psql(psql, f"DELETE FROM publication WHERE id = {timber}")
    sync(rita)
    assert _found(rita, "charcoal") == [] and _found(rita, "timber") == []  # gone from the reader's index
    gone = history.history(owner, "publication", timber)[-1]
    assert gone["op"] == "delete" and gone["fields"]["title"] == ["Timber exports", None]
    rows = _psql(psql.replace("lars", "rita"), "SELECT kind, record_id, op FROM change")
    assert f"publication|{pub.id}|hide" in rows and f"publication|{pub.id}|update" not in rows
    assert check_library(rita).remaining == []


@needs_pg
def test_kbase_edits_are_logged_once(team) -> None:
    owner, _rita, _psql_url = team
    pub = owner.add(m.Publication, title="Tin and tantalum", type="report", year=2018)
    person = owner.add(m.Person, name="Hans Merket")
    owner.set_contributors(pub.id, [("author", "person", person.id)])
    owner.update(m.Publication, pub.id, expected_version=2, year=2019)
    with owner.reading() as s:
        rows = s.execute(text("SELECT kind, record_id, op, txn FROM change ORDER BY seq")).all()
    assert [(r.kind, r.op) for r in rows] == [("publication", "insert"), ("person", "insert"),
                                              ("publication", "update"), ("publication", "update")]
    assert all(r.txn for r in rows) and len({r.txn for r in rows}) == 4
    assert owner.get(m.Publication, pub.id).version == 3  # no version added by the trigger
