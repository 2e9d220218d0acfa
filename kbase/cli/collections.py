"""`kbase collection`: make, fill, rename, move and delete collections; list them."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kbase.catalogue import collections as coll
from kbase.catalogue.columns import table_of
from kbase.catalogue.records import record_type
from kbase.cli.common import open_catalogue, print_rows
from kbase.errors import InvalidInput
from kbase.i18n import N_, ngettext
from kbase.i18n import gettext as _


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("collection", parents=[common],
                        help=_("collections: add, put, remove, rename, move, delete, list"))
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    a = acts.add_parser("add", parents=[common],
                        help=_("a new collection: kbase collection add NAME [--parent ID|PATH]"))
    a.add_argument("name")
    a.add_argument("--parent", metavar="ID-or-PATH", help=_("the collection it goes in (made if missing when a path)"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_add)
    for verb, helptext in (("put", N_("put records in a collection: kbase collection put COLL TYPE ID…")),
                           ("remove", N_("take records out of a collection (they stay in the catalogue)"))):
        a = acts.add_parser(verb, parents=[common], help=_(helptext))
        a.add_argument("collection", metavar="COLL", help=_("collection ID, name or path"))
        a.add_argument("record_type", metavar="TYPE")
        a.add_argument("ids", type=int, nargs="+", metavar="ID")
        a.set_defaults(run=cmd_put if verb == "put" else cmd_remove)
    a = acts.add_parser("rename", parents=[common], help=_("rename a collection"))
    a.add_argument("collection", metavar="COLL")
    a.add_argument("name")
    a.set_defaults(run=cmd_rename)
    a = acts.add_parser("move", parents=[common], help=_("move a collection under another (--top: to the top level)"))
    a.add_argument("collection", metavar="COLL")
    a.add_argument("parent", metavar="PARENT", nargs="?")
    a.add_argument("--top", action="store_true")
    a.set_defaults(run=cmd_move)
    a = acts.add_parser("delete", parents=[common],
                        help=_("delete a collection and those below it (not their records)"))
    a.add_argument("collection", metavar="COLL")
    a.set_defaults(run=cmd_delete)
    a = acts.add_parser("list", parents=[common], help=_("every collection with its path and size"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_list)


def _kind(name: str) -> str:
    return table_of(record_type(name)).name


def _parent(cat: Any, ref: str | None) -> int | None:
    if not ref:
        return None
    if ref.strip().isdigit():
        return coll.find_collection(cat, ref)
    return coll.ensure_collection_path(cat, [p for p in ref.split(coll.SEPARATOR) if p.strip()])


def cmd_add(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    row = coll.add_collection(cat, args.name, _parent(cat, args.parent))
    print(json.dumps(row, ensure_ascii=False, default=str) if args.json
          else _("added collection {id}: {path}").format(id=row["id"], path=row["path"]))
    return 0


def cmd_put(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    cid = coll.find_collection(cat, args.collection)
    kind = _kind(args.record_type)
    added = coll.put(cat, cid, kind, args.ids)
    already = len(set(args.ids)) - added
    said = ngettext("put {n} {kind} record in collection {id}", "put {n} {kind} records in collection {id}",
                    added).format(n=added, kind=kind, id=cid)
    if already > 0:
        said += " " + ngettext("({n} was in it already)", "({n} were in it already)", already).format(n=already)
    print(said)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    cid = coll.find_collection(cat, args.collection)
    gone = coll.remove(cat, cid, _kind(args.record_type), args.ids)
    print(ngettext("took {n} record out of collection {id}", "took {n} records out of collection {id}", gone)
          .format(n=gone, id=cid))
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    cid = coll.find_collection(cat, args.collection)
    coll.rename_collection(cat, cid, args.name)
    print(_("renamed collection {id} to {name}").format(id=cid, name=repr(args.name)))
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    if bool(args.parent) == bool(args.top):
        raise InvalidInput(N_("give the collection to move it into, or --top"))
    cat = open_catalogue(args)
    cid = coll.find_collection(cat, args.collection)
    coll.move_collection(cat, cid, None if args.top else coll.find_collection(cat, args.parent))
    print(_("moved collection {id}").format(id=cid))
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    cid = coll.find_collection(cat, args.collection)
    n = coll.delete_collection(cat, cid)
    if n > 1:
        print(ngettext("deleted collection {id} and {n} below it", "deleted collection {id} and {n} below it",
                       n - 1).format(id=cid, n=n - 1))
    else:
        print(_("deleted collection {id}").format(id=cid))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    print_collections(coll.collections(cat), getattr(args, "json", False))
    return 0


def print_collections(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    else:
        print_rows(rows, ["id", "count", "path"])
