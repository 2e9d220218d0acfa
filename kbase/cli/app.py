"""The `kbase` command: parses arguments, runs one command, turns errors into one clear line
(kbase.cli.main comes here unless the warm search process answered first)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, NoReturn, Sequence

from kbase import i18n
from kbase.cli.argv import command_of, language_of
from kbase.errors import KbaseError
from kbase.i18n import N_, en_ngettext
from kbase.i18n import gettext as _

# each module adds its sub-commands through register(subparsers, common)
COMMAND_MODULES = [
    "kbase.cli.records",
    "kbase.cli.links",
    "kbase.cli.notes",
    "kbase.cli.collections",
    "kbase.cli.trash",
    "kbase.cli.search",
    "kbase.cli.imports",
    "kbase.cli.report",
    "kbase.cli.bibtex",
    "kbase.cli.team",
    "kbase.cli.finance",
    "kbase.cli.texts",
    "kbase.cli.ocr",
    "kbase.cli.assignments",
    "kbase.cli.history",
]

# command → (module, one-line help). `kbase --help` lists these without importing any command
# module (they import the ORM); a command runs with only its own module imported. A module in
# COMMAND_MODULES with no command here is imported to build every parser (slow, but it works
# until its commands are added); tests/cli/test_startup.py checks this table against register().
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("kbase.cli.records", N_("create a library")),
    "demo": ("kbase.cli.records", N_("load the demo catalogue into a new library")),
    "list": ("kbase.cli.records", N_("list records of one type")),
    "show": ("kbase.cli.records", N_("one record with its links")),
    "add": ("kbase.cli.records", N_("add a record: kbase add TYPE field=value …")),
    "edit": ("kbase.cli.records", N_("change fields: kbase edit TYPE ID field=value …")),
    "delete": ("kbase.cli.records", N_("delete a record")),
    "link": ("kbase.cli.links", N_("link a record to others")),
    "merge": ("kbase.cli.links", N_("merge LOSER into SURVIVOR")),
    "alias": ("kbase.cli.links", N_("add another name to an organisation, person or region")),
    "lookup": ("kbase.cli.links", N_("find organisations, people or regions by any name")),
    "note": ("kbase.cli.notes", N_("notes on any record: add, list, edit, delete")),
    "relate": ("kbase.cli.notes", N_("say how two publications relate: kbase relate 12 'translation of' 7")),
    "unrelate": ("kbase.cli.notes", N_("remove a relation between two publications")),
    "attach": ("kbase.cli.notes", N_("attach a file of any kind, or a link, to a publication")),
    "collection": ("kbase.cli.collections", N_("collections: add, put, remove, rename, move, delete, list")),
    "trash": ("kbase.cli.trash", N_("deleted records: list, restore, empty, days")),
    "search": ("kbase.cli.search", N_("full-text search: publications with pages and snippets")),
    "reindex": ("kbase.cli.search", N_("rebuild the search index from the catalogue")),
    "check": ("kbase.cli.search", N_("check library integrity: index, file store, page texts")),
    "import": ("kbase.cli.imports", N_("import PDFs, folders, BibTeX, RIS or CSL-JSON files and spreadsheets")),
    "imports": ("kbase.cli.imports", N_("list import batches, or undo one: kbase imports undo ID")),
    "report": ("kbase.cli.report", N_("annual report, project sheet or bibliography")),
    "export": ("kbase.cli.bibtex", N_("export publications: bibtex, biblatex, csl-json, ris, csv, json")),
    "import-bib": ("kbase.cli.bibtex", N_("import .bib files with a dry run and a choice for duplicates")),
    "dedupe": ("kbase.cli.bibtex", N_("list probable duplicates with a score")),
    "admin": ("kbase.cli.team", N_("roles and users of a PostgreSQL team library")),
    "migrate": ("kbase.cli.team", N_("copy a whole library into a new one (SQLite ⇄ PostgreSQL), verified")),
    "backup": ("kbase.cli.team", N_("write a library to one archive: kbase backup [LIB] FILE")),
    "restore": ("kbase.cli.team", N_("restore an archive into a new library: kbase restore FILE [LIB]")),
    "sync": ("kbase.cli.team", N_("bring this desktop's search index up to date from the catalogue")),
    "finance": ("kbase.cli.finance", N_("a year's income by source and expenses by category: set, remove, list")),
    "text": ("kbase.cli.texts", N_("the report's own texts (preface, chair's word…): set, show, list")),
    "identity": ("kbase.cli.texts", N_("the institute's name, logo, address and colours for reports: show, set")),
    "ocr": ("kbase.cli.ocr", N_("read scanned pages with OCR (Tesseract): the queue, --all or publications")),
    "assignment": ("kbase.cli.assignments", N_("a project's contract for a year: kbase assignment set|delete|list")),
    "role": ("kbase.cli.assignments", N_("people's roles over time: kbase role add|edit|remove|list")),
    "history": ("kbase.cli.history", N_("a record's changes: who, when, which fields (old → new)")),
}


# argparse's own words, as argparse asks its module-level gettext for them (routed to our catalog by
# speak_argparse); listed here so that extraction puts them in the catalogs
ARGPARSE_WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"), N_("one of the arguments %s is required"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    en_ngettext("expected %s argument", "expected %s arguments", 1),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
)


def speak_argparse() -> None:
    """argparse's usage, headings and errors through our catalogs: it calls its module-level `_` and
    `ngettext` when a parser is built and when it speaks (in the current language, read at each call)."""
    vars(argparse).update(_=i18n.gettext, ngettext=i18n.ngettext)


class UsageError(KbaseError):
    """Bad command-line usage."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, never the whole usage dump
        raise UsageError(_("{prog}: {message} (see `{prog} --help`)").format(prog=self.prog, message=message))


