"""Revision 0006 (the report's model) carries a library made at the revision before it over, on SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from tests.conftest import PG_URL, new_pg_database, pg_url_for

REVISION = "0006"


def _previous_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(schema._config()).get_revision(REVISION).down_revision


def _library_before(backend: str, tmp_path) -> str:
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, _previous_revision())
    stamp = "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
    with lib.engine.begin() as conn:  # what the previous schema held, written with plain SQL
        conn.execute(text(f"INSERT INTO organisation (name, acronym, version, created, updated) VALUES "
                          f"('International Peace Information Service', 'IPIS', {stamp}), "
                          f"('World Food Programme', 'WFP', {stamp})"))
        conn.execute(text("INSERT INTO organisation_alias (organisation_id, alias, norm) VALUES (2, 'WFP', 'wfp')"))
        conn.execute(text(f"INSERT INTO person (name, role, title, version, created, updated) VALUES "
                          f"('Johan Swinnen', 'board', 'Chair', {stamp}), "
                          f"('Ken Matthysen', 'staff', 'Researcher', {stamp}), "
                          f"('Mathieu Roy', NULL, NULL, {stamp})"))
        conn.execute(text(f"INSERT INTO project (title, visibility, version, created, updated) VALUES "
                          f"('The political economy of roadblocks in South Sudan', 'public', {stamp})"))
        conn.execute(text("INSERT INTO assignment (project_id, year, note) VALUES (1, 2021, 'second phase')"))
        conn.execute(text("INSERT INTO assignment_client (assignment_id, organisation_id, position) VALUES (1, 2, 0)"))
        conn.execute(text(f"INSERT INTO event (title, date, organiser_id, project_id, visibility, version, created, "
                          f"updated) "
                          f"VALUES ('Checkpoint study presented', '2021-12-03', 2, 1, 'public', {stamp}), "
                          f"('Film screening', '2021-10-08', NULL, NULL, 'public', {stamp})"))
        conn.execute(text("INSERT INTO event_person (event_id, person_id, position) VALUES (1, 2, 0), (2, 3, 0)"))
    lib.close()
    return location


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_report_model_upgrade_keeps_organisers_roles_and_assignments(backend: str, tmp_path) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    location = _library_before(backend, tmp_path)
    lib = open_library(location)  # opening upgrades
    assert schema.current_revision(lib) == schema.head_revision()
    cat = Catalogue(lib)
    with cat.reading() as s:
        links = [(r.event_id, r.organisation_id, r.role) for r in s.scalars(select(m.EventOrganisation))]
        assert links == [(1, 2, "organiser")]
        # the event table was copied to lose its column: its speakers stayed
        assert sorted((r.event_id, r.person_id) for r in s.scalars(select(m.EventPerson))) == [(1, 2), (2, 3)]
        roles = sorted((r.person_id, r.role, r.title, r.start, r.end) for r in s.scalars(select(m.PersonRole)))
        assert roles == [(1, "board", "Chair", None, None), (2, "staff", "Researcher", None, None)]
        a = s.get(m.Assignment, 1)
        assert (a.year, a.note, a.title, a.reference) == (2021, "second phase", None, None)
        assert [(c.organisation_id, c.label) for c in s.scalars(select(m.AssignmentClient))] == [(2, None)]
        assert s.get(m.Organisation, 2).parent_id is None
    assert [o.id for o in cat.lookup(m.Organisation, "WFP")] == [2]
    event = cat.get(m.Event, 1)
    assert (event.title, event.project_id) == ("Checkpoint study presented", 1)
    # the new columns take values
    cat.update(m.Organisation, 2, parent_id=1, part_kind="programme")
    pub = cat.add(m.Publication, title="Better Mining Impact Report 2022", period_start="2021-04-01",
                  period_end="2022-03-31", editors_et_al=True)
    assert (cat.get(m.Publication, pub.id).period_end.month, cat.get(m.Publication, pub.id).editors_et_al) == (3, True)
    lib.close()
