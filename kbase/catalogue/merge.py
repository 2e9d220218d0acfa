"""Merging two records: every link moves to the survivor, the loser's names become aliases."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, select, update
from sqlmodel import Session, SQLModel, col

from kbase.catalogue.columns import table_of
from kbase.catalogue.fields import kind_of
from kbase.catalogue.names import add_aliases
from kbase.library import models as m

if TYPE_CHECKING:
    from kbase.catalogue.records import Catalogue

# links where the survivor's own rows win outright instead of being combined
_REPLACE_IF_PRESENT = {("contributor", "publication_id")}


def _referencing_columns(model: type[SQLModel]) -> list[tuple[Any, Any]]:
    target = table_of(model)
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table is target:
                    found.append((table, column))
    return found


def merge_records(cat: "Catalogue", s: Session, model: type[SQLModel], survivor: Any, loser: Any) -> None:
    sid, lid = survivor.id, loser.id
    for table, column in _referencing_columns(model):
        if (table.name, column.name) in _REPLACE_IF_PRESENT:
            if s.execute(select(column).where(column == sid).limit(1)).first():
                s.execute(delete(table).where(column == lid))
                continue
        pk_cols = [c for c in table.primary_key.columns]
        unique_sets = [pk_cols] if column in pk_cols else []
        unique_sets += [list(u.columns) for u in table.constraints if getattr(u, "columns", None) is not None
                        and u.__class__.__name__ == "UniqueConstraint" and column in list(u.columns)]
        for uniq in unique_sets:
            others = [c for c in uniq if c is not column]
            if not others:
                continue
            # rows of the loser that would collide with the survivor's are dropped
            keep = table.alias("keep")
            same_others = [keep.c[o.name] == table.c[o.name] for o in others]
            clash = select(1).where(keep.c[column.name] == sid, *same_others)
            s.execute(delete(table).where(and_(column == lid, clash.exists())))
        s.execute(update(table).where(column == lid).values({column.name: sid}))
    _merge_by_kind(s, kind_of(model), sid, lid)
    s.flush()
    s.expire_all()
    survivor = s.get(model, sid)
    loser = s.get(model, lid)
    _fill_missing_fields(survivor, loser)

    if model in m.ALIAS_TABLES:
        for name in (getattr(loser, "name", None), getattr(loser, "acronym", None),
                     getattr(loser, "name_fr", None), getattr(loser, "name_local", None)):
            add_aliases(s, survivor, name)
    survivor.version = (survivor.version or 0) + 1
    survivor.updated = m.utcnow()
    s.add(survivor)
    s.delete(loser)
    s.flush()
    if model is m.Region:
        cat._set_region_path(s, survivor, cascade=False)
        for child in s.scalars(select(m.Region).where(col(m.Region.parent_id) == sid)):
            cat._set_region_path(s, child, cascade=True)


def _merge_by_kind(s: Session, kind: str, sid: int, lid: int) -> None:
    """Notes and collection memberships name their record by kind and ID (no foreign key): they move too.
    A relation the two had with each other would relate the survivor to itself: it goes."""
    s.execute(update(m.Note).where(col(m.Note.kind) == kind, col(m.Note.record_id) == lid).values(record_id=sid))
    item = m.CollectionItem
    theirs = select(col(item.collection_id)).where(col(item.kind) == kind, col(item.record_id) == sid)
    s.execute(delete(item).where(col(item.kind) == kind, col(item.record_id) == lid,
                                 col(item.collection_id).in_(theirs)))
    s.execute(update(item).where(col(item.kind) == kind, col(item.record_id) == lid).values(record_id=sid))
    if kind == "publication":
        rel = m.PublicationRelation
        s.execute(delete(rel).where(col(rel.publication_id) == col(rel.other_id)))


def _merge_dicts(theirs: dict[str, Any], mine: dict[str, Any]) -> dict[str, Any]:
    """mine wins key by key, nested dicts too (BibTeX extras keep the loser's other fields)."""
    out = dict(theirs)
    for key, value in mine.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = _merge_dicts(out[key], value) if both else value
    return out


def _fill_missing_fields(survivor: Any, loser: Any) -> None:
    """The survivor's value wins; the loser's is kept where the survivor has none."""
    skip = {"id", "version", "created", "updated", "path", "parent_id", "title_norm"}
    for name in type(survivor).model_fields:
        if name in skip:
            continue
        if name == "extra" and isinstance(survivor, m.Publication):
            mine = json.loads(survivor.extra or "{}")
            theirs = json.loads(loser.extra or "{}")
            merged = _merge_dicts(theirs, mine)
            survivor.extra = json.dumps(merged, ensure_ascii=False) if merged else None
            continue
        if getattr(survivor, name) in (None, "") and getattr(loser, name) not in (None, ""):
            setattr(survivor, name, getattr(loser, name))
