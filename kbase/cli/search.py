"""Search commands: search, reindex, check."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from kbase.cli.common import add_filter_options, filter_from_args, open_catalogue
from kbase.errors import QueryError
from kbase.i18n import N_, ngettext, number
from kbase.i18n import gettext as _
from kbase.labels import value_word


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("search", parents=[common], help=_("full-text search: publications with pages and snippets"),
                        description=_('Query syntax: words, "phrases", AND/OR/NOT, -word, field:value '
                                      "(title author abstract subject series type year project programme region "
                                      "organisation language), prefix* (3+ letters), fuzzy~ or fuzzy~2."))
    p.add_argument("query", nargs="*", help=_("the query (quote it for the shell)"))
    add_filter_options(p)
    p.add_argument("--sort", choices=["relevance", "date"], default="relevance")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--public-only", action="store_true", help=_("leave out internal and confidential records"))
    p.add_argument("--no-snippets", action="store_true")
    p.add_argument("--json", action="store_true", help=_("print hits and facets as JSON"))
    p.set_defaults(run=cmd_search)

    p = subs.add_parser("reindex", parents=[common], help=_("rebuild the search index from the catalogue"))
    p.add_argument("--procs", type=int, default=1,
                   help=_("processes sharing the rebuild, each writing its own segments (default 1)"))
    p.set_defaults(run=cmd_reindex)

    p = subs.add_parser("check", parents=[common], help=_("check library integrity: index, file store, page texts"))
    p.add_argument("--repair", action="store_true", help=_("mend what can be mended"))
    p.add_argument("--catalogue", action="store_true",
                   help=_("also check the catalogue's records for quality problems"))
    p.add_argument("--deep", action="store_true", help=_("re-hash every stored file"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_check)


def cmd_search(args: argparse.Namespace) -> int:
    return search_in(open_catalogue(args), args, tty=sys.stdout.isatty())


def search_in(cat: Any, args: argparse.Namespace, tty: bool) -> int:
    """The search command on an open catalogue, printed to stdout (in bold on a terminal)."""
    from kbase.search.api import search
    from kbase.search.indexing import sync
    from kbase.search.snippets import plain

    if args.limit < 0 or args.offset < 0:
        raise QueryError(N_("--limit and --offset must be 0 or more"))
    sync(cat)  # the catalogue may have changed since the index last saw it
    result = search(cat, " ".join(args.query), filters=filter_from_args(args), sort=args.sort,
                    limit=args.limit, offset=args.offset, snippets=not args.no_snippets,
                    include_internal=not args.public_only)
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    bold = ("\033[1m", "\033[0m") if tty else ("**", "**")
    out = sys.stdout
    if not result.hits:
        out.write((_("no publication matches {query}").format(query=repr(" ".join(args.query)))
                   if result.total == 0 else _("(no more hits)")) + "\n")
        return 0
    for hit in result.hits:
        when = " ".join(str(x) for x in (hit.year, value_word("type", hit.type or "")) if x)  # "2021 rapport"
        out.write(f"{hit.publication_id}  {hit.title}  ({when})\n")
        if hit.snippet:
            out.write(f"      {plain(hit.snippet, bold)}\n")
        for page in hit.pages:
            out.write(f"  p.{page.page:<4} {plain(page.snippet_html, bold)}\n")
        more = hit.matched_pages - len(hit.pages)
        if more > 0:
            more_pages = ngettext("(+{n} more page)", "(+{n} more pages)", more).format(n=number(more))
            out.write(f"        {more_pages}\n")
    shown = ngettext("{n} publication; showing {first}–{last} ({ms} ms)",
                     "{n} publications; showing {first}–{last} ({ms} ms)", result.total)
    out.write(shown.format(n=number(result.total), first=number(args.offset + 1),
                           last=number(args.offset + len(result.hits)), ms=number(result.elapsed_ms, 0)) + "\n")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    from kbase.search.indexing import rebuild

    cat = open_catalogue(args)
    started = time.perf_counter()
    if args.procs < 1:
        raise QueryError(N_("--procs must be 1 or more"))
    pages = rebuild(cat, procs=args.procs)
    print(ngettext("index rebuilt: {n} page in {seconds} s", "index rebuilt: {n} pages in {seconds} s", pages)
          .format(n=number(pages), seconds=number(time.perf_counter() - started, 1)))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from kbase.integrity.check import check_library

    cat = open_catalogue(args)
    report = check_library(cat, repair=args.repair, deep=args.deep, catalogue=args.catalogue)
    if args.json:
        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for line in report.lines():
            print(line)
    return 1 if report.remaining else 0
