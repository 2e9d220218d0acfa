"""The trash: deleting keeps the record with everything that went with it; restore puts it all back."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update

from kbase.catalogue import collections as coll
from kbase.catalogue import notes, query, relations, trash
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from kbase.search import indexing
from kbase.search.api import search
from tests.cli_runner import run_cli


def _publication(cat: Catalogue) -> tuple[int, int]:
    pub = cat.add(m.Publication, title="Checkpoint economy", type="report", year=2021)
    other = cat.add(m.Publication, title="Roadblocks", type="report", year=2020)
    person = cat.add(m.Person, name="Peer Schouten")
    project = cat.add(m.Project, title="Roadblock mapping")
    cat.set_contributors(pub.id, [("author", "person", person.id)])
    cat.link(m.PublicationProject, publication_id=pub.id, project_id=project.id)
    relations.relate(cat, other.id, "see also", pub.id)
    notes.add_note(cat, "publication", pub.id, "kept with **care**")
    coll.put(cat, coll.ensure_collection_path(cat, ["Roads"]), "publication", [pub.id])
    return pub.id, other.id


def test_trashed_records_vanish_and_come_back_with_their_links(cat: Catalogue) -> None:
    pid, other = _publication(cat)
    indexing.sync(cat)
    assert [h.publication_id for h in search(cat, "checkpoint").hits] == [pid]
    entry = trash.move_to_trash(cat, "publication", pid)
    assert (entry["kind"], entry["id"], entry["label"]) == ("publication", pid, "Checkpoint economy")
    assert pid not in query.find_ids(cat, "publication")
    indexing.sync(cat)
    assert search(cat, "checkpoint").hits == []
    assert [(e["kind"], e["id"]) for e in trash.trash_entries(cat)] == [("publication", pid)]

    assert trash.restore_from_trash(cat, "publication", pid) == pid
    assert trash.trash_entries(cat) == []
    pub = cat.get(m.Publication, pid)
    assert pub.title == "Checkpoint economy"
    with cat.reading() as s:
        from kbase.catalogue.views import contributors
        assert [c["label"] for c in contributors(s, pid)] == ["Peer Schouten"]
    assert query.find_ids(cat, "publication", query.Filter(project="Roadblock mapping")) == [pid]
    assert [r["id"] for r in relations.related(cat, other)] == [pid]
    assert [n["text"] for n in notes.notes(cat, "publication", pid)] == ["kept with **care**"]
    assert query.find_ids(cat, "publication", query.Filter(collection="Roads")) == [pid]
    indexing.sync(cat)
    assert [h.publication_id for h in search(cat, "checkpoint").hits] == [pid]


def test_a_record_in_use_is_not_trashed(cat: Catalogue) -> None:
    org = cat.add(m.Organisation, name="IPIS")
    cat.add(m.Publication, title="Published", type="report", year=2021, publisher_id=org.id)
    with pytest.raises(InvalidInput, match="still used by publication"):
        trash.move_to_trash(cat, "organisation", org.id)
    assert trash.trash_entries(cat) == []
    with pytest.raises(NotFound, match="no person with ID 42"):
        trash.move_to_trash(cat, "person", 42)
    with pytest.raises(NotFound, match="no person 42 in the trash"):
        trash.restore_from_trash(cat, "person", 42)


def test_restore_when_a_new_record_took_the_id(cat: Catalogue) -> None:
    pid, other = _publication(cat)
    trash.move_to_trash(cat, "publication", pid)
    newcomer = cat.add(m.Publication, title="Newcomer", type="report", year=2022)
    if newcomer.id != pid:  # SQLite gives the highest ID again, PostgreSQL never: make the clash happen
        with cat.transaction() as s:
            s.execute(update(m.Publication.__table__).where(m.Publication.id == newcomer.id).values(id=pid))
    new_id = trash.restore_from_trash(cat, "publication", pid)
    assert new_id != pid
    assert cat.get(m.Publication, pid).title == "Newcomer"
    assert cat.get(m.Publication, new_id).title == "Checkpoint economy"
    assert [n["text"] for n in notes.notes(cat, "publication", new_id)] == ["kept with **care**"]
    assert [r["id"] for r in relations.related(cat, other)] == [new_id]
    assert query.find_ids(cat, "publication", query.Filter(collection="Roads")) == [new_id]


def test_empty_and_the_period(cat: Catalogue) -> None:
    a = cat.add(m.Person, name="Old One").id
    b = cat.add(m.Person, name="New One").id
    trash.move_to_trash(cat, "person", a)
    trash.move_to_trash(cat, "person", b)
    with cat.transaction() as s:  # a went to the trash 40 days ago
        s.execute(update(m.TrashEntry.__table__).where(m.TrashEntry.record_id == a)
                  .values(deleted=m.utcnow() - timedelta(days=40)))
    assert trash.trash_days(cat) == 30
    assert trash.empty_expired(cat) == 1
    assert [e["id"] for e in trash.trash_entries(cat)] == [b]
    trash.set_trash_days(cat, 0)  # 0: kept until emptied by hand
    assert trash.empty_expired(cat) == 0
    assert trash.empty_trash(cat, older_than_days=1) == 0
    assert trash.empty_trash(cat) == 1
    assert trash.trash_entries(cat) == []
    with pytest.raises(NotFound):
        trash.restore_from_trash(cat, "person", b)
    with pytest.raises(InvalidInput):
        trash.set_trash_days(cat, -1)


def test_trash_commands(location: str) -> None:
    def kb(*args: str, ok: bool = True) -> str:
        proc = run_cli([*args, "--library", location])
        assert (proc.returncode == 0) == ok, proc.stderr
        return proc.stdout if ok else proc.stderr

    kb("add", "publication", "title=Checkpoint economy", "type=report", "year=2021")
    kb("add", "publication", "title=Roadblocks", "type=report", "year=2020")
    kb("note", "add", "publication", "1", "keep this")
    assert "moved publication 1 to the trash" in kb("delete", "publication", "1")
    assert [p["id"] for p in json.loads(kb("list", "publication", "--json"))] == [2]
    assert json.loads(kb("search", "checkpoint", "--json"))["hits"] == []
    entries = json.loads(kb("trash", "list", "--json"))
    assert [(e["kind"], e["id"], e["label"]) for e in entries] == [("publication", 1, "Checkpoint economy")]
    assert "Checkpoint economy" in kb("trash", "list")
    assert kb("trash", "restore", "publication", "1").strip() == "restored publication 1"
    assert [h["publication_id"] for h in json.loads(kb("search", "checkpoint", "--json"))["hits"]] == [1]
    assert [n["text"] for n in json.loads(kb("note", "list", "publication", "1", "--json"))] == ["keep this"]
    assert "no publication 1 in the trash" in kb("trash", "restore", "publication", "1", ok=False)

    assert "for good" in kb("delete", "publication", "2", "--permanently")
    assert json.loads(kb("trash", "list", "--json")) == []
    kb("delete", "publication", "1")
    assert "emptied the trash: 0 records deleted for good" in kb("trash", "empty", "--older-than", "1")
    assert "emptied the trash: 1 record deleted for good" in kb("trash", "empty")
    assert json.loads(kb("list", "publication", "--json")) == []
    assert kb("trash", "days").strip() == "the trash keeps records 30 days"
    assert kb("trash", "days", "7").strip() == "the trash keeps records 7 days"
    assert "0 days or more" in kb("trash", "days", "-3", ok=False)


def test_a_library_opening_empties_what_has_expired(location: str) -> None:
    from kbase.library.db import open_library

    cat = Catalogue(open_library(location))
    old = cat.add(m.Person, name="Old One").id
    trash.move_to_trash(cat, "person", old)
    with cat.transaction() as s:
        s.execute(update(m.TrashEntry.__table__).values(deleted=m.utcnow() - timedelta(days=31)))
    cat.library.close()
    proc = run_cli(["trash", "list", "--json", "--library", location])
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_0009_keeps_the_library_and_adds_notes_collections_and_the_trash(backend: str, tmp_path) -> None:
    from sqlalchemy import text

    from kbase.catalogue import collections as coll
    from kbase.library import schema
    from kbase.library.db import open_library
    from tests.conftest import PG_URL, new_pg_database, pg_url_for

    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0008")
    with lib.engine.begin() as conn:  # a library written at revision 0008, with plain SQL
        for title in ("Checkpoint economy", "Roadblocks"):
            conn.execute(text("INSERT INTO publication (title, title_norm, type, visibility, version, created, "
                              "updated) VALUES (:t, :t, 'report', 'public', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"),
                         {"t": title})
    lib.close()
    lib = open_library(location)  # opening upgrades
    assert schema.current_revision(lib) == schema.head_revision()
    cat = Catalogue(lib)
    assert [p.title for p in cat.all(m.Publication)] == ["Checkpoint economy", "Roadblocks"]
    notes.add_note(cat, "publication", 1, "after the upgrade")
    relations.relate(cat, 2, "summary of", 1)
    coll.put(cat, coll.ensure_collection_path(cat, ["Roads"]), "publication", [1, 2])
    trash.move_to_trash(cat, "publication", 1)
    assert [r["relation"] for r in relations.related(cat, 2)] == []
    trash.restore_from_trash(cat, "publication", 1)
    assert [r["relation"] for r in relations.related(cat, 2)] == ["summary of"]
    assert [n["text"] for n in notes.notes(cat, "publication", 1)] == ["after the upgrade"]
    assert coll.collections(cat)[0]["count"] == 2
    lib.close()


def test_a_reader_opening_a_team_library_leaves_the_expired_trash_to_a_librarian(tmp_path, monkeypatch) -> None:
    from kbase.library.db import open_library
    from kbase.team import roles
    from tests.conftest import PG_URL, new_pg_database, pg_url_for

    if not PG_URL:
        pytest.skip("no PostgreSQL test server")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    url = pg_url_for(new_pg_database())
    owner = Catalogue(open_library(url, create=True))
    person = owner.add(m.Person, name="Old One").id
    trash.move_to_trash(owner, "person", person)
    with owner.transaction() as s:
        s.execute(update(m.TrashEntry.__table__).values(deleted=m.utcnow() - timedelta(days=40)))
    roles.setup(owner.library)
    roles.add_user(owner.library, "reader_t", "reader", password="pw")
    reader_url = owner.library.engine.url.set(username="reader_t", password="pw").render_as_string(hide_password=False)
    proc = run_cli(["trash", "list", "--json", "--library", reader_url])
    assert proc.returncode == 0, proc.stderr  # the reader may not delete: the list is shown all the same
    assert [e["id"] for e in json.loads(proc.stdout)] == [person]
    assert trash.empty_expired(owner) == 1  # the owner's next start empties it
    owner.library.close()
