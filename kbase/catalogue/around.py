"""What sits around a record for `kbase show` and the details pane: notes, related publications,
collections and web links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue import collections, notes, relations
from kbase.catalogue.records import Catalogue
from kbase.library import models as m

__all__ = ["around"]


def around(cat: Catalogue, kind: str, record_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with cat.reading() as s:
        if kind == "publication":
            out["related"] = relations.related(cat, record_id, s)
            out["links"] = [{"id": k.id, "url": k.url, "title": k.title} for k in s.scalars(
                select(m.PublicationLink).where(col(m.PublicationLink.publication_id) == record_id)
                .order_by(col(m.PublicationLink.id)))]
        if kind in collections.ITEM_KINDS:
            out["collections"] = collections.collections_of(cat, kind, record_id, s)
    if kind in notes.NOTE_KINDS:
        out["notes"] = notes.notes(cat, kind, record_id)
    return out
