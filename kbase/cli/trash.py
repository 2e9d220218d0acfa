"""`kbase trash`: what deleting put aside; restore it, or empty the trash."""

from __future__ import annotations

import argparse
import json

from kbase.catalogue import trash
from kbase.catalogue.columns import table_of
from kbase.catalogue.records import record_type
from kbase.cli.common import open_catalogue, print_rows
from kbase.i18n import gettext as _
from kbase.i18n import ngettext


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("trash", parents=[common], help=_("deleted records: list, restore, empty, days"))
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    a = acts.add_parser("list", parents=[common], help=_("what the trash holds, newest first"))
    a.add_argument("record_type", metavar="TYPE", nargs="?")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_list)
    a = acts.add_parser("restore", parents=[common],
                        help=_("put a record back with its links: kbase trash restore TYPE ID"))
    a.add_argument("record_type", metavar="TYPE")
    a.add_argument("id", type=int)
    a.set_defaults(run=cmd_restore)
    a = acts.add_parser("empty", parents=[common], help=_("delete for good what the trash holds"))
    a.add_argument("--older-than", type=float, metavar="DAYS", help=_("only what went there more than DAYS ago"))
    a.set_defaults(run=cmd_empty)
    a = acts.add_parser("days", parents=[common], help=_("how long the trash keeps records (0: until emptied)"))
    a.add_argument("days", type=int, nargs="?", help=_("set it (default 30)"))
    a.set_defaults(run=cmd_days)


def _kind(name: str) -> str:
    return table_of(record_type(name)).name


def cmd_list(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    rows = trash.trash_entries(cat, _kind(args.record_type) if args.record_type else None)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    print_rows([{**r, "deleted": r["deleted"].strftime("%Y-%m-%d %H:%M")} for r in rows],
               ["kind", "id", "deleted", "user", "label"])
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    kind = _kind(args.record_type)
    new_id = trash.restore_from_trash(cat, kind, args.id)
    if new_id != args.id:
        print(_("restored {record} (its ID {id} went to a newer record)").format(record=f"{kind} {new_id}", id=args.id))
    else:
        print(_("restored {record}").format(record=f"{kind} {new_id}"))
    from kbase.search import indexing

    indexing.sync(cat)
    return 0


def cmd_empty(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    n = trash.empty_trash(cat, args.older_than)
    print(ngettext("emptied the trash: {n} record deleted for good",
                   "emptied the trash: {n} records deleted for good", n).format(n=n))
    return 0


def cmd_days(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    if args.days is not None:
        trash.set_trash_days(cat, args.days)
    days = trash.trash_days(cat)
    print(ngettext("the trash keeps records {n} day", "the trash keeps records {n} days", days).format(n=days) if days
          else _("the trash keeps records until it is emptied"))
    return 0
