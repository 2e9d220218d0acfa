"""`kbase backup` / `kbase restore`: one zip archive (JSON lines per table + the files) for either kind of library."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy.exc import DBAPIError

from kbase.errors import InvalidInput, LibraryError
from kbase.i18n import N_
from kbase.library.db import open_library, redact
from kbase.library.schema import current_revision, head_revision, upgrade
from kbase.team import dump
from kbase.team.copy import CopyReport, digesting, refuse_hidden_rows, verify
from kbase.team.files import read_bytes, stored_rows, write_local

FORMAT = "kbase-backup"
FORMAT_VERSION = 1
Progress = Callable[[str], None]


def backup(location: str, archive: str | Path, progress: Progress | None = None) -> CopyReport:
    """Write the whole library, as one consistent snapshot, into a zip archive."""
    say = progress or (lambda _msg: None)
    archive = Path(archive)
    lib = open_library(location)
    partial = archive.with_name(f".{archive.name}.part")
    try:
        refuse_hidden_rows(lib)
        report = CopyReport()
        with dump.snapshot(lib) as conn, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
            revision = current_revision_on(conn)
            for table in dump.user_tables(conn):
                summary: dict[str, Any] = {}
                with zf.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as raw:
                    out = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
                    for row in digesting(dump.read_rows(conn, table), summary):
                        out.write(dump.row_line(row) + "\n")
                    out.flush()
                    out.detach()
                report.tables[table.name] = summary
                say(f"{table.name}: {summary['rows']} rows")
            for sha, _size in list(stored_rows(conn)):
                data = read_bytes(lib, conn, sha)
                # PDFs hardly shrink: storing them keeps backups fast
                zf.writestr(f"files/{sha}", data, compress_type=zipfile.ZIP_STORED)
                report.files += 1
                report.bytes += len(data)
            manifest = {
                "format": FORMAT, "version": FORMAT_VERSION, "schema": revision,
                "made": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "source": "postgresql" if lib.is_shared else "sqlite",
                "tables": report.tables, "files": report.files, "bytes": report.bytes,
            }
            zf.writestr("manifest.json", json.dumps(manifest, indent=1))
        report.problems = check_archive(partial, report)
        os.replace(partial, archive)
        return report
    except OSError as exc:
        raise LibraryError(N_("cannot write backup {archive}: {reason}").format(
            archive=archive, reason=exc.strerror or exc)) from exc
    finally:
        partial.unlink(missing_ok=True)
        lib.close()


def check_archive(path: Path, report: CopyReport) -> list[str]:
    """Read the new archive back: zip checksums, rows per table, and every file against its hash."""
    import hashlib

    problems = []
    with zipfile.ZipFile(path) as zf:
        bad = zf.testzip()
        if bad:
            return [N_("{bad} is damaged in the archive").format(bad=bad)]
        for name, summary in report.tables.items():
            rows = sum(1 for _ in _lines(zf, f"tables/{name}.jsonl"))
            if rows != summary["rows"]:
                problems.append(N_("table {name}: {rows} rows read, {archived} in the archive").format(
                    name=name, rows=summary['rows'], archived=rows))
        for member in zf.namelist():
            if member.startswith("files/") and hashlib.sha256(zf.read(member)).hexdigest() != member[6:]:
                problems.append(N_("{member} does not match its SHA-256 in the archive").format(member=member))
    return problems


def current_revision_on(conn: Any) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def read_manifest(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    try:
        manifest = json.loads(zf.read("manifest.json"))
    except (KeyError, ValueError) as exc:
        raise InvalidInput(N_("{name} is not a Kbase backup (no readable manifest.json)").format(name=name)) from exc
    if not isinstance(manifest, dict):
        raise InvalidInput(N_("{name} is not a Kbase backup (its manifest.json is not an object)").format(name=name))
    if manifest.get("format") != FORMAT:
        raise InvalidInput(N_("{name} is not a Kbase backup").format(name=name))
    if manifest.get("version", 0) > FORMAT_VERSION:
        raise InvalidInput(N_("{name} was made by a newer Kbase (backup format {version})").format(
            name=name, version=manifest.get('version')))
    return manifest


def restore(archive: str | Path, location: str, progress: Progress | None = None) -> CopyReport:
    """Pour a backup into a new, empty library and check it against the archive's fingerprints.

    Text is cleaned on the way in (kbase.text.clean_text), as `migrate` does: a backup of an older
    SQLite library may hold a NUL, which PostgreSQL refuses. The archive's rows are checked against
    the manifest's fingerprints as read, and the library against the cleaned rows."""
    say = progress or (lambda _msg: None)
    archive = Path(archive)
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:  # (zipfile says it in English: "File is not a zip file")
        raise InvalidInput(N_("cannot read backup {archive}: it is not a ZIP archive").format(archive=archive)) from exc
    except OSError as exc:
        raise InvalidInput(N_("cannot read backup {archive}: {reason}").format(
            archive=archive, reason=exc.strerror or exc)) from exc
    with zf:
        manifest = read_manifest(zf, str(archive))
        lib = open_library(location, create=True, migrate=False)
        try:
            _prepare_schema(lib, manifest["schema"], str(archive))
            dump.ensure_empty(lib)
            report = CopyReport(files=manifest.get("files", 0), bytes=manifest.get("bytes", 0))
            names = set(zf.namelist())
            # per table: rows and digest of the archive's rows as read, and of the rows restored
            archived: dict[str, dict[str, Any]] = {}
            restored: dict[str, dict[str, Any]] = {}
            try:
                with lib.engine.begin() as conn:
                    tables = dump.user_tables(conn)
                    for table in tables:
                        member = f"tables/{table.name}.jsonl"
                        if member not in names:
                            continue  # a table newer than the backup stays empty
                        archived[table.name], restored[table.name] = {}, {}
                        rows = _restored_rows(zf, member, table, archived[table.name], restored[table.name],
                                              report.cleaned)
                        if table.name == "stored_file":
                            rows = (_with_content(lib, zf, row) for row in rows)
                        # file contents ride in stored_file rows: keep few of them in memory
                        n = dump.insert_rows(conn, table, rows, size=10 if table.name == "stored_file" else dump.BATCH)
                        say(f"{table.name}: {n} rows")
                    dump.reset_sequences(conn, tables)
            except DBAPIError as exc:
                reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
                raise LibraryError(N_("restoring into {library} failed, nothing was kept: {reason}").format(
                    library=redact(location), reason=reason)) from exc
            say("verifying")
            report.tables = manifest["tables"]
            # a damaged or tampered archive shows here, a faulty restore in verify
            report.problems = dump.compare(manifest["tables"], archived) + verify(lib, restored)
            if not report.problems and manifest["schema"] != head_revision():
                upgrade(lib)  # bring an older backup up to this Kbase's schema once it is verified
            return report
        finally:
            lib.close()


