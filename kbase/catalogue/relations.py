"""Related publications: "12 is a translation of 7", read from both ends."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select
from sqlmodel import Session, col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m

__all__ = ["RELATIONS", "relate", "unrelate", "related", "relation_name"]

RELATIONS = m.RELATIONS
_INVERSES = {inverse: name for name, inverse in RELATIONS.items() if inverse != name}


def relation_name(text: str) -> tuple[str, bool]:
    """(relation, reversed) for what a user typed: "chapter of", "chapter-of", or an inverse
    such as "has chapter" (then the two publications swap places)."""
    key = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if key in RELATIONS:
        return key, False
    if key in _INVERSES:
        return _INVERSES[key], True
    raise InvalidInput(N_("unknown relation '{name}' (one of: {names}; or their inverses: {inverses})").format(
        name=text, names=", ".join(RELATIONS), inverses=", ".join(_INVERSES)))


def _check(s: Session, *ids: int) -> None:
    for pid in ids:
        if s.get(m.Publication, pid) is None:
            raise NotFound(N_("no publication with ID {id}").format(id=pid))


def relate(cat: Catalogue, publication_id: int, relation: str, other_id: int) -> bool:
    """Record that publication_id is RELATION of other_id; False when it already was."""
    name, swapped = relation_name(relation)
    if swapped:
        publication_id, other_id = other_id, publication_id
    if publication_id == other_id:
        raise InvalidInput(N_("publication {id} cannot be {relation} itself").format(
            id=publication_id, relation=name))
    if name == "see also" and other_id < publication_id:  # symmetric: one row whichever way it is typed
        publication_id, other_id = other_id, publication_id
    R = m.PublicationRelation
    with cat.transaction() as s:
        _check(s, publication_id, other_id)
        if s.scalar(select(col(R.id)).where(col(R.publication_id) == publication_id, col(R.relation) == name,
                                       col(R.other_id) == other_id)) is not None:
            return False
        s.add(R(publication_id=publication_id, relation=name, other_id=other_id))
        s.flush()
        cat.touch(s, "publication", publication_id)
        cat.touch(s, "publication", other_id)
        return True


def unrelate(cat: Catalogue, publication_id: int, relation: str, other_id: int) -> bool:
    """Remove the relation; False when there was none."""
    name, swapped = relation_name(relation)
    if swapped:
        publication_id, other_id = other_id, publication_id
    if name == "see also" and other_id < publication_id:
        publication_id, other_id = other_id, publication_id
    R = m.PublicationRelation
    with cat.transaction() as s:
        result = cast(CursorResult[Any], s.execute(  # a DELETE's result: its row count
            delete(R).where(col(R.publication_id) == publication_id, col(R.relation) == name,
                            col(R.other_id) == other_id)))
        gone = result.rowcount
        if gone:
            cat.touch(s, "publication", publication_id)
            cat.touch(s, "publication", other_id)
        return bool(gone)


def related(cat: Catalogue, publication_id: int, s: Session | None = None) -> list[dict[str, Any]]:
    """The publication's relations as it reads them: its own ("translation of 7") and those pointing at
    it in the inverse wording ("has translation 12"), ordered by wording then title."""
    if s is None:
        with cat.reading() as session:
            return related(cat, publication_id, session)
    R, P = m.PublicationRelation, m.Publication
    rows = s.execute(select(col(R.publication_id), col(R.relation), col(R.other_id))
                     .where(or_(col(R.publication_id) == publication_id, col(R.other_id) == publication_id))).all()
    others = {(b if a == publication_id else a) for a, _, b in rows}
    titles: dict[int, str] = {pid: title for pid, title in
                              s.execute(select(col(P.id), col(P.title)).where(col(P.id).in_(others)))} if others else {}
    out = []
    for a, name, b in rows:
        forward = a == publication_id
        other = b if forward else a
        out.append({"relation": name if forward else RELATIONS[name], "kind": "publication", "id": other,
                    "label": titles.get(other, f"publication {other}"), "stored_as": name, "forward": forward})
    return sorted(out, key=lambda r: (r["relation"], r["label"].lower(), r["id"]))
