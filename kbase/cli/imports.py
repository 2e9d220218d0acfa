"""`kbase import PATH...` (PDFs, folders, BibTeX, RIS or CSL-JSON files and spreadsheets, with progress on a terminal)
and `kbase imports`."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from typing import Any, Callable, TextIO

from kbase.cli.common import open_catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_, ngettext, number, translate
from kbase.i18n import gettext as _
from kbase.imports.outcomes import FORMAT_NAMES
from kbase.imports.pipeline import BIBLIOGRAPHIES, ImportProgress, ImportReport, import_paths
from kbase.imports.pipeline import REFUSED as FAILED


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser(
        "import", parents=[common], help=_("import PDFs, folders, BibTeX, RIS or CSL-JSON files and spreadsheets"),
        description=_("Import PDFs and bibliographies: BibTeX (.bib), RIS (.ris, or a .txt starting with RIS tags, "
                      "as Zotero, EndNote, Mendeley, Scopus, Web of Science and catalogues write it) and CSL-JSON "
                      "(.json or .csljson: an array of items or {\"items\": [...]}, as Zotero, pandoc and "
                      "citation.js write it), and publication lists kept in a spreadsheet (.csv with any delimiter "
                      "and encoding, .tsv, .xlsx: one row per publication, the columns read from their English or "
                      "French headers unless --map says otherwise). Each bibliography is planned (new, matches "
                      "record N, refused with its line) and written in one transaction; every import is a batch that "
                      "`kbase imports undo ID` takes back."))
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=_("files or folders (searched recursively for PDFs and bibliographies)"))
    p.add_argument("--to", type=int, metavar="ID", help=_("attach the files to this existing publication"))
    p.add_argument("--password", help=_("password for encrypted PDFs"))
    p.add_argument("--max-size", type=float, metavar="MB",
                   help=_("skip files larger than this (default: library setting import.max_bytes, else 256 MB)"))
    p.add_argument("--workers", type=int, default=2, help=_("extraction processes (default 2)"))
    p.add_argument("--no-index", action="store_true", help=_("leave the search index for later (`kbase reindex`)"))
    p.add_argument("--zotero-base", metavar="DIR",
                   help=_("a Zotero library's Linked Attachment Base Directory, for its files linked relative to it"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("print the plan (new, matches record N and why, refused and why) and write nothing"))
    p.add_argument("--on-duplicate", choices=("link", "update", "skip", "new"), default="link",
                   help=_("an incoming record that matches one in the library: link to it (default), update its "
                          "empty fields and links, skip it, or create a new record anyway"))
    p.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    sheet = p.add_argument_group(_("spreadsheets (.csv, .tsv, .xlsx; named files only, never found in folders)"))
    sheet.add_argument("--map", action="append", metavar="FIELD=COLUMN,…",
                       help=_("which column holds which field, as title=Titre,year=Année,authors=Auteurs (fields: "
                              "title, subtitle, type, date, year, month, authors, editors, series, number, container, "
                              "volume, pages, publisher, place, isbn, doi, url, file, language, abstract, subjects, "
                              "projects, programme, regions, visibility, key, note, extra, or ignore=COLUMN); the "
                              "columns not named are read from their headers, and the summary says how"))
    sheet.add_argument("--map-file", metavar="FILE",
                       help=_("a mapping saved by the app's Save mapping… ({\"columns\": {column: field}}); --map "
                              "overrides it column by column"))
    sheet.add_argument("--sheet", metavar="NAME", help=_("the XLSX sheet to read (default: the first)"))
    sheet.add_argument("--new-names", choices=("create", "refuse"), default="create",
                       help=_("projects and regions a row names that are not in the library: create them (default; "
                              "the plan lists them) or refuse the row, with its number and why. People and "
                              "organisations are always created"))
    p.set_defaults(run=cmd_import)

    p = subs.add_parser("imports", parents=[common], help=_("list import batches, or undo one: kbase imports undo ID"),
                        description=_("Every import is a batch: what it created, changed and linked. "
                                      "`kbase imports undo ID` removes what it created and puts back what it changed; "
                                      "it refuses, naming them, if any of those records was edited since."))
    p.add_argument("action", nargs="?", choices=("list", "undo"), default="list")
    p.add_argument("batch", nargs="?", type=int, metavar="ID")
    p.add_argument("--limit", type=int, default=50, help=_("how many batches to list, newest first (default 50)"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_imports)


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


class ProgressLine:
    """One updating line on a terminal: files, pages, pages/s, time left."""

    def __init__(self, out: TextIO):
        self.out = out
        self.last = 0.0
        self.width = 0

    def __call__(self, p: ImportProgress) -> None:
        now = time.monotonic()
        if p.phase == "importing" and now - self.last < 0.2 and p.files_done < p.files_total:
            return
        self.last = now
        if p.phase == "indexing":
            text = ngettext("indexing… {n} page imported in {time}", "indexing… {n} pages imported in {time}",
                            p.pages_done).format(n=number(p.pages_done), time=_clock(p.elapsed))
        else:
            text = "  ".join((
                _("{done}/{total} files").format(done=number(p.files_done), total=number(p.files_total)),
                ngettext("{n} page", "{n} pages", p.pages_done).format(n=number(p.pages_done)),
                _("{rate} pages/s").format(rate=number(p.pages_per_second, 0)),
                _("{time} elapsed").format(time=_clock(p.elapsed)),
                _("{time} left").format(time=_clock(p.seconds_left))))
        self.width = max(self.width, len(text))
        self.out.write("\r" + text.ljust(self.width))
        self.out.flush()

    def end(self) -> None:
        if self.width:
            self.out.write("\r" + " " * self.width + "\r")
            self.out.flush()


def print_report(report: ImportReport, out: TextIO) -> None:
    for f in report.files:
        if f.mapping:  # a spreadsheet: the columns as read, so that nothing is assumed unseen
            said = (_("{path}: columns (proposed; change them with --map or --map-file): {columns}")
                    if f.mapping.get("proposed") else _("{path}: columns: {columns}"))
            out.write(said.format(path=f.path, columns=f.mapping.get("described", "")) + "\n")
            _print_new_names(f.path, f.new_names, report.dry_run, out)
        if f.status in BIBLIOGRAPHIES:
            for p in f.problems:
                out.write(f"{p['file']}:{p['line']}: {p['key'] + ': ' if p['key'] else ''}{translate(p['reason'])}\n")
            _print_notes(f.notes, out)
            if report.dry_run:
                for r in f.records:
                    if r["action"] == "match":
                        out.write(f"{f.path}:{r['line']}: {r['key']}: {_match_line(r)}\n")
        line = f"{_(f.status):<14} {f.path}"  # the words the app's import results say (ok, bibtex, failed…)
        if f.message:
            line += f": {translate(f.message)}"
        out.write(line + "\n")
    out.write(_summary_line(report))
    out.write("\n" + _("import {id}: undo it with `kbase imports undo {id}`").format(id=report.batch) + "\n"
              if report.batch else "\n")
    if report.index_message:
        out.write(_("note: {message}").format(message=translate(report.index_message)) + "\n")


def _match_line(r: dict[str, Any]) -> str:
    """A dry run's match: "matches publication 12 (same DOI); would link" (and the fields it would change)."""
    if r.get("target"):
        said = _("matches publication {id} ({reason}); {then}")
    else:
        said = _("matches an earlier entry ({reason}); {then}")
    then = _(WOULD[r["then"]]) if r["then"] in WOULD else f"would {r['then']}"
    said = said.format(id=r.get("target"), reason=translate(r["reason"]), then=then)
    if r.get("changes"):
        said += "; " + _("would change {fields}").format(fields=", ".join(r["changes"]))
    return said


