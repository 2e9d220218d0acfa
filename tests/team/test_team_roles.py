"""Roles, grants and row-level security of team libraries, checked through plain psycopg logins."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.team import roles
from tests.conftest import PG_URL, new_pg_database, pg_url_for

needs_pg = pytest.mark.skipif(not PG_URL, reason="no PostgreSQL test server (run the tests with `make test`)")


@pytest.fixture
def owner(tmp_path, monkeypatch) -> Iterator[Catalogue]:
    """A fresh PostgreSQL library opened by its owner, with one public and one confidential record."""
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "local"))
    cat = Catalogue(open_library(pg_url_for(new_pg_database()), create=True))
    with cat.transaction() as s:
        pub = cat.add(m.Publication, title="Open mining report", year=2021)
        sec = cat.add(m.Publication, title="Secret informant list", year=2021, visibility="confidential")
        proj = cat.add(m.Project, title="Hidden project", visibility="confidential")
        cat.link(m.PublicationProject, publication_id=pub.id, project_id=proj.id)
        for p, sha, words in ((pub, "a" * 64, "cobalt mines"), (sec, "b" * 64, "informant names")):
            s.add(m.StoredFile(sha256=sha, size=3, content=b"pdf"))
            s.flush()
            att = cat.add(m.Attachment, publication_id=p.id, sha256=sha, filename=f"{p.id}.pdf", status="ok",
                          page_count=1)
            s.add(m.PageText(attachment_id=att.id, page=1, text=words))
    roles.setup(cat.library)
    yield cat
    cat.library.close()


def login(cat: Catalogue, user: str) -> psycopg.Connection:
    url = cat.library.engine.url.set(username=user, password="pw", drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@needs_pg
def test_setup_runs_again_and_lists_users(owner: Catalogue) -> None:
    roles.setup(owner.library)
    roles.add_user(owner.library, "rita", "reader", password="pw")
    roles.add_user(owner.library, "lars", "librarian", password="pw", confidential=True)
    roles.add_user(owner.library, "rita", "reader", password="pw")  # changing a user is fine too
    users = {u["user"]: u for u in roles.list_users(owner.library)}
    assert users["rita"] == {"user": "rita", "role": "reader", "confidential": False}
    assert users["lars"]["role"] == "librarian" and users["lars"]["confidential"]
    with pytest.raises(InvalidInput, match="role must be one of"):
        roles.add_user(owner.library, "x", "boss")
    with pytest.raises(InvalidInput, match="not a usable user name"):
        roles.add_user(owner.library, "Robert'); DROP TABLE publication;--", "reader")
    roles.drop_user(owner.library, "lars")
    assert "lars" not in {u["user"] for u in roles.list_users(owner.library)}


@needs_pg
def test_reader_cannot_write_or_see_confidential_rows(owner: Catalogue) -> None:
    roles.add_user(owner.library, "reader1", "reader", password="pw")
    with login(owner, "reader1") as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM publication ORDER BY id")]
        assert titles == ["Open mining report"]
        assert conn.execute("SELECT count(*) FROM project").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM publication_project").fetchone()[0] == 0
        assert [r[0] for r in conn.execute("SELECT text FROM page_text")] == ["cobalt mines"]
        assert [r[0] for r in conn.execute("SELECT filename FROM attachment")] == ["1.pdf"]
        assert [r[0] for r in conn.execute("SELECT sha256 FROM stored_file")] == ["a" * 64]
        assert conn.execute("SELECT count(*) FROM publication WHERE visibility = 'confidential'").fetchone()[0] == 0
        for sql in (
            "INSERT INTO publication (title, title_norm, type, visibility, version, created, updated) "
            "VALUES ('x', 'x', 'report', 'public', 1, now(), now())",
            "UPDATE publication SET title = 'changed'",
            "DELETE FROM page_text",
            "INSERT INTO stored_file (sha256, size) VALUES ('c', 1)",
            "UPDATE alembic_version SET version_num = 'x'",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    assert owner.count(m.Publication) == 2 and owner.get(m.Publication, 1).title == "Open mining report"


@needs_pg
def test_librarian_writes_and_confidential_capability(owner: Catalogue) -> None:
    roles.add_user(owner.library, "lib1", "librarian", password="pw")
    roles.add_user(owner.library, "lib2", "librarian", password="pw", confidential=True)
    with login(owner, "lib1") as conn:
        conn.execute("UPDATE publication SET title = 'Open mining report, 2nd ed.' WHERE id = 1")
        # a row the librarian cannot see cannot be changed either
        assert conn.execute("UPDATE publication SET title = 'leak' WHERE id = 2").rowcount == 0
        conn.execute("INSERT INTO publication (title, title_norm, type, visibility, version, created, updated) "
                     "VALUES ('New', 'new', 'report', 'internal', 1, now(), now())")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO publication (title, title_norm, type, visibility, version, created, updated) "
                         "VALUES ('x', 'x', 'report', 'confidential', 1, now(), now())")
    with login(owner, "lib2") as conn:
        titles = [r[0] for r in conn.execute("SELECT title FROM publication ORDER BY id")]
        assert titles == ["Open mining report, 2nd ed.", "Secret informant list", "New"]
        assert conn.execute("SELECT count(*) FROM stored_file").fetchone()[0] == 2


@needs_pg
def test_tables_made_later_are_covered(owner: Catalogue) -> None:
    roles.add_user(owner.library, "reader2", "reader", password="pw")
    roles.add_user(owner.library, "lib3", "librarian", password="pw")
    with owner.library.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE later_notes (id serial PRIMARY KEY, note text)")
    with login(owner, "lib3") as conn:
        conn.execute("INSERT INTO later_notes (note) VALUES ('hello')")
    with login(owner, "reader2") as conn:
        assert conn.execute("SELECT note FROM later_notes").fetchone()[0] == "hello"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO later_notes (note) VALUES ('no')")


def test_sqlite_library_has_no_roles(tmp_path) -> None:
    lib = open_library(str(tmp_path / "lib"), create=True)
    with pytest.raises(InvalidInput, match="only in PostgreSQL"):
        roles.setup(lib)
    lib.close()


@needs_pg
def test_reader_through_kbase_gets_a_clear_refusal(owner: Catalogue, tmp_path, monkeypatch) -> None:
    from kbase.team.reconnect import NotAllowed

    roles.add_user(owner.library, "reader3", "reader", password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "reader-desktop"))
    url = owner.library.engine.url.set(username="reader3", password="pw").render_as_string(hide_password=False)
    reader = Catalogue(open_library(url))
    assert [p.title for p in reader.all(m.Publication)] == ["Open mining report"]
    with pytest.raises(NotAllowed, match="user reader3: permission denied for table publication"):
        reader.add(m.Publication, title="Sneaked in")
    with pytest.raises(NotAllowed):
        reader.update(m.Publication, 1, expected_version=1, title="Changed")
    reader.library.close()
    assert owner.count(m.Publication) == 2


@needs_pg
def test_a_readers_index_drops_what_becomes_confidential(owner: Catalogue, tmp_path, monkeypatch) -> None:
    from kbase.search.api import forget, search
    from kbase.search.indexing import sync

    roles.add_user(owner.library, "reader4", "reader", password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "reader-desktop"))
    url = owner.library.engine.url.set(username="reader4", password="pw").render_as_string(hide_password=False)
    reader = Catalogue(open_library(url))
    sync(reader)
    assert search(reader, "cobalt").total == 1 and search(reader, "informant").total == 0
    owner.update(m.Publication, 1, visibility="confidential")
    sync(reader)
    assert search(reader, "cobalt").total == 0  # the local index holds nothing the reader may not see
    forget(reader)
    reader.library.close()


@needs_pg
def test_only_the_owner_sets_up_roles(owner: Catalogue, tmp_path, monkeypatch) -> None:
    from kbase.errors import LibraryError

    roles.add_user(owner.library, "lib5", "librarian", password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "lib5"))
    url = owner.library.engine.url.set(username="lib5", password="pw").render_as_string(hide_password=False)
    lib = open_library(url)
    refused = r"cannot set up roles: (permission denied|must be owner|must have admin option).*as the library.s owner"
    with pytest.raises(LibraryError, match=refused):
        roles.setup(lib)
    with pytest.raises(LibraryError, match="cannot create user eve: permission denied to (create|alter) role"):
        roles.add_user(lib, "eve", "admin", password="pw")
    lib.close()


@needs_pg
def test_an_admin_login_manages_users(owner: Catalogue, tmp_path, monkeypatch) -> None:
    roles.add_user(owner.library, "ada", "admin", password="pw")
    monkeypatch.setenv("KBASE_LOCAL_DIR", str(tmp_path / "ada"))
    url = owner.library.engine.url.set(username="ada", password="pw").render_as_string(hide_password=False)
    lib = open_library(url)
    roles.add_user(lib, "rudi", "reader", password="pw")
    roles.add_user(lib, "lena", "librarian", password="pw", confidential=True)
    found = {u["user"]: u["role"] for u in roles.list_users(lib)}  # logins belong to the whole server
    assert (found["ada"], found["rudi"], found["lena"]) == ("admin", "reader", "librarian")
    roles.drop_user(lib, "rudi")
    lib.close()
    with login(owner, "ada") as conn:  # admins see and edit everything
        assert conn.execute("SELECT count(*) FROM publication").fetchone()[0] == 2
        conn.execute("UPDATE publication SET place = 'Antwerp' WHERE id = 2")
