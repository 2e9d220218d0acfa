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
