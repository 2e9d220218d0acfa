"""Schema migrations: a library made with the first schema opens after every later change, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from tests.conftest import PG_URL, new_pg_database, pg_url_for


def _first_release_library(backend: str, tmp_path) -> str:
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0001")
    with lib.engine.begin() as conn:  # data written by the first release, with plain SQL
        conn.execute(text("INSERT INTO organisation (name, version, created, updated) "
                          "VALUES ('World Food Programme', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO organisation_alias (organisation_id, alias, norm) VALUES (1, 'WFP', 'wfp')"))
        conn.execute(text("INSERT INTO publication "
                          "(title, title_norm, type, year, month, visibility, version, created, updated) "
                          "VALUES ('Checkpoint economy', 'checkpoint economy', 'report', 2021, 12, 'public', 1, "
                          "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO contributor (publication_id, position, role, organisation_id) "
                          "VALUES (1, 0, 'author', 1)"))
    assert schema.current_revision(lib) == "0001"
    lib.close()
    return location


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_the_first_schema_keeps_everything(backend: str, tmp_path) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    location = _first_release_library(backend, tmp_path)
    lib = open_library(location)  # opening upgrades
    assert schema.current_revision(lib) == schema.head_revision() != "0001"
    cat = Catalogue(lib)
    pub = cat.get(m.Publication, 1)
    assert (pub.title, pub.year, pub.month) == ("Checkpoint economy", 2021, 12)
    assert [o.id for o in cat.lookup(m.Organisation, "WFP")] == [1]
    with cat.transaction() as s:  # the table added by the second revision works
        s.add(m.SavedSearch(name="gold", query="gold AND Ituri"))
    with cat.reading() as s:
        assert s.get(m.SavedSearch, 1).query == "gold AND Ituri"
    new = cat.add(m.Publication, title="After upgrade", type="briefing", year=2022)
    assert new.id == 2
    lib.close()


def test_models_match_the_migrations(tmp_path) -> None:
    """A new column in models.py without a migration would break old libraries: catch it here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    lib = open_library(str(tmp_path / "fresh"), create=True)
    with lib.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), SQLModel.metadata)
    assert diff == []
    lib.close()


def test_revision_files_are_named_after_their_revision() -> None:
    """Start-up compares the stored revision with the newest file name instead of loading Alembic."""
    assert schema.newest_revision_file() == schema.head_revision()