# what a dry run would do to a matched record (the plan's action)
WOULD = {"link": N_("would link"), "update": N_("would update"), "skip": N_("would skip")}

def status_count(status: str, n: int) -> str:
    """"2 damaged", "2 endommagés": a status word after its count takes the count's form."""
    forms: dict[str, Callable[[], str]] = {
        "ok": lambda: ngettext("{n} ok", "{n} ok", n),
        "no text layer": lambda: ngettext("{n} no text layer", "{n} no text layer", n),
        "encrypted": lambda: ngettext("{n} encrypted", "{n} encrypted", n),
        "repaired": lambda: ngettext("{n} repaired", "{n} repaired", n),
        "damaged": lambda: ngettext("{n} damaged", "{n} damaged", n),
        "empty": lambda: ngettext("{n} empty", "{n} empty", n),
        "not a pdf": lambda: ngettext("{n} not a pdf", "{n} not a pdf", n),
        "duplicate": lambda: ngettext("{n} duplicate", "{n} duplicates", n),
        "too large": lambda: ngettext("{n} too large", "{n} too large", n),
        "failed": lambda: ngettext("{n} failed", "{n} failed", n),
        "cancelled": lambda: ngettext("{n} cancelled", "{n} cancelled", n),
        "missing": lambda: ngettext("{n} missing", "{n} missing", n),
        "spreadsheet": lambda: ngettext("{n} spreadsheet", "{n} spreadsheets", n),
    }
    form = forms.get(status)
    return form().format(n=number(n)) if form else f"{number(n)} {FORMAT_NAMES.get(status) or _(status)}"


