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
from kbase.i18n import N_
from kbase.i18n import gettext as _


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("note", parents=[common], help=_("notes on any record: add, list, edit, delete"))
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    a = acts.add_parser("add", parents=[common], help=_("a new note: kbase note add TYPE ID [TEXT | --file F]"))
    a.add_argument("record_type", metavar="TYPE")
    a.add_argument("id", type=int)
    a.add_argument("text", nargs="?", help=_("the note (Markdown); or --file, or standard input with --file -"))
    a.add_argument("--file", "-f", help=_("read the note from this file (- for standard input)"))
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_note_add)
    a = acts.add_parser("list", parents=[common], help=_("notes of one record, of one type, or all"))
    a.add_argument("record_type", metavar="TYPE", nargs="?")
    a.add_argument("id", type=int, nargs="?")
    a.add_argument("--json", action="store_true")
    a.set_defaults(run=cmd_note_list)
    a = acts.add_parser("edit", parents=[common],
                        help=_("replace a note's text: kbase note edit NOTE_ID [TEXT | --file F]"))
    a.add_argument("note_id", type=int)
    a.add_argument("text", nargs="?")
    a.add_argument("--file", "-f")
    a.set_defaults(run=cmd_note_edit)
    a = acts.add_parser("delete", parents=[common], help=_("delete a note"))
    a.add_argument("note_id", type=int)
    a.set_defaults(run=cmd_note_delete)

    names = ", ".join(relations.RELATIONS)
    for verb, helptext in (("relate", N_("say how two publications relate: kbase relate 12 'translation of' 7")),
                           ("unrelate", N_("remove a relation between two publications"))):
        p = subs.add_parser(verb, parents=[common], help=_(helptext))
        p.add_argument("publication", type=int, metavar="PUB_ID")
        p.add_argument("relation", metavar="RELATION",
                       help=_("{names} (or an inverse: has translation, has chapter…)").format(names=names))
        p.add_argument("other", type=int, metavar="PUB_ID")
        p.set_defaults(run=cmd_relate if verb == "relate" else cmd_unrelate)

    p = subs.add_parser("attach", parents=[common], help=_("attach a file of any kind, or a link, to a publication"))
    p.add_argument("publication", type=int, metavar="PUB_ID")
    p.add_argument("target", metavar="FILE-or-URL", help=_("a PDF (its text is read), any other file (kept as it is) "
                                                           "or an http(s):// address"))
    p.add_argument("--title", help=_("a link's title"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_attach)


def _kind(name: str) -> str:
    if name.lower().rstrip("s") == "collection":
        return "collection"
    return table_of(record_type(name)).name


def _text(args: argparse.Namespace) -> str:
    if args.file and args.text:
        raise InvalidInput(N_("give the note's text or --file, not both"))
    if args.file == "-":
        return sys.stdin.read()
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise NotFound(N_("cannot read {path}: {reason}").format(path=args.file,
                                                                      reason=exc.strerror or exc)) from None
        except UnicodeDecodeError:
            raise InvalidInput(N_("{path} is not UTF-8 text").format(path=args.file)) from None
    if args.text is None:
        raise InvalidInput(N_("what does the note say? give its text, or --file F"))
    return str(args.text)


def _sync(cat: Any) -> None:
    from kbase.search import indexing

    indexing.sync(cat)


def cmd_note_add(args: argparse.Namespace) -> int:
    text = _text(args)
    cat = open_catalogue(args)
    note = notes.add_note(cat, _kind(args.record_type), args.id, text)
    print(json.dumps(note, ensure_ascii=False, default=str) if args.json
          else _("added note {id} to {record}").format(id=note["id"], record=f"{note['kind']} {note['record_id']}"))
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
        raise InvalidInput(N_("kbase note list [TYPE [ID]]"))
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
    print(_("saved note {id} on {record}").format(id=note["id"], record=f"{note['kind']} {note['record_id']}"))
    _sync(cat)
    return 0


def cmd_note_delete(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    note = notes.delete_note(cat, args.note_id)
    print(_("deleted note {id} from {record}").format(id=note["id"], record=f"{note['kind']} {note['record_id']}"))
    _sync(cat)
    return 0


def cmd_relate(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    made = relations.relate(cat, args.publication, args.relation, args.other)
    name, swapped = relations.relation_name(args.relation)
    a, b = (args.other, args.publication) if swapped else (args.publication, args.other)
    said = _("publication {id} is {relation} publication {other}") if made else \
        _("publication {id} is {relation} publication {other} (already)")
    print(said.format(id=a, relation=_(name), other=b))
    return 0


def cmd_unrelate(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    if not relations.unrelate(cat, args.publication, args.relation, args.other):
        raise NotFound(N_("publication {id} is not {relation} publication {other}").format(
            id=args.publication, relation=args.relation, other=args.other))
    print(_("removed: publication {id} {relation} publication {other}").format(
        id=args.publication, relation=_(args.relation), other=args.other))
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    from kbase.imports.attach import attach

    cat = open_catalogue(args)
    done = attach(cat, args.publication, args.target, args.title)
    if args.json:
        print(json.dumps(done, ensure_ascii=False, default=str))
    elif done["kind"] == "link":
        print(_("linked {url} to publication {id} (link {link})").format(
            url=done["url"], id=done["publication_id"], link=done["id"]))
    elif done["kind"] == "file":
        print(_("attached {file} ({mime}) to publication {id} (attachment {attachment})").format(
            file=done["filename"], mime=done["mime"], id=done["publication_id"], attachment=done["id"]))
    else:
        if done["id"] is None:
            if done["message"]:
                raise InvalidInput(N_("{file} was not attached ({status}): {reason}").format(
                    file=done["filename"], status=done["status"], reason=done["message"]))
            raise InvalidInput(N_("{file} was not attached ({status})").format(
                file=done["filename"], status=done["status"]))
        print(_("attached {file} to publication {id} (attachment {attachment}, {status})").format(
            file=done["filename"], id=done["publication_id"], attachment=done["id"], status=done["status"]))
    _sync(cat)
    return 0