def common_options() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--library", "-L", default=argparse.SUPPRESS, metavar="PATH-or-URL",
                        help=_("library folder or postgresql+psycopg:// URL "
                               "(default: $KBASE_LIBRARY or the user data folder)"))
    common.add_argument("--lang", choices=sorted(i18n.LANGUAGES), default=argparse.SUPPRESS,
                        help=_("language of messages and reports (default: $KBASE_LANG, else the locale's)"))
    return common


def unlisted_modules() -> list[str]:
    """Command modules none of whose commands are in COMMANDS: imported for every parser."""
    listed = {module for module, _help in COMMANDS.values()}
    return [name for name in COMMAND_MODULES if name not in listed]


def build_parser(command: str | None = None) -> Parser:
    """The parser for one command (its module's register() builds it), or for all of them:
    the listed commands as one-line entries, enough for `kbase --help` and a wrong command."""
    speak_argparse()
    common = common_options()
    parser = Parser(prog="kbase", description=_("Kbase: the knowledge base and publication manager."),
                    parents=[common])
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    modules = unlisted_modules()
    if command in COMMANDS:
        modules = [COMMANDS[command][0], *(name for name in modules if name != COMMANDS[command][0])]
    else:
        for name, (_module, help_text) in COMMANDS.items():
            subs.add_parser(name, help=_(help_text), add_help=False)
    for name in modules:
        importlib.import_module(name).register(subs, common)
    return parser


def emit(args: argparse.Namespace, data: Any, human: Callable[[Any], None]) -> None:
    """Print data as JSON with --json, else through the human formatter."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        human(data)


def _log_crash() -> Path | None:
    try:
        from platformdirs import user_log_dir

        folder = Path(user_log_dir("kbase", appauthor=False))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return path
    except OSError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command with argv (None: this process's own arguments) in this process."""
    before = i18n.language()
    try:
        return guarded(lambda: _run(sys.argv[1:] if argv is None else list(argv)))
    finally:
        if i18n.language() != before:  # --lang is for this command: a caller's own process keeps its language
            i18n.set_language(before)


# commands whose --lang says which text they work on (`kbase text set annual 2021 preface --lang fr`), not the
# language they speak: theirs is $KBASE_LANG's or the locale's
CONTENT_LANG = {"text"}


def _run(argv: list[str]) -> int:
    lang = language_of(argv)
    if lang in i18n.LANGUAGES and command_of(argv) not in CONTENT_LANG:
        i18n.set_language(lang)
    parser = build_parser(command_of(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    finally:
        from kbase.cli.common import close_opened

        close_opened()


def guarded(run: Callable[[], int]) -> int:
    """run() with errors turned into one line on stderr and an exit code (the warm search
    process answers through this too)."""
    try:
        return run()
    except UsageError as exc:
        said = str(exc).removeprefix("kbase: ").removeprefix(_("kbase: {message}").format(message=""))
        print(_("kbase: {message}").format(message=said), file=sys.stderr)
        return 2
    except KbaseError as exc:
        print(_("kbase: error: {message}").format(message=i18n.translate(str(exc))), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("kbase: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: one line for the user, the traceback to the log
        where = _log_crash()
        detail = _(" (details in {path})").format(path=where) if where else ""
        print(_("kbase: internal error: {error}").format(error=f"{exc.__class__.__name__}: {exc}") + detail,
              file=sys.stderr)
        if os.environ.get("KBASE_DEBUG"):
            traceback.print_exc()
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