def _summary_line(report: ImportReport) -> str:
    """"2 files (1 imported, 1 bibtex); records: 3 created, 0 matched existing ones, 0 refused; 12 pages in …"."""
    counts = ", ".join(status_count(status, n) for status, n in sorted(report.counts.items()))
    totals = report.totals()
    sep = _("; ")  # French: " ; "
    said = _("cancelled: ") if report.cancelled else ""
    said += _("dry run, nothing written: ") if report.dry_run else ""
    said += ngettext("{n} file ({counts})", "{n} files ({counts})", len(report.files)).format(
        n=number(len(report.files)), counts=counts or _("none"))
    created = (ngettext("{n} would be created", "{n} would be created", totals["created"]) if report.dry_run
               else ngettext("{n} created", "{n} created", totals["created"])).format(n=number(totals["created"]))
    matched = ngettext("{n} matched existing ones", "{n} matched existing ones", totals["matched"]).format(
        n=number(totals["matched"]))
    refused = ngettext("{n} refused", "{n} refused", totals["refused"]).format(n=number(totals["refused"]))
    said += sep + _("records: {created}, {matched}, {refused}").format(created=created, matched=matched,
                                                                       refused=refused)
    if not report.dry_run and report.pages:  # a bibliography alone has no pages to count
        rate = report.pages / report.elapsed if report.elapsed else 0
        said += sep + ngettext("{n} page in {seconds} s ({rate} pages/s)", "{n} pages in {seconds} s ({rate} pages/s)",
                               report.pages).format(n=number(report.pages), seconds=number(report.elapsed, 1),
                                                    rate=number(rate, 0))
    return said


NEW_NAMES_SHOWN = 20


def _print_new_names(path: str, names: dict[str, list[str]], dry_run: bool, out: TextIO) -> None:
    """The names a spreadsheet brings that match nothing in the library, kind by kind (all of them in --json)."""
    for kind in ("project", "region", "organisation", "person", "subject", "series"):
        found = names.get(kind) or []
        if found:
            more = len(found) - NEW_NAMES_SHOWN
            shown = ", ".join(found[:NEW_NAMES_SHOWN])
            if more > 0:
                shown += " " + _("… and {n} more (all with --json)").format(n=more)
            said = _new_names(kind, len(found), dry_run).format(n=len(found), names=shown)
            out.write(f"{path}: {said}\n")


def _new_names(kind: str, n: int, dry_run: bool) -> str:
    """"{n} new projects created: {names}" in the current language, kind by kind."""
    if dry_run:
        return {
            "project": ngettext("{n} new project would be created: {names}",
                                "{n} new projects would be created: {names}", n),
            "region": ngettext("{n} new region would be created: {names}",
                               "{n} new regions would be created: {names}", n),
            "organisation": ngettext("{n} new organisation would be created: {names}",
                                     "{n} new organisations would be created: {names}", n),
            "person": ngettext("{n} new person would be created: {names}",
                               "{n} new people would be created: {names}", n),
            "subject": ngettext("{n} new subject would be created: {names}",
                                "{n} new subjects would be created: {names}", n),
            "series": ngettext("{n} new series would be created: {names}",
                               "{n} new series would be created: {names}", n),
        }[kind]
    return {
        "project": ngettext("{n} new project created: {names}", "{n} new projects created: {names}", n),
        "region": ngettext("{n} new region created: {names}", "{n} new regions created: {names}", n),
        "organisation": ngettext("{n} new organisation created: {names}",
                                 "{n} new organisations created: {names}", n),
        "person": ngettext("{n} new person created: {names}", "{n} new people created: {names}", n),
        "subject": ngettext("{n} new subject created: {names}", "{n} new subjects created: {names}", n),
        "series": ngettext("{n} new series created: {names}", "{n} new series created: {names}", n),
    }[kind]


