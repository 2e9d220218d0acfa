"""A search on PostgreSQL keeps one connection between its queries; one the server drops is
replaced without the user seeing an error, and closing the library closes it."""

from __future__ import annotations

import pytest

from kbase.catalogue.records import Catalogue
from kbase.library.db import open_library
from kbase.search.api import search
from kbase.search.indexing import sync
from kbase.search.rows import _KEPT
from tests.conftest import pg_admin
from tests.search_data import add_document


def _backends(dbname: str) -> list[int]:
    with pg_admin() as conn:
        return [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,))]


@pytest.mark.parametrize("backend", ["postgresql"])
def test_search_keeps_one_connection_replaces_a_dropped_one_and_closes_it_with_the_library(location: str) -> None:
    dbname = location.rsplit("/", 1)[1]
    cat = Catalogue(open_library(location))
    try:
        add_document(cat, "Gold report", ["gold and cobalt on page one"])
        sync(cat)
        first = [h.title for h in search(cat, "gold").hits]
        assert first == ["Gold report"]
        kept = _KEPT[cat.library.engine][0]
        pid = kept.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        assert [h.title for h in search(cat, "gold").hits] == first
        assert _KEPT[cat.library.engine][0] is kept  # the same connection, no new check-out
        with pg_admin() as conn:  # the server drops it (a restart, an idle timeout)
            conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert [h.title for h in search(cat, "gold").hits] == first
        assert _KEPT[cat.library.engine][0] is not kept
        pid = _KEPT[cat.library.engine][0].connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        assert pid in _backends(dbname)
    finally:
        cat.library.close()
    assert pid not in _backends(dbname)
    assert cat.library.engine not in _KEPT
