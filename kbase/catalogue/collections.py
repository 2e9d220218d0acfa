"""Collections: named, nested groups of records made by users; a record may sit in several."""

from __future__ import annotations

from typing import Any, Iterable, Sequence, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlmodel import Session, col

from kbase.catalogue.columns import stored_id
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line, fold

__all__ = [
    "add_collection", "ensure_collection_path", "rename_collection", "move_collection", "delete_collection",
    "find_collection", "collections", "put", "remove", "member_ids", "collections_of", "descendants",
    "drop_memberships", "SEPARATOR",
]

SEPARATOR = "/"  # between the names of a path: "Thesis/Chapter 2"
ITEM_KINDS = tuple(k for k in m.RECORD_TYPES if k != "attachment")


def _clean_name(name: str) -> str:
    name = clean_line(name or "").strip()
    if not name:
        raise InvalidInput(N_("a collection needs a name"))
    return name


def _sibling(s: Session, parent_id: int | None, name: str, not_id: int | None = None) -> m.Collection | None:
    C = m.Collection
    q = select(C).where(col(C.parent_id).is_(None) if parent_id is None else col(C.parent_id) == parent_id)
    for c in s.scalars(q):
        if fold(c.name) == fold(name) and c.id != not_id:
            return c
    return None


def _row(c: m.Collection, path: str, count: int = 0) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "parent_id": c.parent_id, "path": path, "count": count,
            "version": c.version}


def _paths(s: Session) -> dict[int, tuple[m.Collection, list[str]]]:
    by_id = {stored_id(c.id): c for c in s.scalars(select(m.Collection))}
    out: dict[int, tuple[m.Collection, list[str]]] = {}
    for cid, c in by_id.items():
        names: list[str] = []
        cur: m.Collection | None = c
        seen: set[int | None] = set()
        while cur is not None and cur.id not in seen:
            seen.add(cur.id)
            names.append(cur.name)
            cur = by_id.get(cur.parent_id) if cur.parent_id else None
        out[cid] = (c, names[::-1])
    return out


def add_collection(cat: Catalogue, name: str, parent_id: int | None = None) -> dict[str, Any]:
    """A new collection (under parent_id); a sibling of the same name is refused."""
    name = _clean_name(name)
    with cat.transaction() as s:
        if parent_id is not None and s.get(m.Collection, parent_id) is None:
            raise NotFound(N_("no collection with ID {id}").format(id=parent_id))
        if _sibling(s, parent_id, name) is not None:
            raise InvalidInput(N_("there is already a collection '{name}' there").format(name=name))
        c = m.Collection(name=name, parent_id=parent_id)
        s.add(c)
        s.flush()
        cid = stored_id(c.id)
        cat.log_change(s, "collection", cid, "insert")
        return _row(c, SEPARATOR.join(_paths(s)[cid][1]))


def ensure_collection_path(cat: Catalogue, names: Sequence[str]) -> int:
    """The ID of the collection at this path of names (["Thesis", "Chapter 2"]), made where missing."""
    if not names:
        raise InvalidInput(N_("a collection path needs at least one name"))
    with cat.transaction() as s:
        parent: int | None = None
        for raw in names:
            name = _clean_name(raw)
            found = _sibling(s, parent, name)
            if found is None:
                found = m.Collection(name=name, parent_id=parent)
                s.add(found)
                s.flush()
                cat.log_change(s, "collection", stored_id(found.id), "insert")
            parent = stored_id(found.id)
        assert parent is not None
        return parent


def _get(s: Session, collection_id: int) -> m.Collection:
    c = s.get(m.Collection, collection_id)
    if c is None:
        raise NotFound(N_("no collection with ID {id}").format(id=collection_id))
    return c


def rename_collection(cat: Catalogue, collection_id: int, name: str) -> None:
    name = _clean_name(name)
    with cat.transaction() as s:
        c = _get(s, collection_id)
        if _sibling(s, c.parent_id, name, not_id=c.id) is not None:
            raise InvalidInput(N_("there is already a collection '{name}' there").format(name=name))
        c.name, c.version, c.updated = name, c.version + 1, m.utcnow()
        s.add(c)
        cat.log_change(s, "collection", collection_id)


def move_collection(cat: Catalogue, collection_id: int, parent_id: int | None) -> None:
    with cat.transaction() as s:
        c = _get(s, collection_id)
        if parent_id is not None:
            _get(s, parent_id)
            if parent_id == collection_id or parent_id in descendants(s, collection_id):
                raise InvalidInput(N_("a collection cannot go inside itself"))
        if _sibling(s, parent_id, c.name, not_id=c.id) is not None:
            raise InvalidInput(N_("there is already a collection '{name}' there").format(name=c.name))
        c.parent_id, c.version, c.updated = parent_id, c.version + 1, m.utcnow()
        s.add(c)
        cat.log_change(s, "collection", collection_id)


def descendants(s: Session, collection_id: int) -> list[int]:
    """IDs of the collections below this one, at any depth."""
    children: dict[int, list[int]] = {}
    for cid, parent in s.execute(select(col(m.Collection.id), col(m.Collection.parent_id))):
        if parent is not None:
            children.setdefault(parent, []).append(cid)
    out, todo = [], list(children.get(collection_id, []))
    while todo:
        cid = todo.pop()
        if cid not in out:
            out.append(cid)
            todo.extend(children.get(cid, []))
    return out


