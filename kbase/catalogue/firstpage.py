"""The first screenful of a SQLite library's publication list, read with the standard library's sqlite3.

The desktop app paints its window with these rows before SQLAlchemy and the models are imported (that
import alone is longer than the launch may take). Same rows, same order and the same values as
kbase.catalogue.query.find_ids + kbase.catalogue.views.table_rows give the table for an unfiltered list;
when anything is not as expected (a PostgreSQL library, no catalogue yet, a schema this code does not
know) it answers None and the app takes its usual path.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kbase.library.location import is_url

CATALOGUE_FILE = "catalogue.sqlite"  # kbase.library.db.CATALOGUE_FILE (that module imports SQLAlchemy)

# the table's sort keys for publications (kbase.catalogue.query.SORTS), each then by id
ORDER = {"title": ("title_norm",), "year": ("year", "month"), "type": ("type",), "id": (), "updated": ("updated",)}
COLUMNS = ("id", "title", "year", "month", "month_end", "type", "series_id", "number", "language", "visibility",
           "updated")


@dataclass
class FirstPage:
    total: int  # publications in the library
    rows: list[dict[str, Any]] = field(default_factory=list)  # the first ones in the order asked, as table rows


def catalogue_file(location: str) -> Path | None:
    """The SQLite file of a library folder; None for a PostgreSQL URL or a folder with no catalogue."""
    if not location or is_url(location):
        return None
    path = Path(location).expanduser() / CATALOGUE_FILE
    return path if path.is_file() else None


def first_page(location: str, limit: int, sort: str = "title", descending: bool = False) -> FirstPage | None:
    """The count of publications and the first `limit` of them sorted by `sort`, or None (see the module)."""
    path = catalogue_file(location)
    if path is None or sort not in ORDER:
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error:
        return None
    try:
        return _read(conn, limit, sort, descending)
    except sqlite3.Error:  # locked, damaged or of another schema: the usual path says what is wrong
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, limit: int, sort: str, descending: bool) -> FirstPage:
    direction = "DESC" if descending else "ASC"
    order = ", ".join(f"p.{key} {direction}" for key in (*ORDER[sort], "id"))
    total = int(conn.execute("SELECT count(*) FROM publication").fetchone()[0])
    listed = ", ".join(f"p.{c}" for c in COLUMNS)
    cursor = conn.execute(f"SELECT {listed}, s.name FROM publication p LEFT JOIN series s ON s.id = p.series_id"
                          f" ORDER BY {order} LIMIT ?", (max(0, limit),))
    rows: list[dict[str, Any]] = []
    for found in cursor:
        row = dict(zip(COLUMNS, found[:-1], strict=True))
        row["series"] = found[-1]
        row["updated"] = _when(row["updated"])
        row["authors"] = []
        rows.append(row)
    by_id = {row["id"]: row for row in rows}
    if by_id:
        marks = ", ".join("?" * len(by_id))
        names = conn.execute(
            "SELECT c.publication_id, pe.name, o.name FROM contributor c"
            " LEFT JOIN person pe ON pe.id = c.person_id LEFT JOIN organisation o ON o.id = c.organisation_id"
            f" WHERE c.publication_id IN ({marks}) AND c.role = 'author' ORDER BY c.publication_id, c.position",
            list(by_id))
        for publication_id, person, organisation in names:
            if person or organisation:
                by_id[publication_id]["authors"].append(person or organisation)
    return FirstPage(total=total, rows=rows)


def _when(value: Any) -> datetime | None:
    """A DATETIME column as the models give it back: ISO text in SQLite, read as UTC (kbase.library.models)."""
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


__all__ = ["FirstPage", "first_page", "catalogue_file"]
