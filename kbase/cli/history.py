"""`kbase history TYPE ID`: who changed which fields of a record, and when; --restore VERSION puts them back."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kbase.catalogue import history
from kbase.catalogue.records import kind_of, record_type
from kbase.cli.common import open_catalogue
from kbase.i18n import gettext as _
from kbase.i18n import language
from kbase.labels import HISTORY_OPS, changed_field, field_label


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("history", parents=[common], help=_("a record's changes: who, when, which fields (old → new)"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("id", type=int)
    p.add_argument("--json", action="store_true")
    p.add_argument("--restore", type=int, metavar="VERSION",
                   help=_("put the record's fields back as they were at VERSION (a new change; refused if "
                          "someone saves meanwhile)"))
    p.set_defaults(run=cmd_history)


def _short(value: Any) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _field(name: str) -> str:
    """A changed field as stored in English ("publisher_id", which `kbase edit` takes), else as the app labels it."""
    if language() == "en":
        return name
    return field_label(changed_field(name))


def cmd_history(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    kind = kind_of(record_type(args.record_type))
    if args.restore is not None:
        obj = history.restore_version(cat, kind, args.id, args.restore)
        print(_("{record} restored to its fields of version {version} (now version {current})").format(
            record=f"{kind} {args.id}", version=args.restore, current=obj.version))
        return 0
    rows = history.history(cat, kind, args.id)
    if args.json:
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(_("no recorded change of {record}").format(record=f"{kind} {args.id}"))
    for h in rows:
        who = h["user"] or "?"
        if h["db_user"] and h["db_user"] != who:
            who += f" ({h['db_user']})"
        version = f" → v{h['version']}" if h["version"] else ""
        op = h["op"] if language() == "en" else _(HISTORY_OPS.get(h["op"], h["op"]))  # "fiche créée"
        print(f"#{h['seq']} {h['at']:%Y-%m-%d %H:%M:%S} {who}{_(': ')}{op}{version}")
        for name, (old, new) in sorted(h["fields"].items()):
            print(f"    {_field(name)}{_(': ')}{_short(old)} → {_short(new)}")
    return 0
