"""`kbase text set|show|list` (the report's own texts) and `kbase identity show|set` (the institute)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kbase.cli.common import open_catalogue, show_usage
from kbase.cli.report import add_lang_option
from kbase.errors import InvalidInput
from kbase.i18n import N_, ngettext, number
from kbase.i18n import gettext as _
from kbase.report.i18n import SETTING as LANG_SETTING
from kbase.report.i18n import check_lang
from kbase.report.identity import FIELDS, identity_rows, set_identity
from kbase.report.texts import KEYS, REPORTS, get_text, list_texts, set_text


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    text = subs.add_parser("text", parents=[common],
                           help=_("the report's own texts (preface, chair's word…): set, show, list"),
                           description=_("Texts the annual report shows, in Markdown, per year and language: "
                                         "{keys}, programme-ID (a programme's introduction) "
                                         "and project-ID (a project's narrative for the year).").format(
                               keys=", ".join(KEYS)))
    verbs = text.add_subparsers(dest="text_verb", metavar="VERB")
    text.set_defaults(run=show_usage(text))

    p = verbs.add_parser("set", parents=[common], help=_("store a text from a Markdown file (- for standard input)"))
    _where(p)
    p.add_argument("file", metavar="FILE.md", help=_("Markdown file; an empty file removes the text"))
    p.set_defaults(run=cmd_set)

    p = verbs.add_parser("show", parents=[common], help=_("print a text"))
    _where(p)
    p.set_defaults(run=cmd_show)

    p = verbs.add_parser("list", parents=[common], help=_("the texts stored, without their bodies"))
    p.add_argument("report", nargs="?", choices=REPORTS)
    p.add_argument("year", nargs="?", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)

    ident = subs.add_parser("identity", parents=[common],
                            help=_("the institute's name, logo, address and colours for reports: show, set"),
                            description=_("The institute's identity, used on report covers, running heads and "
                                          "back pages. Fields: {fields}; also report-language.").format(
                                fields=", ".join(FIELDS)))
    verbs = ident.add_subparsers(dest="identity_verb", metavar="VERB")
    ident.set_defaults(run=cmd_identity_show)
    p = verbs.add_parser("show", parents=[common], help=_("every field"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_identity_show)
    p = verbs.add_parser("set", parents=[common], help=_("set a field (logo, cover: a picture file; '' clears)"))
    p.add_argument("field", choices=[*FIELDS, "report-language"])
    p.add_argument("value", help=_("text, colour (#12395b), or a picture file for logo and cover"))
    p.set_defaults(run=cmd_identity_set)


def _where(p: argparse.ArgumentParser) -> None:
    p.add_argument("report", choices=REPORTS)
    p.add_argument("year", type=int)
    p.add_argument("key", help=_("{keys}, programme-ID or project-ID").format(keys=", ".join(KEYS)))
    add_lang_option(p, "en")


def _lang(args: argparse.Namespace) -> str:
    return getattr(args, "lang", None) or "en"


def _read(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InvalidInput(N_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(N_("{path}: not UTF-8 text (byte {byte})").format(path=path, byte=exc.start)) from None


def cmd_set(args: argparse.Namespace) -> int:
    body = _read(args.file)  # read before opening the library: a wrong path changes nothing
    cat = open_catalogue(args)
    stored = set_text(cat, args.report, args.year, args.key, _lang(args), body)
    what = f"{args.report} {args.year} {args.key} ({_lang(args)})"
    chars = len(body.strip())
    print(ngettext("stored {text}: {n} character", "stored {text}: {n} characters", chars).format(
        text=what, n=number(chars, grouped=True)) if stored else _("removed {text}").format(text=what), file=sys.stderr)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    sys.stdout.write(get_text(cat, args.report, args.year, args.key, _lang(args)).rstrip("\n") + "\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from kbase.cli.app import emit

    cat = open_catalogue(args)
    rows = list_texts(cat, args.report, args.year)

    def human(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            chars = number(r["chars"], grouped=True)
            print(f"{r['report']}  {r['year']}  {r['key']:<14} {r['lang']}  {chars:>7}  {r['first_line']}")
        if not rows:
            print(_("no report text stored (kbase text set annual YEAR KEY FILE.md)"), file=sys.stderr)

    emit(args, rows, human)
    return 0


def cmd_identity_show(args: argparse.Namespace) -> int:
    from kbase.cli.app import emit

    cat = open_catalogue(args)
    rows = identity_rows(cat) + [{"field": "report-language", "label": "Report language",
                                  "value": cat.get_setting(LANG_SETTING)}]

    def human(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            value = (r["value"] or "—").replace("\n", " / ")
            print(f"{r['field']:<16} {value}")

    emit(args, rows, human)
    return 0


def cmd_identity_set(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    if args.field == "report-language":
        cat.set_setting(LANG_SETTING, check_lang(args.value) if args.value.strip() else None)
    else:
        set_identity(cat, args.field, args.value)
    print(_("set {field}").format(field=args.field) if args.value.strip() else
          _("cleared {field}").format(field=args.field), file=sys.stderr)
    return 0