def sheet_options(args: argparse.Namespace) -> dict[str, Any] | None:
    """import_paths' sheet_options from --map, --map-file, --sheet and --new-names."""
    from kbase.formats.spreadsheet import parse_map_option, read_mapping_file

    mapping: dict[str, str] = {}
    sheet = args.sheet
    if args.map_file:
        mapping, saved_sheet = read_mapping_file(args.map_file)
        sheet = sheet or saved_sheet
    for text in args.map or []:
        mapping.update(parse_map_option(text))
    options = {"mapping": mapping or None, "sheet": sheet, "new_names": args.new_names,
               "zotero_base": getattr(args, "zotero_base", None)}
    return {k: v for k, v in options.items() if v is not None} or None


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\d+")
NOTES_OF_A_KIND = 5  # a Mendeley library names a missing PDF in every one of 9,000 entries


def _print_notes(notes: list[dict[str, Any]], out: TextIO) -> None:
    """Every note, except that past a few of one kind the rest are counted (all are in --json)."""
    seen: dict[str, int] = {}
    for n in notes:
        kind = _QUOTED.sub("…", n["note"])
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= NOTES_OF_A_KIND:
            note = _("note: {message}").format(message=translate(n["note"]))
            out.write(f"{n['file']}:{n['line']}: {n['key'] + ': ' if n['key'] else ''}{note}\n")
    for kind, count in seen.items():
        if count > NOTES_OF_A_KIND:
            more = count - NOTES_OF_A_KIND
            out.write("  " + ngettext("… and {n} more note like \"{kind}\" (all of them with --json)",
                                      "… and {n} more notes like \"{kind}\" (all of them with --json)",
                                      more).format(n=more, kind=kind) + "\n")


def cmd_imports(args: argparse.Namespace) -> int:
    import json

    from kbase.imports.batches import list_batches, undo_batch

    cat = open_catalogue(args)
    try:
        if args.action == "undo":
            if args.batch is None:
                raise InvalidInput(N_("which import? kbase imports undo ID (see `kbase imports`)"))
            result = undo_batch(cat, args.batch)
            if result.deleted.get("publications") or result.reverted or result.deleted.get("attachments"):
                from kbase.search import indexing

                indexing.sync(cat)
            if args.json:
                json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            else:
                sys.stdout.write(translate(result.summary()) + "\n")
            return 0
        batches = list_batches(cat, args.limit)
    finally:
        cat.library.close()
    if args.json:
        json.dump(batches, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not batches:
        sys.stdout.write(_("no imports yet") + "\n")
    for b in batches:
        c = b["counts"] or {}
        made = ", ".join((
            ngettext("{n} created", "{n} created", c.get("created", 0)).format(n=number(c.get("created", 0))),
            ngettext("{n} matched", "{n} matched", c.get("matched", 0)).format(n=number(c.get("matched", 0))),
            ngettext("{n} refused", "{n} refused", c.get("refused", 0)).format(n=number(c.get("refused", 0))))) \
            if c else ""
        sources = ", ".join(b["sources"][:3]) + (" …" if len(b["sources"]) > 3 else "")
        sys.stdout.write(f"{b['id']:>5}  {b['started'] or '':<19}  {_(b['status']):<22}  {b['user'] or '':<12}  "
                         f"{made:<40}  {sources}\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.max_size is not None and args.max_size <= 0:
        raise InvalidInput(N_("--max-size must be a positive number of MB"))
    if args.workers < 1:
        raise InvalidInput(N_("--workers must be at least 1"))
    options = sheet_options(args)  # a bad --map or --map-file is said before anything is opened
    cat = open_catalogue(args)
    cancel = threading.Event()
    tty = sys.stdout.isatty() and not args.json
    line = ProgressLine(sys.stdout) if tty else None

    def on_sigint(_sig: int, _frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop at once (the transaction rolls back)
        cancel.set()
        stopping = _("kbase: stopping after the current file (Ctrl-C again to stop at once)")
        sys.stderr.write(f"\n{stopping}\n")

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, on_sigint) if in_main else None
    try:
        report = import_paths(
            cat, args.paths, to_publication=args.to, password=args.password,
            max_bytes=int(args.max_size * 1024 * 1024) if args.max_size else None,
            progress=line, cancel=cancel, workers=args.workers, index=not args.no_index,
            dry_run=args.dry_run, on_duplicate=args.on_duplicate, sheet_options=options)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        if line is not None:
            line.end()
        cat.library.close()
    if args.json:
        import json

        json.dump(report.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_report(report, sys.stdout)
    if report.cancelled:
        return 130
    # failure only when nothing of the batch is (now) in the library: duplicates count as there
    in_library = report.imported or any(f.status == "duplicate" for f in report.files)
    return 1 if any(f.status in FAILED for f in report.files) and not in_library else 0
