"""Migration 0010 on a library made at 0009: its change log stays readable, new changes are chained."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kbase.catalogue import history
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from tests.conftest import PG_URL, new_pg_database, pg_url_for


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_0009_keeps_the_log_and_chains_new_changes(backend: str, tmp_path, monkeypatch) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0009")
    with lib.engine.begin() as conn:  # what the 0009 release wrote, with plain SQL (seq 2 rolled back there)
        conn.execute(text("INSERT INTO publication (title, title_norm, type, year, visibility, editors_et_al, "
                          "version, created, updated) VALUES ('Checkpoint economy', 'checkpoint economy', 'report', "
                          "2021, 'public', false, 2, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        for seq, op in ((1, "insert"), (3, "update")):
            conn.execute(text("INSERT INTO change (seq, kind, record_id, op, at) "
                              "VALUES (:s, 'publication', 1, :op, CURRENT_TIMESTAMP)"), {"s": seq, "op": op})
    lib.close()

    cat = Catalogue(open_library(location))
    try:
        assert schema.current_revision(cat.library) == schema.head_revision()
        old = history.history(cat, "publication", 1)
        assert [(h["seq"], h["op"], h["fields"], h["user"]) for h in old] == [(1, "insert", {}, None),
                                                                              (3, "update", {}, None)]
        cat.update(m.Publication, 1, expected_version=2, title="Checkpoint economy, revised")
        steps = history.history(cat, "publication", 1)
        assert steps[-1]["seq"] == 4 and steps[-1]["version"] == 3
        assert steps[-1]["fields"] == {"title": ["Checkpoint economy", "Checkpoint economy, revised"]}
        with cat.reading() as s:
            state = history.verify(s)
        assert state.ok and state.head == 4 and state.head_checksum
        assert history.values_at(cat, "publication", 1, 2) == {"title": "Checkpoint economy"}
    finally:
        cat.library.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_0010_logs_edits_made_outside_kbase(backend: str, tmp_path, monkeypatch) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0010")
    lib.close()
    cat = Catalogue(open_library(location, migrate=False))
    pub = cat.add(m.Publication, title="Mining cooperatives", type="report", year=2016)  # written at 0010
    cat.library.close()

    cat = Catalogue(open_library(location))
    try:
        assert schema.current_revision(cat.library) == schema.head_revision()
        cat.update(m.Publication, pub.id, expected_version=1, year=2017)
        with cat.library.engine.connect() as conn:  # an edit that writes no change row, from another client
            if backend == "postgresql":
                conn.execute(text("SET LOCAL application_name = 'psql'"))
            conn.execute(text("UPDATE publication SET title = 'Mining cooperatives in Kivu' WHERE id = :i"),
                         {"i": pub.id})
            conn.commit()
        steps = history.history(cat, "publication", pub.id)
        ops = [(h["op"], h["version"]) for h in steps]
        if backend == "postgresql":  # the server logs it, with a version of its own
            assert ops == [("insert", 1), ("update", 2), ("update", 3)]
            assert steps[-1]["fields"] == {"title": ["Mining cooperatives", "Mining cooperatives in Kivu"]}
            assert (steps[-1]["db_user"], steps[-1]["user"]) == (cat.library.engine.url.username, "[psql]")
        else:  # a SQLite library is one desktop's file: nothing else writes to it
            assert ops == [("insert", 1), ("update", 2)]
        with cat.reading() as s:
            assert history.verify(s).ok
            txns = [r[0] for r in s.execute(text("SELECT txn FROM change ORDER BY seq"))]
        assert txns[0] is None and (all(txns[1:]) if backend == "postgresql" else not any(txns))
    finally:
        cat.library.close()
