"""Team commands: admin (roles and users), migrate, backup, restore, sync."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kbase.cli.common import open_catalogue
from kbase.errors import InvalidInput, LibraryError
from kbase.library.db import default_location, open_library, redact


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("admin", parents=[common], help="roles and users of a PostgreSQL team library")
    admin = p.add_subparsers(dest="admin_command", metavar="ACTION")
    a = admin.add_parser("setup", parents=[common],
                         help="create the roles, grants and confidentiality rules (re-runnable)")
    a.set_defaults(run=cmd_setup)
    a = admin.add_parser("user", parents=[common], help="create a login or change its role and password")
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["reader", "librarian", "admin"])
    a.add_argument("--password", help="default: a new random one, printed once")
    a.add_argument("--confidential", action="store_true", help="may see confidential records (admins always may)")
    a.set_defaults(run=cmd_user)
    a = admin.add_parser("users", parents=[common], help="list the logins with a Kbase role")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_users)
    a = admin.add_parser("drop-user", parents=[common], help="remove a login")
    a.add_argument("name")
    a.set_defaults(run=cmd_drop_user)
    p.set_defaults(run=lambda args: _need_action(p))

    p = subs.add_parser("migrate", parents=[common],
                        help="copy a whole library into a new one (SQLite ⇄ PostgreSQL), verified")
    p.add_argument("source", metavar="SOURCE", help="library folder or postgresql+psycopg:// URL")
    p.add_argument("target", metavar="TARGET", help="new library folder or URL of an empty database")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_migrate)

    p = subs.add_parser("backup", parents=[common], help="write a library to one archive: kbase backup [LIB] FILE")
    p.add_argument("parts", nargs="+", metavar="[LIB] FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_backup)

    p = subs.add_parser("restore", parents=[common],
                        help="restore an archive into a new library: kbase restore FILE [LIB]")
    p.add_argument("parts", nargs="+", metavar="FILE [LIB]")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_restore)

    p = subs.add_parser("sync", parents=[common],
                        help="bring this desktop's search index up to date from the catalogue")
    p.set_defaults(run=cmd_sync)


def _need_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _progress(args: argparse.Namespace) -> Any:
    if getattr(args, "json", False) or not sys.stderr.isatty():
        return None
    return lambda msg: print(f"  {msg}", file=sys.stderr)


def cmd_setup(args: argparse.Namespace) -> int:
    from kbase.team import roles

    lib = open_library(getattr(args, "library", None))
    try:
        for line in roles.setup(lib):
            print(line)
    finally:
        lib.close()
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    from kbase.team import roles

    lib = open_library(getattr(args, "library", None))
    try:
        password = roles.add_user(lib, args.name, args.role, args.password, args.confidential)
    finally:
        lib.close()
    extra = " (may see confidential records)" if args.confidential or args.role == "admin" else ""
    print(f"user {args.name}: {args.role}{extra}")
    if not args.password:
        print(f"password: {password}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from kbase.cli import emit
    from kbase.cli.common import print_rows
    from kbase.team import roles

    lib = open_library(getattr(args, "library", None))
    try:
        users = roles.list_users(lib)
    finally:
        lib.close()
    emit(args, users, lambda rows: print_rows(rows, ["user", "role", "confidential"]))
    return 0


def cmd_drop_user(args: argparse.Namespace) -> int:
    from kbase.team import roles

    lib = open_library(getattr(args, "library", None))
    try:
        roles.drop_user(lib, args.name)
    finally:
        lib.close()
    print(f"user {args.name} removed")
    return 0


def _report(args: argparse.Namespace, verb: str, where: str, report: Any) -> int:
    from kbase.cli import emit

    data = {"ok": report.ok, "target": redact(where), "tables": report.tables, "files": report.files,
            "bytes": report.bytes, "problems": report.problems, "cleaned": getattr(report, "cleaned", {})}

    def human(d: dict[str, Any]) -> None:
        rows = sum(t["rows"] for t in d["tables"].values())
        print(f"{verb} {redact(where)}: {len(d['tables'])} tables, {rows} rows, {d['files']} files "
              f"({d['bytes'] / 1e6:.1f} MB)")
        for table, n in sorted(d["cleaned"].items()):
            print(f"  {table}: {n} values had NUL or other control characters, removed on the way")
        for problem in d["problems"]:
            print(f"  problem: {problem}")
        print("verified: row counts, table digests and file checksums match" if d["ok"] else "verification FAILED")

    emit(args, data, human)
    if not report.ok:
        raise LibraryError(f"{verb.lower()} {redact(where)} does not match its source "
                           f"({len(report.problems)} problems)")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from kbase.team.copy import migrate

    return _report(args, "Copied into", args.target, migrate(args.source, args.target, _progress(args)))


def cmd_backup(args: argparse.Namespace) -> int:
    from kbase.team.backup import backup

    if len(args.parts) > 2:
        raise InvalidInput("kbase backup takes at most LIB and FILE")
    if len(args.parts) == 2:
        lib, archive = args.parts
    else:
        lib, archive = getattr(args, "library", None) or default_location(), args.parts[0]
    return _report(args, "Backed up to", archive, backup(lib, archive, _progress(args)))


def cmd_restore(args: argparse.Namespace) -> int:
    from kbase.team.backup import restore

    if len(args.parts) > 2:
        raise InvalidInput("kbase restore takes FILE and at most LIB")
    if len(args.parts) == 2:
        archive, lib = args.parts
    else:
        archive, lib = args.parts[0], getattr(args, "library", None) or default_location()
    return _report(args, "Restored into", lib, restore(archive, lib, _progress(args)))


def cmd_sync(args: argparse.Namespace) -> int:
    from kbase.search.indexing import sync

    cat = open_catalogue(args)
    notes: list[str] = []
    try:
        applied = sync(cat, notes)
    finally:
        cat.library.close()
    for note in notes:
        print(note)
    print(f"index up to date ({applied} change{'s' if applied != 1 else ''} applied)")
    return 0
