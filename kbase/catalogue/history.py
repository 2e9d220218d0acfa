"""The change log as a record history: who changed which fields and when, chained by checksums.

Every row of the change log carries the database user and the desktop user, the version the change
made and the changed fields with their old and new values (JSON {field: [old, new]}). Rows are
numbered without gaps and each checksum covers the previous one, so a desktop notices a deleted or
rewritten row. On PostgreSQL a trigger numbers the rows and computes the checksums (migration 0010,
it sees rows a reader may not); on SQLite append() does it in the same transaction as the change.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import insert, select, text
from sqlmodel import Session

from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m

SKIP_FIELDS = ("id", "version", "created", "updated", "title_norm")


def desktop_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [_plain(old.get(k)), _plain(v)] for k, v in new.items()
            if k not in SKIP_FIELDS and _plain(old.get(k)) != _plain(v)}


def values_of(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.model_dump().items() if k not in SKIP_FIELDS}


def _stamp(at: datetime | str) -> str:
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when.strftime("%Y-%m-%d %H:%M:%S.%f")


def chain_hash(prev: str | None, row: dict[str, Any]) -> str:
    """The checksum of a row after prev (the same text the PostgreSQL trigger hashes)."""
    parts = [prev or "", row["seq"], row["kind"], row["record_id"], row["op"], row.get("db_user"),
             row.get("user"), row.get("version"), row.get("fields"), "t" if row.get("secret") else "f",
             _stamp(row["at"])]
    return hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()


def append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert change rows; on SQLite number and chain them here (the write lock is held)."""
    if not rows:
        return
    table = m.Change.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(insert(table), rows)  # the trigger numbers, stamps and chains them
        return
    last = session.execute(select(table.c.seq, table.c.checksum).order_by(table.c.seq.desc()).limit(1)).first()
    seq, prev = (last[0], last[1]) if last else (0, None)
    out = []
    for row in rows:
        seq += 1
        row = {**row, "seq": seq, "db_user": None}
        row["checksum"] = prev = chain_hash(prev, row)
        out.append(row)
    session.execute(insert(table), out)


@dataclass
class ChainState:
    ok: bool
    head: int  # the newest row's number
    head_checksum: str | None
    broken_at: int | None = None  # the first row that is missing or does not match
    reason: str = ""

    def message(self) -> str:
        """In English; kbase.i18n.translate reads it back into the user's language."""
        if self.ok:
            return ""
        return N_("the change log was altered at change {n}: {reason}").format(n=self.broken_at, reason=self.reason)


# why a chain check fails, as verify() and the PostgreSQL function of migration 0010 say it
# (listed so that the catalogs hold their translations)
REASONS = (N_("the change this desktop read last is gone"), N_("the change this desktop read last was rewritten"),
           N_("a change lost its checksum"), N_("changes are missing"), N_("a change was rewritten"))


def verify(session: Session, after: int = 0, expect: str | None = None) -> ChainState:
    """Check the chain from change `after` (whose checksum should be `expect`) to the newest."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(text("SELECT * FROM kbase_change_verify(:after, :expect)"),
                              {"after": after, "expect": expect}).one()
        return ChainState(row.broken_at is None, int(row.head or 0), row.head_checksum, row.broken_at, row.reason or "")
    table = m.Change.__table__  # type: ignore[attr-defined]
    prev_seq, prev = after, expect
    if after > 0:
        got = session.execute(select(table.c.checksum).where(table.c.seq == after)).first()
        if got is None:
            return ChainState(False, after, None, after, "the change this desktop read last is gone")
        if expect is not None and got[0] != expect:
            return ChainState(False, after, None, after, "the change this desktop read last was rewritten")
        prev = got[0]
    for r in session.execute(select(table).where(table.c.seq > after).order_by(table.c.seq)).mappings():
        if r["checksum"] is None:  # written before the chain existed (or wiped)
            if prev is not None:
                return ChainState(False, prev_seq, prev, r["seq"], "a change lost its checksum")
            prev_seq = r["seq"]
            continue
        if prev is not None and r["seq"] != prev_seq + 1:
            return ChainState(False, prev_seq, prev, prev_seq + 1, "changes are missing")
        if r["checksum"] != chain_hash(prev, dict(r)):
            return ChainState(False, prev_seq, prev, r["seq"], "a change was rewritten")
        prev_seq, prev = r["seq"], r["checksum"]
    return ChainState(True, prev_seq, prev)


def head(session: Session) -> tuple[int, str | None]:
    """The newest change's number and checksum (all of the log, whatever the reader may see)."""
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(text("SELECT * FROM kbase_change_head()")).first()
    else:
        table = m.Change.__table__  # type: ignore[attr-defined]
        row = session.execute(select(table.c.seq, table.c.checksum).order_by(table.c.seq.desc()).limit(1)).first()
    return (int(row[0]), row[1]) if row is not None and row[0] is not None else (0, None)


# -- what this desktop has read of the chain (beside its index) ---------------------------
def _chain_path(lib: Any) -> Path:
    return Path(lib.index_dir) / "changelog.json"


def read_chain(lib: Any) -> dict[str, Any]:
    """{"seq", "checksum"}: the last change verified; "breaks": alterations seen (and the index rebuilt)."""
    try:
        state = json.loads(_chain_path(lib).read_text(encoding="utf-8"))
        return {"seq": int(state["seq"]), "checksum": state.get("checksum"), "breaks": list(state.get("breaks", []))}
    except (OSError, ValueError, KeyError, TypeError):
        return {"seq": 0, "checksum": None, "breaks": []}


