"""Deleting a record and putting it back: same ID, fields and links; records still in use are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from kbase.catalogue import views
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.library import models as m


def _counts(cat: Catalogue) -> dict[str, int]:
    with cat.reading() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in SQLModel.metadata.sorted_tables
                if t.name != "change"}


def _most_linked(cat: Catalogue, kind: str) -> int:
    """The deletable record of this kind with the most links (the hardest to put back)."""
    from kbase.catalogue.restore import blockers

    model = m.RECORD_TYPES[kind]

    def size(rid: int) -> int:
        return sum(len(v) if isinstance(v, list) else 0 for v in views.describe(cat, kind, rid).values())
    with cat.reading() as s:
        free = [r.id for r in cat.all(model)
                if not blockers(s, model.__table__, r.id, ignore=("attachment",))]
    return max(free, key=size)


@pytest.mark.parametrize("kind", ["person", "project", "publication", "event", "subject"])
def test_a_deleted_record_comes_back_whole(demo: Catalogue, kind: str) -> None:
    rid = _most_linked(demo, kind)
    before, counts = views.describe(demo, kind, rid), _counts(demo)
    snapshot = demo.delete(m.RECORD_TYPES[kind], rid)
    assert _counts(demo) != counts
    assert demo.restore(snapshot) == rid
    assert views.describe(demo, kind, rid) == before
    assert _counts(demo) == counts


def test_a_region_comes_back_with_its_projects_and_publications(demo: Catalogue) -> None:
    parents = {r.parent_id for r in demo.all(m.Region)}
    region = max((r for r in demo.all(m.Region) if r.id not in parents),  # a leaf: the most linked one
                 key=lambda r: len(views.describe(demo, "region", r.id).get("publications", [])))
    before = views.describe(demo, "region", region.id)
    assert before["publications"]
    snapshot = demo.delete(m.Region, region.id)
    demo.restore(snapshot)
    assert views.describe(demo, "region", region.id) == before


def test_a_record_still_in_use_is_not_deleted_and_the_error_says_by_what(demo: Catalogue) -> None:
    publisher = next(p.publisher_id for p in demo.all(m.Publication) if p.publisher_id)
    counts = _counts(demo)
    with pytest.raises(InvalidInput) as caught:
        demo.delete(m.Organisation, publisher)
    message = str(caught.value)
    assert message.startswith(f"organisation {publisher} is still used by ") and "publication " in message
    assert "merge it into another organisation" in message
    assert _counts(demo) == counts
