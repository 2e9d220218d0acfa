"""Issue 19: the change log records who changed which fields, is chained by checksums, and a
desktop notices a deleted or rewritten change; `kbase history` shows and restores versions."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy import text

from kbase.catalogue import history, trash
from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError, InvalidInput
from kbase.integrity.check import check_library
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.api import search
from kbase.search.indexing import sync
from kbase.team import roles
from tests.cli_runner import run_cli
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


def _owner_sql(cat: Catalogue, sql: str) -> None:
    with cat.library.engine.begin() as conn:
        conn.execute(text(sql))


def test_history_has_who_fields_and_restores_a_version(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Gold in Ituri", type="report", year=2021)
    cat.update(m.Publication, pub.id, expected_version=1, title="Gold in South Kivu", year=2022)
    cat.update(m.Publication, pub.id, expected_version=2, abstract="Traders and armed groups.")
    steps = history.history(cat, "publication", pub.id)
    assert [(h["op"], h["version"]) for h in steps] == [("insert", 1), ("update", 2), ("update", 3)]
    assert steps[1]["fields"] == {"title": ["Gold in Ituri", "Gold in South Kivu"], "year": [2021, 2022]}
    assert steps[2]["fields"] == {"abstract": [None, "Traders and armed groups."]}
    assert all(h["user"] == history.desktop_user() for h in steps)
    if cat.library.is_shared:  # the trigger names the database user
        assert steps[0]["db_user"] == cat.library.engine.url.username

    assert history.values_at(cat, "publication", pub.id, 1) == {
        "title": "Gold in Ituri", "year": 2021, "abstract": None}
    with pytest.raises(ConflictError):  # someone saved after the version this desktop showed
        history.restore_version(cat, "publication", pub.id, 1, expected_version=2)
    restored = history.restore_version(cat, "publication", pub.id, 1)
    assert (restored.title, restored.year, restored.abstract, restored.version) == ("Gold in Ituri", 2021, None, 4)
    assert history.history(cat, "publication", pub.id)[-1]["fields"]["title"] == ["Gold in South Kivu", "Gold in Ituri"]
    with pytest.raises(InvalidInput, match="no recorded version 9"):
        history.values_at(cat, "publication", pub.id, 9)


def test_trash_and_restore_are_in_the_history(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Cobalt supply chains", type="briefing", year=2020)
    trash.move_to_trash(cat, "publication", pub.id)
    trash.restore_from_trash(cat, "publication", pub.id)
    ops = [h["op"] for h in history.history(cat, "publication", pub.id)]
    assert ops == ["insert", "delete", "restore"]
    gone = history.history(cat, "publication", pub.id)[1]["fields"]
    assert gone["title"] == ["Cobalt supply chains", None]


def test_history_cli_text_json_and_restore(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Charcoal trade", type="report", year=2019)
    cat.update(m.Publication, pub.id, title="Charcoal trade in Goma")
    lib = ["--library", cat.library.location]
    out = run_cli(["history", "pub", str(pub.id), *lib])
    assert out.returncode == 0, out.stderr
    assert "title: Charcoal trade → Charcoal trade in Goma" in out.stdout
    rows = json.loads(run_cli(["history", "publication", str(pub.id), "--json", *lib]).stdout)
    assert rows[1]["fields"]["title"] == ["Charcoal trade", "Charcoal trade in Goma"] and rows[1]["version"] == 2
    out = run_cli(["history", "publication", str(pub.id), "--restore", "1", *lib])
    assert out.returncode == 0 and "now version 3" in out.stdout
    assert cat.get(m.Publication, pub.id).title == "Charcoal trade"
    out = run_cli(["history", "publication", "999", *lib])
    assert out.returncode != 0 and "no publication with ID 999" in out.stderr


def test_a_deleted_change_is_noticed_and_the_index_rebuilt(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Tin and tantalum", type="report", year=2018)
    assert sync(cat) >= 0
    assert history.check_chain(cat).ok and check_library(cat).remaining == []
    # changes written behind this desktop's back (another desktop), one of them then erased
    with cat.transaction() as s:
        s.execute(text("UPDATE publication SET title = 'Tin, tantalum and tungsten' WHERE id = :i"), {"i": pub.id})
        cat.log_change(s, "publication", pub.id, "update")
    cat.update(m.Publication, pub.id, year=2019)
    seq = history.history(cat, "publication", pub.id)[-2]["seq"]
    _owner_sql(cat, f"DELETE FROM change WHERE seq = {seq}")

    problems = check_library(cat).remaining
    assert any("change log was altered at change" in p.message and "missing" in p.message for p in problems)
    notes: list[str] = []
    sync(cat, notes)
    assert notes and "rebuilt" in notes[0]
    assert [h.publication_id for h in search(cat, "tungsten").hits] == [pub.id]
    assert check_library(cat).remaining == []  # seen and repaired
    notes.clear()
    sync(cat, notes)
    assert notes == []


def test_a_rewritten_change_is_noticed(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Artisanal mining", type="report", year=2017)
    cat.update(m.Publication, pub.id, year=2018)
    sync(cat)
    seq = history.history(cat, "publication", pub.id)[0]["seq"]
    _owner_sql(cat, f"UPDATE change SET fields = '{{}}' WHERE seq = {seq}")
    problems = check_library(cat).remaining
    assert [p.message for p in problems if "change log" in p.record] == [
        f"the change log was altered at change {seq}: a change was rewritten; the search index must be rebuilt "
        "(`kbase check --repair` or `kbase sync`)"]
    report = check_library(cat, repair=True)
    assert report.remaining == [] and any(p.repaired for p in report.problems)


@needs_pg
def test_only_the_owner_may_alter_the_log(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    owner = Catalogue(open_library(pg_url_for(new_pg_database()), create=True))
    pub = owner.add(m.Publication, title="Open mining report", year=2021)
    roles.setup(owner.library)
    roles.add_user(owner.library, "lars", "librarian", password="pw")
    url = owner.library.engine.url.set(username="lars", password="pw")
    lars = Catalogue(open_library(url.render_as_string(hide_password=False)))
    try:
        lars.update(m.Publication, pub.id, title="Open mining report, 2nd edition")
        last = history.history(lars, "publication", pub.id)[-1]
        assert last["db_user"] == "lars" and last["fields"]["title"][1] == "Open mining report, 2nd edition"
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(plain, autocommit=True) as conn:
            for sql in ("DELETE FROM change", "UPDATE change SET fields = NULL", "TRUNCATE change"):
                with pytest.raises(psycopg.Error):
                    conn.execute(sql)
            # an insert through psql is numbered and chained by the server, whatever it claims
            conn.execute("INSERT INTO change (seq, kind, record_id, op, at, secret, checksum, db_user) "
                         "VALUES (1, 'publication', 1, 'update', '2000-01-01', false, 'forged', 'rita')")
        with owner.reading() as s:
            state = history.verify(s)
            row = s.execute(text("SELECT seq, db_user, checksum, at FROM change ORDER BY seq DESC LIMIT 1")).one()
        assert state.ok and row.seq == state.head > 1
        assert row.db_user == "lars" and row.checksum != "forged" and row.at.year > 2000
    finally:
        lars.library.close()
        owner.library.close()