def _write_chain(lib: Any, state: dict[str, Any]) -> None:
    path = _chain_path(lib)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state), encoding="utf-8")
    os.replace(tmp, path)


def check_chain(cat: Any, applied: int = -1) -> ChainState:
    """Verify the log from the last change this desktop verified to the newest (each sync: cheap).

    applied: the newest change the desktop's index holds; a log that ends before it lost its newest
    changes (the owner may delete rows), which the rows written since may have renumbered."""
    state = read_chain(cat.library)
    with cat.reading() as s:
        checked = verify(s, state["seq"], state["checksum"])
    if checked.ok and applied > checked.head:
        return ChainState(False, checked.head, checked.head_checksum, checked.head + 1,
                          N_("the newest changes this desktop read are gone (it read up to change {n})").format(
                              n=applied))
    return checked


def audit(cat: Any) -> ChainState:
    """Verify the whole log (`kbase check`); an alteration this desktop has already seen and
    rebuilt its index after is passed over. The log is also checked from where this desktop
    verified it last: its newest rows deleted leave a whole chain, shorter."""
    state = read_chain(cat.library)
    with cat.reading() as s:
        whole = verify(s, 0, None)
    if not whole.ok and whole.broken_at not in state["breaks"]:
        return whole
    return check_chain(cat)


def accept_chain(cat: Any, checked: ChainState) -> int:
    """Remember how far the log is verified; after an alteration (the index rebuilt), note it and
    go on from today's newest change. Returns that change's number: the index applies no further,
    so a later check from there covers every change it applied."""
    state = read_chain(cat.library)
    before = dict(state, breaks=list(state["breaks"]))
    if checked.ok:
        state.update(seq=checked.head, checksum=checked.head_checksum)
    else:
        if checked.broken_at not in state["breaks"]:
            state["breaks"].append(checked.broken_at)
        with cat.reading() as s:
            state["seq"], state["checksum"] = head(s)
    if state != before:  # each search syncs first: most find nothing new to write
        _write_chain(cat.library, state)
    return int(state["seq"])


# -- a record's history -------------------------------------------------------------------
def _kind(kind: str) -> str:
    if kind not in m.RECORD_TYPES:
        raise InvalidInput(N_("unknown record type {name} (one of: {kinds})").format(
            name=repr(kind), kinds=', '.join(m.RECORD_TYPES)))
    return kind


def history(cat: Any, kind: str, record_id: int) -> list[dict[str, Any]]:
    """The record's changes, oldest first: seq, when, who, op, version, fields {name: [old, new]}."""
    kind = _kind(kind)
    table = m.Change.__table__  # type: ignore[attr-defined]
    with cat.reading() as s:
        rows = s.execute(select(table).where(table.c.kind == kind, table.c.record_id == record_id,
                                             table.c.op != "hide")  # the bare twin of a change to confidential
                         .order_by(table.c.seq)).mappings().all()
    if not rows:
        with cat.reading() as s:
            if s.get(m.RECORD_TYPES[kind], record_id) is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind, id=record_id))
    return [{"seq": r["seq"], "at": r["at"], "user": r["user"], "db_user": r["db_user"], "op": r["op"],
             "version": r["version"], "fields": json.loads(r["fields"]) if r["fields"] else {}} for r in rows]


def values_at(cat: Any, kind: str, record_id: int, version: int) -> dict[str, Any]:
    """The record's field values as they were at `version`: today's, with later changes undone."""
    kind = _kind(kind)
    current = values_of(cat.get(m.RECORD_TYPES[kind], record_id))
    steps = history(cat, kind, record_id)
    known = {h["version"] for h in steps if h["version"] is not None}
    # a version is known when a change made it, or the next version's change (which says what it was)
    if version < 1 or (version not in known and version + 1 not in known):
        raise InvalidInput(N_("{kind} {id} has no recorded version {version} (known: {known})").format(
            kind=kind, id=record_id, version=version, known=', '.join(map(str, sorted(known))) or N_('none')))
    values = dict(current)
    for h in reversed(steps):
        if h["version"] is None or h["version"] <= version:
            continue
        for name, (old, _new) in h["fields"].items():
            if name in values:
                values[name] = old
    return {k: v for k, v in values.items() if _plain(current.get(k)) != _plain(v)}


def restore_version(cat: Any, kind: str, record_id: int, version: int, expected_version: int | None = None) -> Any:
    """Put the record's fields back as they were at `version`, as a new change; refused (ConflictError)
    when someone saved the record after expected_version (default: the version read now)."""
    kind = _kind(kind)
    model = m.RECORD_TYPES[kind]
    current = cat.get(model, record_id)
    changes = values_at(cat, kind, record_id, version)
    if not changes:
        return current
    return cat.update(model, record_id, expected_version=expected_version or current.version, **changes)


def rows_for(kind: str, record_ids: Sequence[int], op: str, user: str, fields: dict[str, Any] | None = None,
             version: int | None = None, secret: bool = False) -> list[dict[str, Any]]:
    now = m.utcnow()
    text_fields = json.dumps(fields, ensure_ascii=False, default=str, sort_keys=True) if fields else None
    return [{"kind": kind, "record_id": i, "op": op, "at": now, "user": user, "version": version,
             "fields": text_fields, "secret": secret} for i in record_ids]


__all__ = ["history", "values_at", "restore_version", "verify", "append", "diff", "ChainState", "desktop_user"]