def delete_collection(cat: Catalogue, collection_id: int) -> int:
    """Delete the collection and those below it; their records stay. Returns how many went."""
    with cat.transaction() as s:
        _get(s, collection_id)
        ids = [collection_id, *descendants(s, collection_id)]
        s.execute(delete(m.CollectionItem).where(col(m.CollectionItem.collection_id).in_(ids)))
        for cid in reversed(ids):  # deepest first: a parent never goes before its children
            s.execute(delete(m.Collection).where(col(m.Collection.id) == cid))
            cat.log_change(s, "collection", cid, "delete")
        return len(ids)


def find_collection(cat: Catalogue, ref: str | int) -> int:
    """A collection's ID from its ID, its path ("Thesis/Chapter 2") or its name when only one has it."""
    text = str(ref).strip()
    with cat.reading() as s:
        if text.isdigit():
            return stored_id(_get(s, int(text)).id)
        paths = _paths(s)
        wanted = [fold(p) for p in text.split(SEPARATOR) if p.strip()]
        exact = [cid for cid, (_, names) in paths.items() if [fold(n) for n in names] == wanted]
        if exact:
            return exact[0]
        by_name = [cid for cid, (c, _) in paths.items() if fold(c.name) == fold(text)]
        if len(by_name) == 1:
            return by_name[0]
        if not by_name:
            raise NotFound(N_("no collection named '{name}'").format(name=text))
        raise InvalidInput(N_("several collections are named '{name}': write its path ({paths}) or its ID").format(
            name=text, paths=", ".join(sorted(SEPARATOR.join(paths[c][1]) for c in by_name))))


def collections(cat: Catalogue, kind: str = "publication") -> list[dict[str, Any]]:
    """Every collection with its path and how many records of `kind` it holds, in path order by name."""
    with cat.reading() as s:
        counts: dict[int, int] = {cid: n for cid, n in s.execute(
            select(col(m.CollectionItem.collection_id), func.count())
            .where(col(m.CollectionItem.kind) == kind)
            .group_by(col(m.CollectionItem.collection_id)))}
        rows = [(names, _row(c, SEPARATOR.join(names), counts.get(cid, 0))) for cid, (c, names) in _paths(s).items()]
    rows.sort(key=lambda r: [fold(n) for n in r[0]])
    for names, row in rows:
        row["depth"] = len(names) - 1
    return [row for _, row in rows]


def _check_kind(kind: str) -> str:
    if kind not in ITEM_KINDS:
        raise InvalidInput(N_("collections hold: {item_kinds} (got {kind})").format(
            item_kinds=', '.join(ITEM_KINDS), kind=repr(kind)))
    return kind


def put(cat: Catalogue, collection_id: int, kind: str, record_ids: Iterable[int]) -> int:
    """Put records in the collection; returns how many were not in it yet."""
    _check_kind(kind)
    model = m.RECORD_TYPES[kind]
    added = 0
    with cat.transaction() as s:
        _get(s, collection_id)
        present = set(s.scalars(select(col(m.CollectionItem.record_id)).where(
            col(m.CollectionItem.collection_id) == collection_id, col(m.CollectionItem.kind) == kind)))
        for rid in dict.fromkeys(record_ids):
            if s.get(model, rid) is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind, id=rid))
            if rid not in present:
                s.add(m.CollectionItem(collection_id=collection_id, kind=kind, record_id=rid))
                added += 1
        cat.log_change(s, "collection", collection_id)
    return added


def remove(cat: Catalogue, collection_id: int, kind: str, record_ids: Iterable[int]) -> int:
    """Take records out of the collection (they stay in the catalogue); returns how many left it."""
    _check_kind(kind)
    with cat.transaction() as s:
        _get(s, collection_id)
        result = cast(CursorResult[Any], s.execute(delete(m.CollectionItem).where(  # a DELETE's: its row count
            col(m.CollectionItem.collection_id) == collection_id, col(m.CollectionItem.kind) == kind,
            col(m.CollectionItem.record_id).in_(list(record_ids)))))
        cat.log_change(s, "collection", collection_id)
        return result.rowcount


def member_ids(s: Session, collection_id: int, kind: str = "publication", below: bool = True) -> set[int]:
    """Records of `kind` in the collection and, with below, in every collection under it."""
    ids = [collection_id, *(descendants(s, collection_id) if below else [])]
    return set(s.scalars(select(col(m.CollectionItem.record_id)).where(
        col(m.CollectionItem.collection_id).in_(ids), col(m.CollectionItem.kind) == kind)))


def collections_of(cat: Catalogue, kind: str, record_id: int, s: Session | None = None) -> list[dict[str, Any]]:
    """The collections the record is in, as {id, name, path}."""
    if s is None:
        with cat.reading() as session:
            return collections_of(cat, kind, record_id, session)
    ids = set(s.scalars(select(col(m.CollectionItem.collection_id)).where(
        col(m.CollectionItem.kind) == kind, col(m.CollectionItem.record_id) == record_id)))
    paths = _paths(s) if ids else {}
    rows = [{"id": cid, "name": paths[cid][0].name, "path": SEPARATOR.join(paths[cid][1])}
            for cid in ids if cid in paths]
    return sorted(rows, key=lambda r: fold(r["path"]))


def drop_memberships(s: Session, kind: str, record_id: int) -> None:
    s.execute(delete(m.CollectionItem).where(col(m.CollectionItem.kind) == kind,
                                             col(m.CollectionItem.record_id) == record_id))
