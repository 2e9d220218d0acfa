"""Around a record: notes (`kbase note`), related publications (`kbase relate`, `unrelate`) and
attachments that are files of any kind or links (`kbase attach`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kbase.catalogue import notes, relations
from kbase.catalogue.columns import table_of
from kbase.catalogue.records import record_type
from kbase.cli.common import open_catalogue, print_rows
from kbase.errors import InvalidInput, NotFound


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("note", parents=[common], help="notes on any record: add, list, edit, delete")
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    a = acts.add_parser("add", parents=[common], help="a new note: kbase note add TYPE ID [TEXT | --file F]")
    a.add_argument("record_type", metavar="TYPE")
    a.add_argument("id", type=int)
    a.add_argument("text", nargs="?", help="the note (Markdown); or --file, or standard input with --file -")
    a.add_argument("--file", "-f", help="read the note from this file (- for standard input)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_note_add)
    a = acts.add_parser("list", parents=[common], help="notes of one record, of one type, or all")
    a.add_argument("record_type", metavar="TYPE", nargs="?")
    a.add_argument("id", type=int, nargs="?")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_note_list)
    a = acts.add_parser("edit", parents=[common],
                        help="replace a note's text: kbase note edit NOTE_ID [TEXT | --file F]")
    a.add_argument("note_id", type=int)
    a.add_argument("text", nargs="?")
    a.add_argument("--file", "-f")
    a.set_defaults(run=cmd_note_edit)
    a = acts.add_parser("delete", parents=[common], help="delete a note")
    a.add_argument("note_id", type=int)
    a.set_defaults(run=cmd_note_delete)

    names = ", ".join(relations.RELATIONS)
    for verb, helptext in (("relate", "say how two publications relate: kbase relate 12 'translation of' 7"),
                           ("unrelate", "remove a relation between two publications")):
        p = subs.add_parser(verb, parents=[common], help=helptext)
        p.add_argument("publication", type=int, metavar="PUB_ID")
        p.add_argument("relation", metavar="RELATION", help=f"{names} (or an inverse: has translation, has chapter…)")
        p.add_argument("other", type=int, metavar="PUB_ID")
        p.set_defaults(run=cmd_relate if verb == "relate" else cmd_unrelate)

    p = subs.add_parser("attach", parents=[common], help="attach a file of any kind, or a link, to a publication")
    p.add_argument("publication", type=int, metavar="PUB_ID")
    p.add_argument("target", metavar="FILE-or-URL", help="a PDF (its text is read), any other file (kept as it is) "
                                                         "or an http(s):// address")
    p.add_argument("--title", help="a link's title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_attach)


def _kind(name: str) -> str:
    if name.lower().rstrip("s") == "collection":
        return "collection"
    return table_of(record_type(name)).name


def _text(args: argparse.Namespace) -> str:
    if args.file and args.text:
        raise InvalidInput("give the note's text or --file, not both")
    if args.file == "-":
        return sys.stdin.read()
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise NotFound(f"cannot read {args.file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise InvalidInput(f"{args.file} is not UTF-8 text") from None
    if args.text is None:
        raise InvalidInput("what does the note say? give its text, or --file F")
    return str(args.text)


def _sync(cat: Any) -> None:
    from kbase.search import indexing

    indexing.sync(cat)


def cmd_note_add(args: argparse.Namespace) -> int:
    text = _text(args)
    cat = open_catalogue(args)
    note = notes.add_note(cat, _kind(args.record_type), args.id, text)
    print(json.dumps(note, ensure_ascii=False, default=str) if args.json
          else f"added note {note['id']} to {note['kind']} {note['record_id']}")
    _sync(cat)
    return 0


def note_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Notes for a table: the record, the time, the first line."""
    out = []
    for n in rows:
        first = n["text"].strip().splitlines()[0] if n["text"].strip() else ""
        more = "…" if len(first) > 70 or "\n" in n["text"].strip() else ""
        out.append({"id": n["id"], "record": f"{n['kind']} {n['record_id']}",
                    "updated": n["updated"].strftime("%Y-%m-%d %H:%M"), "text": first[:70] + more})
    return out


def cmd_note_list(args: argparse.Namespace) -> int:
    if args.id is not None and args.record_type is None:
        raise InvalidInput("kbase note list [TYPE [ID]]")
    cat = open_catalogue(args)
    kind = _kind(args.record_type) if args.record_type else None
    rows = notes.notes(cat, kind, args.id)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    else:
        print_rows(note_rows(rows), ["id", "record", "updated", "text"])
    return 0


def cmd_note_edit(args: argparse.Namespace) -> int:
    text = _text(args)
    cat = open_catalogue(args)
    note = notes.edit_note(cat, args.note_id, text)
    print(f"saved note {note['id']} on {note['kind']} {note['record_id']}")
    _sync(cat)
    return 0


def cmd_note_delete(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    note = notes.delete_note(cat, args.note_id)
    print(f"deleted note {note['id']} from {note['kind']} {note['record_id']}")
    _sync(cat)
    return 0


def cmd_relate(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    made = relations.relate(cat, args.publication, args.relation, args.other)
    name, swapped = relations.relation_name(args.relation)
    a, b = (args.other, args.publication) if swapped else (args.publication, args.other)
    print(f"publication {a} is {name} publication {b}" + ("" if made else " (already)"))
    return 0


def cmd_unrelate(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    if not relations.unrelate(cat, args.publication, args.relation, args.other):
        raise NotFound(f"publication {args.publication} is not {args.relation} publication {args.other}")
    print(f"removed: publication {args.publication} {args.relation} publication {args.other}")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    from kbase.imports.attach import attach

    cat = open_catalogue(args)
    done = attach(cat, args.publication, args.target, args.title)
    if args.json:
        print(json.dumps(done, ensure_ascii=False, default=str))
    elif done["kind"] == "link":
        print(f"linked {done['url']} to publication {done['publication_id']} (link {done['id']})")
    elif done["kind"] == "file":
        print(f"attached {done['filename']} ({done['mime']}) to publication {done['publication_id']} "
              f"(attachment {done['id']})")
    else:
        if done["id"] is None:
            why = f": {done['message']}" if done["message"] else ""
            raise InvalidInput(f"{done['filename']}: {done['status']}{why}")
        print(f"attached {done['filename']} to publication {done['publication_id']} (attachment {done['id']}, "
              f"{done['status']})")
    _sync(cat)
    return 0
