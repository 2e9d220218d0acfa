"""`kbase migrate SOURCE TARGET`: copy a whole library between SQLite and PostgreSQL, then verify it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from kbase.errors import LibraryError
from kbase.i18n import N_
from kbase.library.db import Library, open_library, redact
from kbase.library.schema import current_revision
from kbase.team import dump
from kbase.team.files import check_files, read_bytes, write_local

Progress = Callable[[str], None]


@dataclass
class CopyReport:
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> rows, digest
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)
    # table -> values whose NUL or other control characters were removed on the way in
    cleaned: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def refuse_hidden_rows(lib: Library) -> None:
    """A copy made by a login that row-level security limits would silently miss records."""
    if not lib.is_shared:
        return
    with lib.engine.connect() as conn:
        hidden = conn.execute(text("SELECT row_security_active('publication')")).scalar()
        who = conn.execute(text("SELECT current_user")).scalar()
    if hidden:
        raise LibraryError(N_("user {who} cannot see every record of {library}; copy or back up the library as its "
                              "owner").format(who=who, library=redact(lib.location)))


def digesting(rows: Iterable[dict[str, Any]], into: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Pass rows through while counting and fingerprinting them like dump.summarize does."""
    digest = hashlib.sha256()
    n = 0
    for row in rows:
        digest.update(dump.row_line(row).encode())
        digest.update(b"\n")
        n += 1
        yield row
    into.update(rows=n, digest=digest.hexdigest())


def copy_files(src: Library, sconn: Connection, dst: Library, dconn: Connection, table: Table,
               rows: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """stored_file rows with their bytes: into the row for a team library, else into files/."""
    count = total = 0
    for row in rows:
        data = read_bytes(src, sconn, row["sha256"])
        if dst.is_shared:
            dconn.execute(table.insert(), [{**row, "content": data}])
        else:
            write_local(dst, row["sha256"], data)
            dconn.execute(table.insert(), [{**row, "content": None}])
        count += 1
        total += len(data)
    return count, total


def migrate(source: str, target: str, progress: Progress | None = None) -> CopyReport:
    """Copy every table (IDs kept) and every file from source into a new, empty target library.

    Text is cleaned on the way (kbase.text.clean_text: a NUL that an older SQLite library holds
    would make PostgreSQL refuse the whole copy); report.cleaned counts the values changed, and
    the target is verified against the cleaned rows."""
    say = progress or (lambda _msg: None)
    if source.rstrip("/") == target.rstrip("/"):
        raise LibraryError(N_("source and target are the same library"))
    src = open_library(source)
    try:
        dst = open_library(target, create=True)
    except BaseException:
        src.close()
        raise
    try:
        refuse_hidden_rows(src)
        rev_src, rev_dst = current_revision(src), current_revision(dst)
        if rev_src != rev_dst:
            raise LibraryError(N_("source schema {rev_src} differs from target schema {rev_dst}; upgrade Kbase and "
                                  "open both first").format(rev_src=rev_src, rev_dst=rev_dst))
        dump.ensure_empty(dst)
        report = CopyReport()
        try:
            with dump.snapshot(src) as sconn, dst.engine.begin() as dconn:
                targets = {t.name: t for t in dump.user_tables(dconn)}
                for table in dump.user_tables(sconn):
                    if table.name not in targets:
                        raise LibraryError(N_("the target library has no table {name}").format(name=table.name))
                    summary: dict[str, Any] = {}
                    # text is cleaned before it is fingerprinted: the target must hold the cleaned rows
                    rows = digesting(dump.clean_rows(dump.read_rows(sconn, table), report.cleaned, table.name), summary)
                    if table.name == "stored_file":
                        report.files, report.bytes = copy_files(src, sconn, dst, dconn, targets[table.name], rows)
                    else:
                        dump.insert_rows(dconn, targets[table.name], rows)
                    report.tables[table.name] = summary
                    say(f"{table.name}: {summary['rows']} rows")
                dump.reset_sequences(dconn, list(targets.values()))
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
            raise LibraryError(N_("copying into {library} failed, nothing was kept: {reason}").format(
                library=redact(target), reason=reason)) from exc
        say("verifying")
        report.problems = verify(dst, report.tables)
        return report
    finally:
        src.close()
        dst.close()


def verify(lib: Library, expected: dict[str, dict[str, Any]]) -> list[str]:
    """Counts and digests of every table against expected, and every file against its hash."""
    problems = dump.compare(expected, dump.summarize(lib))
    _count, _total, file_problems = check_files(lib)
    return problems + file_problems
