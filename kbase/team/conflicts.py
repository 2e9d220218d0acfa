"""After a refused save: show both versions, reload, or merge field by field (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import SQLModel

from kbase.catalogue.records import Catalogue
from kbase.errors import ConflictError
from kbase.i18n import N_

BOOKKEEPING = ("id", "version", "created", "updated")


@dataclass
class FieldMerge:
    """What a three-way merge of one record gives: values to save and the fields both sides changed."""

    values: dict[str, Any] = field(default_factory=dict)  # fields to save on top of theirs
    clashes: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # field -> (mine, theirs)
    theirs_version: int = 0


def merge_fields(opened: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any]) -> FieldMerge:
    """opened: the record as the user loaded it; mine: the fields they changed; theirs: as saved now."""
    result = FieldMerge(theirs_version=int(theirs.get("version") or 0))
    for name, value in mine.items():
        if name in BOOKKEEPING:
            continue
        if theirs.get(name) == value:
            continue  # both sides agree
        if theirs.get(name) == opened.get(name):
            result.values[name] = value  # only I changed it
        else:
            result.clashes[name] = (value, theirs.get(name))
    return result


def describe_conflict(err: ConflictError, opened: dict[str, Any] | None = None) -> str:
    """The refusal with both versions side by side, one line per field the user changed."""
    lines = [str(err)]
    for name, value in err.mine.items():
        saved = err.theirs.get(name)
        if name in BOOKKEEPING:
            continue
        mark = "" if opened is None or saved == opened.get(name) else "  (changed by them too)"
        lines.append(f"  {name}: yours {_show(value)} | saved {_show(saved)}{mark}")
    return "\n".join(lines)


def _show(value: Any) -> str:
    text = "(empty)" if value in (None, "") else repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def save_merged(cat: Catalogue, model: type[SQLModel], record_id: int, opened: dict[str, Any],
                mine: dict[str, Any], prefer_mine: bool = False) -> Any:
    """Save my changes on top of what someone else saved; ConflictError again if fields clash.

    With prefer_mine, clashing fields take my value (the user chose so, field by field).
    """
    current = cat.get(model, record_id).model_dump()
    merged = merge_fields(opened, mine, current)
    if merged.clashes and not prefer_mine:
        names = ", ".join(sorted(merged.clashes))
        raise ConflictError(N_("{kind} {id}: both you and someone else changed {names}").format(
            kind=model.__tablename__, id=record_id, names=names),
                            mine=mine, theirs=current)
    values = dict(merged.values)
    if prefer_mine:
        values.update({name: pair[0] for name, pair in merged.clashes.items()})
    if not values:
        return cat.get(model, record_id)
    return cat.update(model, record_id, expected_version=merged.theirs_version, **values)


__all__ = ["FieldMerge", "merge_fields", "save_merged", "describe_conflict"]
