"""Revision 0008 (OCR) carries a library made at the revision before it over, on SQLite and PostgreSQL: its page
texts are the text layer's, its scans can be queued and read."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from kbase.ocr.queue import enqueue, jobs
from tests.conftest import PG_URL, new_pg_database, pg_url_for

REVISION = "0008"


def _library_before(backend: str, tmp_path) -> str:
    from alembic.script import ScriptDirectory

    previous = ScriptDirectory.from_config(schema._config()).get_revision(REVISION).down_revision
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, previous)
    stamp = "1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP"
    with lib.engine.begin() as conn:  # a text PDF and a scan imported before OCR existed, in plain SQL
        conn.execute(text(f"INSERT INTO publication (title, title_norm, type, visibility, version, created, updated) "
                          f"VALUES ('Mapping mining sites', 'mapping mining sites', 'report', 'internal', {stamp}), "
                          f"('A scanned bulletin', 'a scanned bulletin', 'bulletin', 'internal', {stamp})"))
        conn.execute(text("INSERT INTO stored_file (sha256, size) VALUES ('" + "a" * 64 + "', 10), ('" + "b" * 64
                          + "', 10)"))
        conn.execute(text(f"INSERT INTO attachment (publication_id, sha256, filename, mime, status, page_count, "
                          f"has_thumbnail, version, created, updated) VALUES "
                          f"(1, '{'a' * 64}', 'map.pdf', 'application/pdf', 'ok', 2, false, {stamp}), "
                          f"(2, '{'b' * 64}', 'scan.pdf', 'application/pdf', 'no text layer', 2, false, {stamp})"))
        conn.execute(text("INSERT INTO page_text (attachment_id, page, text) VALUES "
                          "(1, 1, 'Gold sites in Ituri'), (1, 2, 'Cobalt depots'), (2, 1, ''), (2, 2, '')"))
    lib.close()
    return location


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_ocr_upgrade_keeps_the_page_texts_and_queues_old_scans(backend: str, tmp_path) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    lib = open_library(_library_before(backend, tmp_path))  # opening upgrades
    assert schema.current_revision(lib) == schema.head_revision()
    cat = Catalogue(lib)
    with cat.reading() as s:
        rows = list(s.execute(select(m.PageText.attachment_id, m.PageText.page, m.PageText.source, m.PageText.text)
                              .order_by(m.PageText.id)))
    assert rows == [(1, 1, "text", "Gold sites in Ituri"), (1, 2, "text", "Cobalt depots"), (2, 1, "text", ""),
                    (2, 2, "text", "")]
    assert enqueue(cat) == ["scan.pdf: 2 pages queued for OCR"]  # `kbase ocr --all` finds the old scan
    assert [(j["filename"], j["status"], j["pages_left"]) for j in jobs(cat)] == [("scan.pdf", "queued", 2)]
    with cat.transaction() as s:  # deleting the attachment takes its queue with it
        s.execute(text("DELETE FROM page_text WHERE attachment_id = 2"))
        s.execute(text("DELETE FROM attachment WHERE id = 2"))
    assert jobs(cat) == []
    lib.close()
