"""Shared bits of the CLI commands: opening the library, filters, printing."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, Callable, Iterable

from kbase.errors import InvalidInput
from kbase.i18n import N_, language
from kbase.i18n import gettext as _
from kbase.labels import value_word

if TYPE_CHECKING:  # imported where used: they load the ORM, which `kbase --help` must not wait for
    from kbase.catalogue.query import Filter
    from kbase.catalogue.records import Catalogue


# the libraries a command opened, closed by kbase.cli.main when the command ends (in a test, or a GUI
# calling main, the process goes on and would keep their connections)
OPENED: list[Any] = []


def open_catalogue(args: argparse.Namespace, create: bool = False) -> Catalogue:
    from kbase.catalogue.records import Catalogue
    from kbase.library.db import open_library

    lib = open_library(getattr(args, "library", None), create=create)
    OPENED.append(lib)
    cat = Catalogue(lib)
    from kbase.catalogue.trash import empty_expired

    empty_expired(cat)  # what stayed in the trash longer than the library's trash_days goes for good
    return cat


def close_opened() -> None:
    while OPENED:
        OPENED.pop().close()  # disposing an engine twice is harmless


def show_usage(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """A command group run without its action: its help, and the usage exit status."""

    def run(args: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    return run


def parse_years(text: str | None) -> tuple[int | None, int | None]:
    """'2021' → (2021, 2021); '2019-2021' → (2019, 2021); '2019-' → (2019, None)."""
    if not text:
        return None, None
    parts = text.replace("–", "-").split("-", 1)
    try:
        lo = int(parts[0]) if parts[0] else None
        hi = (int(parts[1]) if parts[1] else None) if len(parts) == 2 else lo
    except ValueError:
        raise InvalidInput(N_("not a year or year range: {text} (use 2021 or 2019-2021)").format(
            text=repr(text))) from None
    for y in (lo, hi):
        if y is not None and not 1000 <= y <= 2999:
            raise InvalidInput(N_("not a plausible year: {text}").format(text=repr(text)))
    return lo, hi


def add_filter_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(_("filters"))
    g.add_argument("--type", action="append", default=[], help=_("publication type (repeatable)"))
    g.add_argument("--year", help=_("year or range, e.g. 2021 or 2019-2021"))
    g.add_argument("--series")
    g.add_argument("--project", help=_("project ID, title or short name"))
    g.add_argument("--programme")
    g.add_argument("--region", help=_("region name or alias; includes everything below it"))
    g.add_argument("--organisation", "--org", dest="organisation")
    g.add_argument("--role", help=_("organisation role: author, publisher, partner, funder, client"))
    g.add_argument("--person")
    g.add_argument("--subject")
    g.add_argument("--language")
    g.add_argument("--visibility", action="append", default=[], help=_("public, internal, confidential"))
    g.add_argument("--text", help=_("words in the title"))
    g.add_argument("--collection",
                   help=_("collection ID, name or path (Thesis/Chapter 2); takes in its sub-collections"))


def filter_from_args(args: argparse.Namespace) -> Filter:
    from kbase.catalogue.query import Filter

    lo, hi = parse_years(getattr(args, "year", None))
    return Filter(
        types=list(getattr(args, "type", []) or []), year_from=lo, year_to=hi,
        series=getattr(args, "series", None), project=getattr(args, "project", None),
        programme=getattr(args, "programme", None), region=getattr(args, "region", None),
        organisation=getattr(args, "organisation", None), role=getattr(args, "role", None),
        person=getattr(args, "person", None), subject=getattr(args, "subject", None),
        language=getattr(args, "language", None), visibility=list(getattr(args, "visibility", []) or []),
        text=getattr(args, "text", None), collection=getattr(args, "collection", None),
    )


# the tables' column headings (a column not named here is headed by its own name)
HEADINGS = {
    "id": N_("ID"), "date": N_("DATE"), "type": N_("TYPE"), "title": N_("TITLE"), "short_name": N_("SHORT_NAME"),
    "acronym": N_("ACRONYM"), "name": N_("NAME"), "kind": N_("KIND"), "role": N_("ROLE"), "level": N_("LEVEL"),
    "status": N_("STATUS"), "pages": N_("PAGES"), "filename": N_("FILENAME"), "aliases": N_("ALIASES"),
    "record": N_("RECORD"), "updated": N_("UPDATED"), "text": N_("TEXT"), "count": N_("COUNT"), "path": N_("PATH"),
    "user": N_("USER"), "confidential": N_("CONFIDENTIAL"), "deleted": N_("DELETED"), "label": N_("LABEL"),
    "score": N_("SCORE"), "ids": N_("IDS"), "why": N_("WHY"), "records": N_("RECORDS"), "year": N_("YEAR"),
    "client": N_("CLIENT"), "start": N_("START"), "end": N_("END"),
}


def print_rows(rows: Iterable[dict[str, Any]], columns: list[str]) -> None:
    rows = list(rows)
    if not rows:
        print(_("(none)"))
        return
    if language() != "en":  # a fixed list's words as the app says them ("rapport", "personnel"); --json keeps them
        rows = [{k: value_word(k, v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]
    headings = {c: _(HEADINGS[c]) if c in HEADINGS else c.upper() for c in columns}
    widths = {c: min(60, max(len(headings[c]), *(len(_cell(r.get(c))) for r in rows))) for c in columns}
    out = sys.stdout
    out.write("  ".join(headings[c].ljust(widths[c]) for c in columns).rstrip() + "\n")
    for r in rows:
        out.write("  ".join(_cut(_cell(r.get(c)), widths[c]).ljust(widths[c]) for c in columns).rstrip() + "\n")


def _cell(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return "" if value is None else str(value)


def _cut(text: str, width: int) -> str:
    """text in width characters, ending in "…" when it was longer."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
