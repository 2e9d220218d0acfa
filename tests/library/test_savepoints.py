"""A unit of work with savepoints inside commits whole or not at all, on SQLite as on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.library import models as m


class Stop(Exception):
    pass


def _count(cat: Catalogue) -> int:
    with cat.reading() as s:
        return int(s.scalar(select(func.count()).select_from(m.Publication)) or 0)


def test_a_released_savepoint_does_not_commit_the_unit_of_work(cat: Catalogue) -> None:
    before = _count(cat)
    with pytest.raises(Stop), cat.transaction() as s:
        s.execute(select(func.count()).select_from(m.Publication))  # reads first, as an import's plan does
        with s.begin_nested():
            s.add(m.Publication(title="Written in a savepoint", type="report", title_norm="written in a savepoint"))
        raise Stop  # the crash or error after the savepoint, before the commit
    assert _count(cat) == before


def test_a_savepoint_rolled_back_leaves_the_rest(cat: Catalogue) -> None:
    before = _count(cat)
    with cat.transaction() as s:
        with s.begin_nested():
            s.add(m.Publication(title="Kept", type="report", title_norm="kept"))
        with pytest.raises(Stop), s.begin_nested():
            s.add(m.Publication(title="Refused", type="report", title_norm="refused"))
            s.flush()
            raise Stop
        s.add(m.Publication(title="Also kept", type="report", title_norm="also kept"))
    with cat.reading() as s:
        titles = set(s.scalars(select(m.Publication.title)))
    assert _count(cat) == before + 2 and {"Kept", "Also kept"} <= titles and "Refused" not in titles