def _prepare_schema(lib: Any, revision: str | None, name: str) -> None:
    """The empty target gets the backup's schema, so its rows fit column for column."""
    from alembic.script import ScriptDirectory

    from kbase.library.schema import _config

    if revision is None:
        raise InvalidInput(N_("{name} holds no schema version").format(name=name))
    try:
        ScriptDirectory.from_config(_config()).get_revision(revision)
    except Exception as exc:  # alembic raises several kinds for an unknown revision
        raise InvalidInput(N_("{name} was made by a newer Kbase (schema {revision}); upgrade Kbase first").format(
            name=name, revision=revision)) from exc
    current = current_revision(lib)
    if current is None:
        upgrade(lib, revision)
    elif current != revision:
        raise LibraryError(N_("the target library has schema {current}, the backup {revision}; restore into a new "
                              "library").format(current=current, revision=revision))


def _lines(zf: zipfile.ZipFile, member: str) -> Iterator[str]:
    with zf.open(member) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            if line.strip():
                yield line


def _restored_rows(zf: zipfile.ZipFile, member: str, table: Any, archived: dict[str, Any],
                   restored: dict[str, Any], cleaned: dict[str, int]) -> Iterator[dict[str, Any]]:
    """A table's rows from the archive, cleaned; fingerprints of the rows as archived and as restored.

    A row line is dump.row_line of the row: its fingerprint is the line's, and an unchanged row's
    restored line is the archived one, so a clean backup costs no second serialisation."""
    raw, out, n = hashlib.sha256(), hashlib.sha256(), 0
    for line in _lines(zf, member):
        line = line.rstrip("\n")
        row, changed = dump.clean_row(dump.typed(table, json.loads(line)))
        raw.update(line.encode())
        raw.update(b"\n")
        if changed:
            cleaned[table.name] = cleaned.get(table.name, 0) + changed
            out.update(dump.row_line(row).encode())
        else:
            out.update(line.encode())
        out.update(b"\n")
        n += 1
        yield row
    archived.update(rows=n, digest=raw.hexdigest())
    restored.update(rows=n, digest=out.hexdigest())


def _with_content(lib: Any, zf: zipfile.ZipFile, row: dict[str, Any]) -> dict[str, Any]:
    try:
        data = zf.read(f"files/{row['sha256']}")
    except KeyError:
        raise InvalidInput(N_("the backup lacks file {file}…").format(file=row['sha256'][:12])) from None
    if lib.is_shared:
        return {**row, "content": data}
    write_local(lib, row["sha256"], data)
    return {**row, "content": None}
