"""Batch edits of many publications at once (set-based statements), with an exact revert for undo."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlmodel import SQLModel, col

from kbase.catalogue.columns import table_of
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.library import models as m

# link name -> (link table, column holding the other record)
LINKS: dict[str, tuple[type[SQLModel], str]] = {
    "project": (m.PublicationProject, "project_id"),
    "region": (m.PublicationRegion, "region_id"),
    "subject": (m.PublicationSubject, "subject_id"),
}
SETTABLE = ("series_id", "visibility")
CHUNK = 500  # ids per statement, well under SQLite's variable limit


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def apply_batch(cat: Catalogue, ids: list[int], set_fields: dict[str, Any], add_links: dict[str, list[int]],
                remove_links: dict[str, list[int]]) -> tuple[dict[int, dict[str, Any]], list[tuple[str, int, int]],
                                                          list[tuple[str, int, int]]]:
    """Change many publications in one transaction; returns what changed so it can be reverted exactly.

    Set-based statements (not one update per record) keep a batch of thousands quick.
    """
    for key, value in set_fields.items():
        if key not in SETTABLE:
            raise InvalidInput(N_("batch edit cannot set {key}").format(key=repr(key)))
        if key == "visibility" and value not in m.VISIBILITIES:
            raise InvalidInput(N_("visibility must be one of: {visibilities} (got {value})").format(
                visibilities=', '.join(m.VISIBILITIES), value=repr(value)))
    P = m.Publication
    old: dict[int, dict[str, Any]] = {}
    added: list[tuple[str, int, int]] = []
    removed: list[tuple[str, int, int]] = []
    with cat.transaction() as s:
        for chunk in _chunks(ids):
            if set_fields:
                cols = [getattr(P, k) for k in set_fields]
                for row in s.execute(select(col(P.id), *cols).where(col(P.id).in_(chunk))):
                    values = dict(zip(set_fields, row[1:], strict=True))
                    if values != set_fields:
                        old[row[0]] = values
            for name, targets in add_links.items():
                link, other = LINKS[name]
                table = table_of(link)
                have = {(pid, t) for pid, t in s.execute(select(table.c.publication_id, table.c[other]).where(
                    table.c.publication_id.in_(chunk), table.c[other].in_(targets)))}
                rows = [(pid, t) for pid in chunk for t in targets if (pid, t) not in have]
                if rows:
                    s.execute(insert(link), [{"publication_id": p, other: t} for p, t in rows])
                added += [(name, p, t) for p, t in rows]
            for name, targets in remove_links.items():
                link, other = LINKS[name]
                table = table_of(link)
                gone = [(pid, t) for pid, t in s.execute(select(table.c.publication_id, table.c[other]).where(
                    table.c.publication_id.in_(chunk), table.c[other].in_(targets)))]
                if gone:
                    s.execute(delete(link).where(table.c.publication_id.in_(chunk), table.c[other].in_(targets)))
                removed += [(name, p, t) for p, t in gone]
        _set_fields(s, {pid: set_fields for pid in old})
        _log(cat, s, set(old) | {p for _, p, _ in added} | {p for _, p, _ in removed})
    return old, added, removed


def _set_fields(s: Any, values: dict[int, dict[str, Any]]) -> None:
    """Set per-publication values, grouping publications that get the same ones."""
    P = m.Publication
    groups: dict[tuple[tuple[str, Any], ...], list[int]] = {}
    for pid, fields in values.items():
        groups.setdefault(tuple(sorted(fields.items())), []).append(pid)
    for same, pids in groups.items():
        for chunk in _chunks(pids):
            s.execute(update(P).where(col(P.id).in_(chunk)).values(
                version=col(P.version) + 1, updated=m.utcnow(), **dict(same)))


def revert_batch(cat: Catalogue, old: dict[int, dict[str, Any]], added: list[tuple[str, int, int]],
                 removed: list[tuple[str, int, int]]) -> None:
    """Undo apply_batch: old values back, added links removed, removed links restored."""
    with cat.transaction() as s:
        _set_fields(s, old)
        for (name, target), pids in _by_link(added).items():
            link, other = LINKS[name]
            table = table_of(link)
            for chunk in _chunks(pids):
                s.execute(delete(link).where(table.c[other] == target, table.c.publication_id.in_(chunk)))
        for (name, target), pids in _by_link(removed).items():
            link, other = LINKS[name]
            s.execute(insert(link), [{"publication_id": p, other: target} for p in pids])
        _log(cat, s, set(old) | {p for _, p, _ in added} | {p for _, p, _ in removed})


def _by_link(rows: list[tuple[str, int, int]]) -> dict[tuple[str, int], list[int]]:
    groups: dict[tuple[str, int], list[int]] = {}
    for name, pid, target in rows:
        groups.setdefault((name, target), []).append(pid)
    return groups


def _log(cat: Catalogue, s: Any, ids: set[int]) -> None:
    """The change log rows for every edited publication, in one statement."""
    cat.log_changes(s, "publication", sorted(ids))
