"""Team commands: admin (roles and users), migrate, backup, restore, sync."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kbase.cli.common import open_catalogue
from kbase.errors import InvalidInput, LibraryError
from kbase.i18n import N_, en_ngettext, ngettext, number, translate
from kbase.i18n import gettext as _
from kbase.library.db import default_location, open_library, redact


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("admin", parents=[common], help=_("roles and users of a PostgreSQL team library"))
    admin = p.add_subparsers(dest="admin_command", metavar="ACTION")
    a = admin.add_parser("setup", parents=[common],
                         help=_("create the roles, grants and confidentiality rules (re-runnable)"))
    a.set_defaults(run=cmd_setup)
    a = admin.add_parser("user", parents=[common], help=_("create a login or change its role and password"))
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["reader", "librarian", "admin"])
    a.add_argument("--password", help=_("default: a new random one, printed once"))
    a.add_argument("--confidential", action="store_true", help=_("may see confidential records (admins always may)"))
    a.set_defaults(run=cmd_user)
    a = admin.add_parser("users", parents=[common], help=_("list the logins with a Kbase role"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_users)
    a = admin.add_parser("drop-user", parents=[common], help=_("remove a login"))
    a.add_argument("name")
    a.set_defaults(run=cmd_drop_user)
    p.set_defaults(run=lambda args: _need_action(p))

    p = subs.add_parser("migrate", parents=[common],
                        help=_("copy a whole library into a new one (SQLite ⇄ PostgreSQL), verified"))
    p.add_argument("source", metavar="SOURCE", help=_("library folder or postgresql+psycopg:// URL"))
    p.add_argument("target", metavar="TARGET", help=_("new library folder or URL of an empty database"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_migrate)

    p = subs.add_parser("backup", parents=[common], help=_("write a library to one archive: kbase backup [LIB] FILE"))
    p.add_argument("parts", nargs="+", metavar="[LIB] FILE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_backup)

    p = subs.add_parser("restore", parents=[common],
                        help=_("restore an archive into a new library: kbase restore FILE [LIB]"))
    p.add_argument("parts", nargs="+", metavar="FILE [LIB]")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_restore)

    p = subs.add_parser("sync", parents=[common],
                        help=_("bring this desktop's search index up to date from the catalogue"))
    p.set_defaults(run=cmd_sync)


def _need_action(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def _progress(args: argparse.Namespace) -> Any:
    if getattr(args, "json", False) or not sys.stderr.isatty():
        return None
    return lambda msg: print(f"  {translate(msg)}", file=sys.stderr)


def cmd_setup(args: argparse.Namespace) -> int:
    from kbase.team import roles

    lib = open_library(getattr(args, "library", None))
    try:
        for line in roles.setup(lib):
            print(translate(line))
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
    if args.confidential or args.role == "admin":
        print(_("user {name}: {role} (may see confidential records)").format(name=args.name, role=args.role))
    else:
        print(_("user {name}: {role}").format(name=args.name, role=args.role))
    if not args.password:
        print(_("password: {password}").format(password=password))
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from kbase.cli.app import emit
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
    print(_("user {name} removed").format(name=args.name))
    return 0


# what a copy did, said of its target ("Copied into /srv/lib"); N_: translated where it is printed
COPIED, BACKED_UP, RESTORED = N_("Copied into {target}"), N_("Backed up to {target}"), N_("Restored into {target}")


def _report(args: argparse.Namespace, verb: str, where: str, report: Any) -> int:
    from kbase.cli.app import emit

    data = {"ok": report.ok, "target": redact(where), "tables": report.tables, "files": report.files,
            "bytes": report.bytes, "problems": report.problems, "cleaned": getattr(report, "cleaned", {})}

    def human(d: dict[str, Any]) -> None:
        rows = sum(t["rows"] for t in d["tables"].values())
        sizes = [ngettext("{n} table", "{n} tables", len(d["tables"])).format(n=number(len(d["tables"]))),
                 ngettext("{n} row", "{n} rows", rows).format(n=number(rows)),
                 ngettext("{n} file", "{n} files", d["files"]).format(n=number(d["files"]))]
        print(_("{what}: {sizes} ({megabytes} MB)").format(what=_(verb).format(target=redact(where)),
                                                           sizes=", ".join(sizes),
                                                           megabytes=number(d["bytes"] / 1e6, 1)))
        for table, n in sorted(d["cleaned"].items()):
            print("  " + ngettext("{table}: {n} value had NUL or other control characters, removed on the way",
                                  "{table}: {n} values had NUL or other control characters, removed on the way",
                                  n).format(table=table, n=n))
        for problem in d["problems"]:
            print("  " + _("problem: {message}").format(message=problem))
        print(_("verified: row counts, table digests and file checksums match") if d["ok"]
              else _("verification FAILED"))

    emit(args, data, human)
    if not report.ok:
        raise LibraryError(en_ngettext("{what} does not match its source ({n} problem)",
                                       "{what} does not match its source ({n} problems)", len(report.problems))
                           .format(what=verb.format(target=redact(where)), n=len(report.problems)))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from kbase.team.copy import migrate

    return _report(args, COPIED, args.target, migrate(args.source, args.target, _progress(args)))


def cmd_backup(args: argparse.Namespace) -> int:
    from kbase.team.backup import backup

    if len(args.parts) > 2:
        raise InvalidInput(N_("kbase backup takes at most LIB and FILE"))
    if len(args.parts) == 2:
        lib, archive = args.parts
    else:
        lib, archive = getattr(args, "library", None) or default_location(), args.parts[0]
    return _report(args, BACKED_UP, archive, backup(lib, archive, _progress(args)))


def cmd_restore(args: argparse.Namespace) -> int:
    from kbase.team.backup import restore

    if len(args.parts) > 2:
        raise InvalidInput(N_("kbase restore takes FILE and at most LIB"))
    if len(args.parts) == 2:
        archive, lib = args.parts
    else:
        archive, lib = args.parts[0], getattr(args, "library", None) or default_location()
    return _report(args, RESTORED, lib, restore(archive, lib, _progress(args)))


def cmd_sync(args: argparse.Namespace) -> int:
    from kbase.search.indexing import sync

    cat = open_catalogue(args)
    notes: list[str] = []
    try:
        applied = sync(cat, notes)
    finally:
        cat.library.close()
    for note in notes:
        print(translate(note))
    print(ngettext("index up to date ({n} change applied)", "index up to date ({n} changes applied)", applied)
          .format(n=applied))
    return 0
