"""`kbase report annual|project|bibliography`: reports written from the catalogue."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kbase.cli.common import add_filter_options, filter_from_args, open_catalogue, show_usage
from kbase.errors import InvalidInput, LibraryError
from kbase.i18n import N_, ngettext, number, translate
from kbase.i18n import gettext as _
from kbase.report import FORMATS, LANGS, SECTIONS, build_annual, build_bibliography, build_project
from kbase.report.output import write_file
from kbase.report.sheets import GROUPINGS

EXTENSIONS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    report = subs.add_parser("report", parents=[common], help=_("annual report, project sheet or bibliography"))
    kinds = report.add_subparsers(dest="report_kind", metavar="KIND")
    # argparse needs a KIND; without one print this command's help
    report.set_defaults(run=show_usage(report))

    p = kinds.add_parser(
        "annual", parents=[common], help=_("the annual report for one year"),
        description=_("The annual report for one year. A project is shown when it is active in the year: "
                      "it has an assignment in that year, its start and end dates cover the year (no end "
                      "date: still running), or it has an output dated that year. Records with missing "
                      "data are listed on standard error."))
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--sections", help=_("comma-separated, in order (default: {sections})").format(
        sections=",".join(s for s, _title in SECTIONS)))
    _output_options(p)
    p.set_defaults(run=cmd_annual)

    p = kinds.add_parser("project", parents=[common], help=_("a one-page sheet for one project"))
    p.add_argument("project", metavar="ID", help=_("project ID, title or short name"))
    _output_options(p)
    p.set_defaults(run=cmd_project)

    p = kinds.add_parser("bibliography", parents=[common], help=_("publications in sections"))
    add_filter_options(p)
    p.add_argument("--group-by", choices=GROUPINGS, default="year")
    p.add_argument("--title", help=_("heading of the bibliography"))
    _output_options(p)
    p.set_defaults(run=cmd_bibliography)


def _output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", "-f", choices=FORMATS, help=_("default: from the -o extension, else md"))
    p.add_argument("-o", "--output", metavar="FILE",
                   help=_("file to write (default: standard output for md, html)"))
    p.add_argument("--include-internal", action="store_true",
                   help=_("also show internal and confidential records"))
    add_lang_option(p)
    p.add_argument("--style", metavar="STYLE", help=_("citation style of the outputs: house (default), apa, "
                     "chicago-author-date, harvard, iso690, or the path of a .csl file"))


def add_lang_option(p: argparse.ArgumentParser, default: str | None = None) -> None:
    """--lang for a report, unless the common options already give every command one."""
    if any("--lang" in a.option_strings for a in p._actions):
        return
    p.add_argument("--lang", choices=LANGS, default=default,
                   help=_("language (default: {lang})").format(lang=default) if default else
                   _("report language (default: the library's report language setting, `kbase identity set "
                     "report-language fr`, else the interface language, else en)"))


def _format(args: argparse.Namespace) -> str:
    chosen: str | None = args.format
    if chosen:
        return chosen
    if args.output:
        return EXTENSIONS.get(Path(args.output).suffix.lower(), "md")
    return "md"


def _write(args: argparse.Namespace, result: str | bytes, warnings: list[str]) -> int:
    for line in warnings:
        print(_("kbase: missing: {message}").format(message=translate(line)), file=sys.stderr)
    if warnings:
        print(ngettext("kbase: {n} record with missing data (listed above)",
                       "kbase: {n} records with missing data (listed above)", len(warnings)).format(n=len(warnings)),
              file=sys.stderr)
    if not args.output:
        if isinstance(result, bytes):
            raise InvalidInput(N_("PDF and DOCX need an output file: add -o FILE"))
        sys.stdout.write(result)
        return 0
    target = Path(args.output)
    data = result.encode("utf-8") if isinstance(result, str) else result
    try:
        write_file(target, data)
    except OSError as exc:
        raise LibraryError(N_("cannot write {path}: {reason}").format(path=target,
                                                                      reason=exc.strerror or exc)) from None
    print(ngettext("wrote {path} ({size} byte)", "wrote {path} ({size} bytes)", len(data)).format(
        path=target, size=number(len(data), grouped=True)), file=sys.stderr)
    return 0


def _check_target(args: argparse.Namespace) -> None:
    """Refuse early, before the report is built, what cannot be written."""
    if _format(args) in ("pdf", "docx") and not args.output:
        raise InvalidInput(N_("PDF and DOCX need an output file: add -o FILE"))


def cmd_annual(args: argparse.Namespace) -> int:
    _check_target(args)
    cat = open_catalogue(args)
    result, warnings = build_annual(cat, args.year, _format(args), args.sections, args.include_internal,
                                    lang=getattr(args, "lang", None), style=args.style)
    return _write(args, result, warnings)


def cmd_project(args: argparse.Namespace) -> int:
    _check_target(args)
    cat = open_catalogue(args)
    ref = int(args.project) if args.project.isdigit() else args.project
    result, warnings = build_project(cat, ref, _format(args), args.include_internal, lang=getattr(args, "lang", None),
                                     style=args.style)
    return _write(args, result, warnings)


def cmd_bibliography(args: argparse.Namespace) -> int:
    _check_target(args)
    cat = open_catalogue(args)
    result, warnings = build_bibliography(cat, filter_from_args(args), args.group_by, _format(args),
                                          args.include_internal, args.title, lang=getattr(args, "lang", None),
                                          style=args.style)
    return _write(args, result, warnings)
