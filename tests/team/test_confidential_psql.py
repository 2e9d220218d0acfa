"""Issue 19: a reader, through the real psql and the login `kbase admin user` makes, finds no trace of a
confidential record: no count, ID, name or title, in the records, their links, the change log, the trash."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import text

from kbase.catalogue import trash
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.team import roles
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")
SECRETS = ("Informant network in Walikale", "Amani Kasereka", "Bukavu Whistle Collective", "Sold to the smelter")
TABLES = ("publication", "person", "person_alias", "organisation", "organisation_alias", "contributor",
          "publication_organisation", "note", "change", "trash", "attachment", "collection_item")


def _psql(url: str, sql: str) -> str:
    done = subprocess.run([shutil.which("psql") or "psql", url, "-X", "-A", "-c", sql],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_pg
@pytest.mark.skipif(shutil.which("psql") is None, reason="no psql binary")
def test_a_reader_finds_no_trace_of_a_confidential_record(tmp_path, monkeypatch) -> None:
    from kbase.catalogue import collections as coll
    from kbase.catalogue import notes

    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    cat = Catalogue(open_library(pg_url_for(new_pg_database()), create=True))
    try:
        public = cat.add(m.Publication, title="Gold exports from South Kivu", type="report", year=2021)
        shared = cat.add(m.Person, name="Lotte Hoex")  # in both: stays visible
        secret = cat.add(m.Publication, title=SECRETS[0], type="report", year=2021, visibility="confidential")
        informant = cat.add(m.Person, name=SECRETS[1])
        group = cat.add(m.Organisation, name=SECRETS[2])
        cat.set_contributors(public.id, [("author", "person", shared.id)])
        cat.set_contributors(secret.id, [("author", "person", shared.id), ("author", "person", informant.id),
                                         ("author", "organisation", group.id)])
        cat.update(m.Publication, secret.id, abstract=SECRETS[3])
        notes.add_note(cat, "publication", secret.id, f"Call {SECRETS[1]} first.")
        coll.put(cat, coll.ensure_collection_path(cat, ["Walikale"]), "publication", [secret.id, public.id])
        gone = cat.add(m.Publication, title=SECRETS[3] + " (draft)", type="report", year=2020,
                       visibility="confidential")
        trash.move_to_trash(cat, "publication", gone.id)

        roles.setup(cat.library)
        roles.add_user(cat.library, "rita", "reader", password="pw")
        roles.add_user(cat.library, "carl", "reader", password="pw", confidential=True)
        url = cat.library.engine.url.set(drivername="postgresql", password="pw")
        as_rita = url.set(username="rita").render_as_string(hide_password=False)
        as_carl = url.set(username="carl").render_as_string(hide_password=False)
        secret_ids = {("publication", secret.id), ("publication", gone.id), ("person", informant.id),
                      ("organisation", group.id)}

        seen = "\n".join(_psql(as_rita, f"SELECT * FROM {t}") for t in TABLES)
        for word in SECRETS:
            assert word not in seen
        assert "Gold exports from South Kivu" in seen and "Lotte Hoex" in seen
        counts = _psql(as_rita, "SELECT (SELECT count(*) FROM publication), (SELECT count(*) FROM person), "
                                "(SELECT count(*) FROM organisation), (SELECT count(*) FROM trash)")
        assert counts.splitlines()[1] == "1|1|0|0"
        changes = _psql(as_rita, "SELECT kind, record_id FROM change")
        rows = {tuple(line.split("|")) for line in changes.splitlines()[1:-1]}
        assert {(k, int(i)) for k, i in rows} & secret_ids == set()
        assert ("publication", str(public.id)) in rows
        # someone allowed to see them does, through the same tables
        allowed = "\n".join(_psql(as_carl, f"SELECT * FROM {t}") for t in TABLES)
        assert all(word in allowed for word in SECRETS)
        assert re.search(rf"^publication\|{secret.id}$", _psql(as_carl, "SELECT kind, record_id FROM change"), re.M)
    finally:
        cat.library.close()


@needs_pg
def test_a_record_made_confidential_leaves_the_readers_index(tmp_path, monkeypatch) -> None:
    from kbase.search.api import search
    from kbase.search.indexing import sync

    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "owner"))
    cat = Catalogue(open_library(pg_url_for(new_pg_database()), create=True))
    pub = cat.add(m.Publication, title="Cassiterite routes through Bisie", type="report", year=2022)
    roles.setup(cat.library)
    roles.add_user(cat.library, "rita", "reader", password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "rita"))
    url = cat.library.engine.url.set(username="rita", password="pw").render_as_string(hide_password=False)
    rita = Catalogue(open_library(url))
    try:
        sync(rita)
        assert [h.publication_id for h in search(rita, "Bisie").hits] == [pub.id]
        cat.update(m.Publication, pub.id, visibility="confidential", title="Cassiterite routes: informants")
        sync(rita)
        assert search(rita, "Bisie").hits == [] and search(rita, "informants").hits == []
        with rita.reading() as s:  # all the reader learns: that record changed, nothing of what it became
            rows = s.execute(text("SELECT op, fields FROM change WHERE record_id = :i AND kind = 'publication'"),
                             {"i": pub.id}).all()
        assert [tuple(r) for r in rows] == [("hide", None)]
    finally:
        rita.library.close()
        cat.library.close()
