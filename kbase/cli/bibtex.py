"""BibTeX and catalogue-quality commands: export, import-bib (dry runs, duplicates), dedupe."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kbase.cli.common import add_filter_options, filter_from_args, open_catalogue, print_rows
from kbase.errors import InvalidInput, LibraryError
from kbase.i18n import N_, number, translate
from kbase.i18n import gettext as _
from kbase.labels import value_word

FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "csv", "json")


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser(
        "export", parents=[common], help=_("export publications: bibtex, biblatex, csl-json, ris, csv, json"),
        description=_("Export the publications that pass the filters (the same as `kbase search`). "
                      "Confidential records are left out unless --include-confidential is given; "
                      "internal records are included. Citation keys are made on the first export and then kept."))
    p.add_argument("format", choices=FORMATS)
    add_filter_options(p)
    p.add_argument("--include-confidential", action="store_true",
                   help=_("also export confidential records (left out by default)"))
    p.add_argument("--public-only", action="store_true", help=_("leave out internal records too"))
    p.add_argument("--ascii", action="store_true", help=_("BibTeX: write accents as LaTeX ({\\'e}) instead of UTF-8"))
    p.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))
    p.add_argument("--with-files", action="store_true",
                   help=_("BibTeX: copy the attachments to FILE_files/ next to -o FILE and name them in `file` fields"))
    p.set_defaults(run=cmd_export)

    p = subs.add_parser(
        "import-bib", parents=[common], help=_("import .bib files with a dry run and a choice for duplicates"),
        description=_("Import BibTeX/biblatex files (Zotero, JabRef, Mendeley exports). Unreadable entries are "
                      "named with their line; every good entry still comes in. PDFs named in `file` fields are "
                      "attached when they lie inside the .bib's folder or a --root folder."))
    p.add_argument("paths", nargs="+", metavar="FILE.bib")
    p.add_argument("--dry-run", action="store_true",
                   help=_("report what would be created, linked and skipped; write nothing"))
    p.add_argument("--on-duplicate", choices=("link", "update", "skip", "new", "create", "merge"), default="link",
                   help=_("an entry matching an existing publication: link to it (default), update its empty "
                          "fields and links, skip it, or create a new record anyway (create and merge: the "
                          "older words for new and update)"))
    p.add_argument("--root", action="append", default=[], metavar="DIR",
                   help=_("folder PDFs of file fields may come from (repeatable; default: the .bib's folder)"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_import_bib)

    p = subs.add_parser("dedupe", parents=[common], help=_("list probable duplicates with a score"),
                        description=_("Candidate pairs: publications with the same DOI, ISBN or file, or the same "
                                      "title, year (±1) and first contributor; organisations, people and regions "
                                      "sharing an alias, their words in another order or an acronym. "
                                      "Join a pair with `kbase merge TYPE SURVIVOR LOSER`."))
    p.add_argument("kinds", nargs="*", metavar="TYPE",
                   help=_("publication, organisation, person, region (default: all)"))
    p.add_argument("--min-score", type=float, default=0.5)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_dedupe)


def cmd_export(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    f = filter_from_args(args)
    if args.public_only:
        f.visibility = ["public"]
    if "confidential" in f.visibility and not args.include_confidential:
        raise InvalidInput(N_("confidential records are exported only with --include-confidential"))
    if args.with_files and not (args.output and args.format in ("bibtex", "biblatex")):
        raise InvalidInput(N_("--with-files needs a BibTeX format and -o FILE (the files go next to it)"))
    if args.format in ("bibtex", "biblatex"):
        from kbase.formats.bibtex.export import export_bib

        out = Path(args.output) if args.output else None
        files_to = out.parent / f"{out.stem}_files" if out and args.with_files else None
        text = export_bib(cat, f, flavour=args.format, include_confidential=args.include_confidential,
                          ascii_only=args.ascii, files_to=files_to,
                          bib_dir=out.parent if out else None)
    else:
        from kbase.formats import exporters

        fn = {"csl-json": exporters.export_csl_json, "ris": exporters.export_ris, "csv": exporters.export_csv,
              "json": exporters.export_json}
        text = fn[args.format](cat, f, include_confidential=args.include_confidential)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise LibraryError(N_("cannot write {path}: {reason}").format(path=args.output,
                                                                          reason=exc.strerror or exc)) from exc
    else:
        sys.stdout.write(text)
    return 0


def cmd_import_bib(args: argparse.Namespace) -> int:
    from kbase.imports.pipeline import import_bib_file

    cat = open_catalogue(args)
    reports = []
    for path in args.paths:
        roots = [Path(r) for r in args.root] + [Path(path).parent] if args.root else None
        reports.append(import_bib_file(cat, path, dry_run=args.dry_run, roots=roots, on_duplicate=args.on_duplicate))
    if args.json:
        json.dump([r.as_dict() for r in reports], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for r in reports:
            for line in r.lines():
                print(_said(r.path, line))
    # failure only when a file gave nothing: refused entries are named, the rest came in
    return 1 if any(r.problems and not (r.created or r.matched) for r in reports) else 0


def _said(path: str, line: str) -> str:
    """A line of an import's report in the current language; the file it names stays as it is."""
    prefix = f"{path}: "
    return prefix + translate(line.removeprefix(prefix)) if line.startswith(prefix) else translate(line)


# why kbase.catalogue.dedupe pairs two records (it says it in English): the words `kbase dedupe` translates
DEDUPE_REASONS = (N_("same DOI"), N_("same ISBN"), N_("same file"), N_("same title and year"),
                  N_("same title and year and authors"), N_("similar titles ({percent})"), N_("same name or alias"),
                  N_("same words in another order"), N_("acronym {acronym}"), N_("same last name and first initial"))


def cmd_dedupe(args: argparse.Namespace) -> int:
    from kbase.catalogue.dedupe import KINDS, candidates

    kinds = [k.rstrip("s") if k != "people" else "person" for k in args.kinds] or list(KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise InvalidInput(N_("cannot look for duplicate {kind} records (one of: {kinds})").format(
            kind=repr(bad[0]), kinds=", ".join(KINDS)))
    found = candidates(open_catalogue(args), kinds, min_score=args.min_score)
    if args.json:
        json.dump([c.as_dict() for c in found], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print_rows(({"score": number(c.score, 2), "type": value_word("kind", c.kind), "ids": f"{c.a} {c.b}",
                 "why": _("; ").join(translate(r) for r in c.reasons),
                 "records": f"{c.labels[0]} | {c.labels[1]}"} for c in found),
               ["score", "type", "ids", "why", "records"])
    return 0
