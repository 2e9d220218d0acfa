"""Record commands: init, demo, list, show, add, edit, link, merge, delete, alias, lookup."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sqlmodel import SQLModel

from kbase import i18n
from kbase.catalogue import query, views
from kbase.catalogue.columns import table_of
from kbase.catalogue.organisations import display_names
from kbase.catalogue.records import Catalogue, record_type
from kbase.cli.common import add_filter_options, filter_from_args, open_catalogue, print_rows
from kbase.errors import ConflictError, InvalidInput
from kbase.i18n import N_, ngettext
from kbase.i18n import gettext as _
from kbase.labels import KIND_TITLES, field_label, kind_word, lower_first, relation_words, value_word
from kbase.library import models as m
from kbase.library.db import open_library, redact

LIST_COLUMNS = {
    "publication": ["id", "date", "type", "title"],
    "project": ["id", "short_name", "title"],
    "organisation": ["id", "acronym", "name", "kind"],
    "person": ["id", "name", "role"],
    "event": ["id", "date", "kind", "title"],
    "region": ["id", "level", "name"],
    "attachment": ["id", "status", "pages", "filename"],
}


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("init", parents=[common], help=_("create a library"))
    p.add_argument("path", nargs="?", help=_("folder or PostgreSQL URL (default: --library)"))
    p.set_defaults(run=cmd_init)

    p = subs.add_parser("demo", parents=[common], help=_("load the demo catalogue into a new library"))
    p.set_defaults(run=cmd_demo)

    p = subs.add_parser("list", parents=[common], help=_("list records of one type"))
    p.add_argument("record_type", metavar="TYPE",
                   help=_("publication, project, organisation, person, event, region, …"))
    add_filter_options(p)
    p.add_argument("--sort", help=_("column to sort by"))
    p.add_argument("--desc", action="store_true", help=_("sort descending"))
    p.add_argument("--limit", type=int)
    p.add_argument("--json", action="store_true", help=_("print JSON"))
    p.set_defaults(run=cmd_list)

    p = subs.add_parser("show", parents=[common], help=_("one record with its links"))
    p.add_argument("parts", nargs="+", metavar="[TYPE] ID")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_show)

    p = subs.add_parser("add", parents=[common], help=_("add a record: kbase add TYPE field=value …"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("values", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_add)

    p = subs.add_parser("edit", parents=[common], help=_("change fields: kbase edit TYPE ID field=value …"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("id", type=int)
    p.add_argument("values", nargs="+", metavar="FIELD=VALUE")
    p.add_argument("--if-version", type=int, help=_("refuse if the record's version differs"))
    p.set_defaults(run=cmd_edit)

    p = subs.add_parser("delete", parents=[common], help=_("delete a record"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("id", type=int)
    p.add_argument("--permanently", action="store_true", help=_("skip the trash: the record cannot be restored"))
    p.set_defaults(run=cmd_delete)


def record_kind(name: str) -> str:
    """The stored kind a command's TYPE names: "publication", "orgs"…, or the word `show` prints in the current
    language ("personne", "région")."""
    said = {kind_word(kind): kind for kind in KIND_TITLES} if i18n.language() != "en" else {}
    return table_of(record_type(said.get(name.lower(), name))).name


def cmd_init(args: argparse.Namespace) -> int:
    location = args.path or getattr(args, "library", None)
    lib = open_library(location, create=True)
    print(_("library ready at {location}").format(location=redact(lib.location)))
    lib.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from kbase.catalogue.demo import load_demo

    cat = open_catalogue(args, create=True)
    counts = load_demo(cat)
    print(_("demo catalogue loaded: {counts}").format(counts=", ".join(_demo_count(k, v) for k, v in counts.items())))
    after_write(cat)
    return 0


def _demo_count(kind: str, n: int) -> str:
    """"109 regions", in the current language."""
    said = {
        "programmes": ngettext("{n} programme", "{n} programmes", n),
        "regions": ngettext("{n} region", "{n} regions", n),
        "organisations": ngettext("{n} organisation", "{n} organisations", n),
        "people": ngettext("{n} person", "{n} people", n),
        "projects": ngettext("{n} project", "{n} projects", n),
        "publications": ngettext("{n} publication", "{n} publications", n),
        "events": ngettext("{n} event", "{n} events", n),
    }.get(kind, f"{{n}} {kind}")
    return said.format(n=n)


def after_write(cat: Catalogue) -> None:
    """Bring the search index up to date."""
    from kbase.search import indexing

    indexing.sync(cat)


def cmd_list(args: argparse.Namespace) -> int:
    if args.record_type.lower() in ("assignment", "assignments"):
        from kbase.cli.assignments import list_assignments

        return list_assignments(args)
    if args.record_type.lower() in ("note", "notes", "collection", "collections"):
        return _list_notes_or_collections(args)
    kind = record_kind(args.record_type)
    cat = open_catalogue(args)
    f = filter_from_args(args)
    ids = query.find_ids(cat, kind, f, sort=args.sort, descending=args.desc, limit=args.limit)
    objs = query.load(cat, kind, ids)
    rows = [views.row(kind, o) for o in objs]
    if kind == "organisation":  # a part of a larger body is listed as it prints: "European Commission, Instrument…"
        with cat.reading() as s:
            shown = display_names(s, [r["id"] for r in rows])
        rows = [{**r, "display": shown.get(r["id"], r["name"])} for r in rows]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    else:
        shown_rows = [_shown_row(kind, o, {**r, "name": r.get("display", r.get("name"))})
                      for o, r in zip(objs, rows, strict=True)]
        print_rows(shown_rows, LIST_COLUMNS.get(kind, ["id", "name"]))
    return 0


def _shown_row(kind: str, obj: Any, row: dict[str, Any]) -> dict[str, Any]:
    """A list's row as a person reads it: a publication's date in the current language ("août 2021"; print_rows
    says the words of fixed lists, "rapport"); --json keeps the stored values."""
    if i18n.language() == "en" or kind != "publication":
        return row
    return {**row, "date": i18n.date_label(obj.year, obj.month, obj.month_end)}


def _list_notes_or_collections(args: argparse.Namespace) -> int:
    """`kbase list note` and `kbase list collection`, as `kbase note list` and `kbase collection list`."""
    cat = open_catalogue(args)
    if args.record_type.lower().startswith("note"):
        from kbase.catalogue.notes import notes
        from kbase.cli.notes import note_rows

        rows = notes(cat)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        else:
            print_rows(note_rows(rows), ["id", "record", "updated", "text"])
    else:
        from kbase.catalogue.collections import collections
        from kbase.cli.collections import print_collections

        print_collections(collections(cat), args.json)
    return 0


def _around(cat: Catalogue, kind: str, record_id: int, as_text: bool) -> dict[str, Any]:
    """A record's notes, related publications, collections and links (kbase.catalogue.around); as_text:
    as lines to print."""
    from kbase.catalogue.around import around

    data = around(cat, kind, record_id)
    if not as_text:
        return data
    return {
        "related": [f"{relation_words(r['relation'])}{_(': ')}{r['label']} [{kind_word('publication')} {r['id']}]"
                    for r in data.get("related", [])],
        "links": [f"{k['title']}: {k['url']}" if k["title"] else k["url"] for k in data.get("links", [])],
        "collections": [f"{c['path']} [collection {c['id']}]" for c in data.get("collections", [])],
        "notes": [f"[note {n['id']}, {n['updated']:%Y-%m-%d}] " + n["text"].replace("\n", "\n    ")
                  for n in data.get("notes", [])],
    }


def cmd_show(args: argparse.Namespace) -> int:
    if len(args.parts) == 1:
        kind, ref = "publication", args.parts[0]
    elif len(args.parts) == 2:
        kind, ref = record_kind(args.parts[0]), args.parts[1]
    else:
        raise InvalidInput(N_("show takes [TYPE] ID"))
    if ":" in ref:
        kind, ref = record_kind(ref.split(":", 1)[0]), ref.split(":", 1)[1]
    if not ref.isdigit():
        raise InvalidInput(N_("not a record ID: {text}").format(text=repr(ref)))
    cat = open_catalogue(args)
    data = views.describe(cat, kind, int(ref))
    data.update(_around(cat, kind, int(ref), as_text=not args.json))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_record(kind, data)
    return 0


# `show` prints what a reader looks for first, in this order; other fields follow, then the links, then the
# record's bookkeeping on one line. --json keeps every field as it is stored.
SHOW_FIRST = ["name", "subtitle", "acronym", "short_name", "type", "kind", "role", "level", "date", "start", "end",
              "end_date", "contributors", "people", "organiser", "organisers", "hosts", "series", "number",
              "publisher", "place", "container", "pages", "programme", "project", "parent", "language",
              "visibility", "abstract", "summary", "description", "url", "doi", "isbn", "citekey"]
SHOW_HIDDEN = {"id", "title", "year", "month", "month_end", "day", "extra", "version", "created", "updated"}


def _said(name: str, text: str = "") -> str:
    """"name: text" as the language writes it (French: "nom : texte"); without text, "name:"."""
    return f"{name}{_(': ')}{text}" if text else name + _(": ").rstrip()


def _print_record(kind: str, data: dict[str, Any]) -> None:
    title = data.get("title") if kind != "person" else None
    print(f"{kind_word(kind)} {data.get('id')}{_(': ')}{title or data.get('name') or ''}".rstrip(": "))
    if kind == "person" and data.get("title"):
        print(_("position: {title}").format(title=data["title"]))  # a person's `title` is the post held
    # the heading said the name and the record's kind (an organisation's own `kind`, NGO…, stays)
    data = {k: v for k, v in data.items() if not (k == "kind" and v == kind) and not (k == "name" and not title)}
    if kind == "publication" and i18n.language() != "en":  # "août 2021"
        data["date"] = i18n.date_label(data.get("year"), data.get("month"), data.get("month_end"))
    fields = [k for k in data if k not in SHOW_HIDDEN and not k.endswith("_id")]
    scalars = [k for k in fields if not isinstance(data[k], (list, dict)) or _is_ref(data[k])]
    first = [k for k in SHOW_FIRST if k != "people" or kind == "event"]  # an event's people are its speakers
    ordered = [k for k in first if k in fields] + [k for k in scalars if k not in first]
    for key in ordered:
        _print_field(key, data[key])
    if isinstance(data.get("extra"), dict):
        for label, text in views.extra_rows(data["extra"]):
            print(_said(label.lower() if i18n.language() == "en" else lower_first(_(label)), text))
    for key in fields:
        if key not in ordered:
            _print_field(key, data[key])
    footer = [f"{field_label(name)} {str(data[name])[:16].replace('T', ' ')}"
              for name in ("version", "created", "updated") if data.get(name)]
    if footer:
        print("(" + " · ".join(footer) + ")")


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and "label" in value


def _print_field(key: str, value: Any) -> None:
    if value in (None, [], {}, "") or value is False:  # a flag that is off says nothing
        return
    name = field_label(key)
    if _is_ref(value):
        print(_said(name, _ref_text(value)))
    elif isinstance(value, list):
        print(_said(name))
        for item in value:
            print(f"  - {_ref_text(item)}")
    elif isinstance(value, dict):
        print(_said(name))
        for k, v in value.items():
            sub = k if i18n.language() == "en" else field_label(k)
            print("  " + _said(sub, ", ".join(_ref_text(x) for x in v) if isinstance(v, list) else str(v)))
    else:
        text = value_word(key, value) if isinstance(value, str) else str(value)
        print(_said(name, text.replace("\n", "\n  ")))


def _ref_text(v: Any) -> str:
    if isinstance(v, dict) and "label" in v:
        extra = f" ({value_word('role', v['role'])})" if v.get("role") and v["role"] != "author" else ""
        status = f" — {value_word('status', v['status'])}" if v.get("status") else ""
        label = (i18n.language() == "fr" and v.get("label_fr")) or v["label"]  # a region's French name
        return f"{label}{extra}{status} [{kind_word(v['kind'])} {v['id']}]"
    if isinstance(v, dict) and "year" in v and "clients" in v:
        clients = ", ".join(c["label"] for c in v["clients"]) or _("(no client)")
        return f"{v['year']}{_(': ')}" + (f"{v['title']} — {clients}" if v.get("title") else clients)
    if isinstance(v, dict) and "role" in v and "person_id" in v:  # a person's role over time
        held = value_word("role", v["role"]) + (f" ({v['title']})" if v.get("title") else "")
        if v.get("start") or v.get("end"):
            held += f", {str(v.get('start') or '')[:10]} – {str(v.get('end') or '')[:10]}".rstrip()
        return held
    if isinstance(v, dict):  # any other row: its fields, not a Python dict
        return ", ".join(_said(field_label(k), str(x)) for k, x in v.items()
                         if x not in (None, "", [], {}) and k != "id" and not k.endswith("_id"))
    return str(v)


def parse_values(pairs: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            raise InvalidInput(N_("expected FIELD=VALUE, got {text}").format(text=repr(pair)))
        key, value = pair.split("=", 1)
        values[key.strip()] = value
    return values


_NAME_REFS: dict[str, tuple[str, type[SQLModel]]] = {
    "series": ("series_id", m.Series), "programme": ("programme_id", m.Programme),
    "publisher": ("publisher_id", m.Organisation), "parent": ("parent_id", m.Region),
    "project": ("project_id", m.Project),
}


def _resolve_names(cat: Catalogue, model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Let librarians write series=… or publisher=… by name instead of IDs."""
    out = {}
    for key, value in values.items():
        if key in _NAME_REFS and _NAME_REFS[key][0] in model.model_fields:
            field, target = _NAME_REFS[key]
            target = model if key == "parent" else target  # a region's, an organisation's or a series' parent
            out[field] = cat.find_one(target, value).id if value else None
        else:
            out[key] = value
    return out


