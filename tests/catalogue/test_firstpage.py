"""The desktop's first screenful read with sqlite3 gives what the ORM's read gives the table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kbase.catalogue import query, views
from kbase.catalogue.firstpage import COLUMNS, first_page
from kbase.library import models as m

KEYS = [*COLUMNS, "series", "authors"]


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(("sort", "descending"), [("title", False), ("title", True), ("year", True), ("year", False),
                                                  ("type", False), ("id", True), ("updated", False)])
def test_first_page_is_the_tables_first_rows(demo, demo_location, sort, descending):
    # an author given as an organisation, a publication with a series number and one with no date at all
    org = demo.add(m.Organisation, name="Groupe d'études sur les conflits")
    series = demo.add(m.Series, name="Briefing notes")
    pub = demo.add(m.Publication, title="  Zinc and tin: a briefing", series_id=series.id, number="7", year=None)
    demo.add(m.Contributor, publication_id=pub.id, position=0, role="author", organisation_id=org.id)
    total = query.count(demo, "publication")
    for limit in (3, total + 5):
        page = first_page(demo_location, limit, sort, descending)
        assert page is not None
        ids = query.find_ids(demo, "publication", sort=sort, descending=descending, limit=limit)
        expected = [{k: row[k] for k in KEYS} for row in views.table_rows(demo, "publication", ids)]
        assert page.total == total
        assert [r["id"] for r in page.rows] == ids
        assert page.rows == expected
    assert any(r["authors"] == ["Groupe d'études sur les conflits"] for r in page.rows)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_first_page_where_the_usual_path_must_speak(location, tmp_path):
    assert first_page(str(tmp_path / "missing"), 10) is None  # no library: the app says why
    assert first_page("postgresql+psycopg://kbase@localhost/kbase", 10) is None
    assert first_page(location, 10, sort="authors") is None  # not a sort key of the table
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "catalogue.sqlite").write_bytes(b"not a database at all" * 100)
    assert first_page(str(tmp_path / "odd"), 10) is None
    empty = first_page(location, 10)
    assert empty is not None and empty.total == 0 and empty.rows == []


def test_reading_the_first_page_leaves_the_orm_unloaded():
    code = ("import sys; import kbase.catalogue.firstpage; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'alembic'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