def cmd_add(args: argparse.Namespace) -> int:
    model = record_type(record_kind(args.record_type))  # a French interface's words too ("personne")
    cat = open_catalogue(args)
    values = _resolve_names(cat, model, parse_values(args.values))
    obj = cat.add(model, **values)
    print(json.dumps(views.row(record_kind(args.record_type), obj), default=str) if args.json
          else _("added {record}").format(record=f"{kind_word(record_kind(args.record_type))} {obj.id}"))
    after_write(cat)
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    model = record_type(record_kind(args.record_type))  # a French interface's words too ("personne")
    cat = open_catalogue(args)
    values = _resolve_names(cat, model, parse_values(args.values))
    try:
        obj = cat.update(model, args.id, expected_version=args.if_version, **values)
    except ConflictError as exc:
        raise ConflictError(_version_moved(record_kind(args.record_type), args.id, args.if_version, exc.theirs),
                            mine=exc.mine, theirs=exc.theirs) from None
    print(_("saved {record} (version {version})").format(
        record=f"{kind_word(record_kind(args.record_type))} {obj.id}", version=obj.version))
    after_write(cat)
    return 0


def _version_moved(kind: str, record_id: int, expected: int, saved: dict[str, Any]) -> str:
    """--if-version refused: what the record is at now and since when, and how to go on (whoever saved it)."""
    when = str(saved.get("updated") or "")[:16].replace("T", " ") or "?"
    # each field once: the catalogs read the English message back through this template
    return N_("{record} is at version {version}, saved {when} UTC, not version {expected}: nothing was changed. "
              "See it with `{show}`, then edit again with --if-version {current}").format(
        record=f"{kind} {record_id}", version=saved.get("version"), when=when, expected=expected,
        show=f"kbase show {kind} {record_id}", current=saved.get("version"))


def cmd_delete(args: argparse.Namespace) -> int:
    model = record_type(record_kind(args.record_type))  # a French interface's words too ("personne")
    cat = open_catalogue(args)
    kind = record_kind(args.record_type)
    if args.permanently or kind == "attachment":
        cat.delete(model, args.id)
        print(_("deleted {record} for good").format(record=f"{kind} {args.id}"))
    else:
        from kbase.catalogue.trash import move_to_trash

        move_to_trash(cat, kind, args.id)
        print(_("moved {record} to the trash (`kbase trash restore {record}` puts it back)").format(
            record=f"{kind} {args.id}"))
    after_write(cat)
    return 0
