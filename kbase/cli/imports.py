"""`kbase import PATH...` (PDFs, folders, BibTeX, RIS or CSL-JSON files and spreadsheets, with progress on a terminal)
and `kbase imports`."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from typing import Any, TextIO

from kbase.cli.common import open_catalogue
from kbase.errors import InvalidInput
from kbase.imports.pipeline import BIBLIOGRAPHIES, ImportProgress, ImportReport, import_paths
from kbase.imports.pipeline import REFUSED as FAILED


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser(
        "import", parents=[common], help="import PDFs, folders, BibTeX, RIS or CSL-JSON files and spreadsheets",
        description="Import PDFs and bibliographies: BibTeX (.bib), RIS (.ris, or a .txt starting with RIS tags, "
                    "as Zotero, EndNote, Mendeley, Scopus, Web of Science and catalogues write it) and CSL-JSON "
                    "(.json or .csljson: an array of items or {\"items\": [...]}, as Zotero, pandoc and "
                    "citation.js write it), and publication lists kept in a spreadsheet (.csv with any delimiter "
                    "and encoding, .tsv, .xlsx: one row per publication, the columns read from their English or "
                    "French headers unless --map says otherwise). Each bibliography is planned (new, matches "
                    "record N, refused with its line) and written in one transaction; every import is a batch that "
                    "`kbase imports undo ID` takes back.")
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="files or folders (searched recursively for PDFs and bibliographies)")
    p.add_argument("--to", type=int, metavar="ID", help="attach the files to this existing publication")
    p.add_argument("--password", help="password for encrypted PDFs")
    p.add_argument("--max-size", type=float, metavar="MB",
                   help="skip files larger than this (default: library setting import.max_bytes, else 256 MB)")
    p.add_argument("--workers", type=int, default=2, help="extraction processes (default 2)")
    p.add_argument("--no-index", action="store_true", help="leave the search index for later (`kbase reindex`)")
    p.add_argument("--zotero-base", metavar="DIR",
                   help="a Zotero library's Linked Attachment Base Directory, for its files linked relative to it")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan (new, matches record N and why, refused and why) and write nothing")
    p.add_argument("--on-duplicate", choices=("link", "update", "skip", "new"), default="link",
                   help="an incoming record that matches one in the library: link to it (default), update its "
                        "empty fields and links, skip it, or create a new record anyway")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    sheet = p.add_argument_group("spreadsheets (.csv, .tsv, .xlsx; named files only, never found in folders)")
    sheet.add_argument("--map", action="append", metavar="FIELD=COLUMN,…",
                       help="which column holds which field, as title=Titre,year=Année,authors=Auteurs (fields: "
                            "title, subtitle, type, date, year, month, authors, editors, series, number, container, "
                            "volume, pages, publisher, place, isbn, doi, url, file, language, abstract, subjects, "
                            "projects, programme, regions, visibility, key, note, extra, or ignore=COLUMN); the "
                            "columns not named are read from their headers, and the summary says how")
    sheet.add_argument("--map-file", metavar="FILE",
                       help="a mapping saved by the app's Save mapping… ({\"columns\": {column: field}}); --map "
                            "overrides it column by column")
    sheet.add_argument("--sheet", metavar="NAME", help="the XLSX sheet to read (default: the first)")
    sheet.add_argument("--new-names", choices=("create", "refuse"), default="create",
                       help="projects and regions a row names that are not in the library: create them (default; "
                            "the plan lists them) or refuse the row, with its number and why. People and "
                            "organisations are always created")
    p.set_defaults(run=cmd_import)

    p = subs.add_parser("imports", parents=[common], help="list import batches, or undo one: kbase imports undo ID",
                        description="Every import is a batch: what it created, changed and linked. "
                                    "`kbase imports undo ID` removes what it created and puts back what it changed; "
                                    "it refuses, naming them, if any of those records was edited since.")
    p.add_argument("action", nargs="?", choices=("list", "undo"), default="list")
    p.add_argument("batch", nargs="?", type=int, metavar="ID")
    p.add_argument("--limit", type=int, default=50, help="how many batches to list, newest first (default 50)")
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
            text = f"indexing… {p.pages_done} pages imported in {_clock(p.elapsed)}"
        else:
            text = (f"{p.files_done}/{p.files_total} files  {p.pages_done} pages  "
                    f"{p.pages_per_second:.0f} pages/s  {_clock(p.elapsed)} elapsed  {_clock(p.seconds_left)} left")
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
            out.write(f"{f.path}: columns" + (" (proposed; change them with --map or --map-file)"
                                              if f.mapping.get("proposed") else "")
                      + f": {f.mapping.get('described', '')}\n")
            _print_new_names(f.path, f.new_names, report.dry_run, out)
        if f.status in BIBLIOGRAPHIES:
            for p in f.problems:
                out.write(f"{p['file']}:{p['line']}: {p['key'] + ': ' if p['key'] else ''}{p['reason']}\n")
            _print_notes(f.notes, out)
            if report.dry_run:
                for r in f.records:
                    if r["action"] == "match":
                        change = f"; would change {', '.join(r['changes'])}" if r.get("changes") else ""
                        out.write(f"{f.path}:{r['line']}: {r['key']}: matches "
                                  + (f"publication {r['target']}" if r.get("target") else "an earlier entry")
                                  + f" ({r['reason']}); would {r['then']}{change}\n")
        line = f"{f.status:<14} {f.path}"
        if f.message:
            line += f": {f.message}"
        out.write(line + "\n")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts.items()))
    totals = report.totals()
    would = "would be " if report.dry_run else ""
    out.write(f"{'cancelled: ' if report.cancelled else ''}{'dry run, nothing written: ' if report.dry_run else ''}"
              f"{len(report.files)} file{'s' if len(report.files) != 1 else ''} ({counts or 'none'}); records: "
              f"{totals['created']} {would}created, {totals['matched']} matched existing ones, "
              f"{totals['refused']} refused")
    if not report.dry_run and report.pages:  # a bibliography alone has no pages to count
        rate = report.pages / report.elapsed if report.elapsed else 0
        out.write(f"; {report.pages} pages in {report.elapsed:.1f} s ({rate:.0f} pages/s)")
    out.write(f"\nimport {report.batch}: undo it with `kbase imports undo {report.batch}`\n" if report.batch else "\n")
    if report.index_message:
        out.write(f"note: {report.index_message}\n")


NEW_NAMES_SHOWN = 20


def _print_new_names(path: str, names: dict[str, list[str]], dry_run: bool, out: TextIO) -> None:
    """The names a spreadsheet brings that match nothing in the library, kind by kind (all of them in --json)."""
    plural = {"project": "projects", "region": "regions", "person": "people", "organisation": "organisations",
              "subject": "subjects", "series": "series"}
    for kind in ("project", "region", "organisation", "person", "subject", "series"):
        found = names.get(kind) or []
        if found:
            more = len(found) - NEW_NAMES_SHOWN
            shown = ", ".join(found[:NEW_NAMES_SHOWN]) + (f" … and {more} more (all with --json)" if more > 0 else "")
            out.write(f"{path}: {len(found)} new {plural[kind] if len(found) != 1 else kind} "
                      f"{'would be ' if dry_run else ''}created: {shown}\n")


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
            out.write(f"{n['file']}:{n['line']}: {n['key'] + ': ' if n['key'] else ''}note: {n['note']}\n")
    for kind, count in seen.items():
        if count > NOTES_OF_A_KIND:
            out.write(f"  … and {count - NOTES_OF_A_KIND} more notes like \"{kind}\" (all of them with --json)\n")


def cmd_imports(args: argparse.Namespace) -> int:
    import json

    from kbase.imports.batches import list_batches, undo_batch

    cat = open_catalogue(args)
    try:
        if args.action == "undo":
            if args.batch is None:
                raise InvalidInput("which import? kbase imports undo ID (see `kbase imports`)")
            result = undo_batch(cat, args.batch)
            if result.deleted.get("publications") or result.reverted or result.deleted.get("attachments"):
                from kbase.search import indexing

                indexing.sync(cat)
            if args.json:
                json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            else:
                sys.stdout.write(result.summary() + "\n")
            return 0
        batches = list_batches(cat, args.limit)
    finally:
        cat.library.close()
    if args.json:
        json.dump(batches, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not batches:
        sys.stdout.write("no imports yet\n")
    for b in batches:
        c = b["counts"] or {}
        made = (f"{c.get('created', 0)} created, {c.get('matched', 0)} matched, {c.get('refused', 0)} refused"
                if c else "")
        sources = ", ".join(b["sources"][:3]) + (" …" if len(b["sources"]) > 3 else "")
        sys.stdout.write(f"{b['id']:>5}  {b['started'] or '':<19}  {b['status']:<22}  {b['user'] or '':<12}  "
                         f"{made:<40}  {sources}\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if args.max_size is not None and args.max_size <= 0:
        raise InvalidInput("--max-size must be a positive number of MB")
    if args.workers < 1:
        raise InvalidInput("--workers must be at least 1")
    options = sheet_options(args)  # a bad --map or --map-file is said before anything is opened
    cat = open_catalogue(args)
    cancel = threading.Event()
    tty = sys.stdout.isatty() and not args.json
    line = ProgressLine(sys.stdout) if tty else None

    def on_sigint(_sig: int, _frame: Any) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt  # a second Ctrl-C: stop at once (the transaction rolls back)
        cancel.set()
        sys.stderr.write("\nkbase: stopping after the current file (Ctrl-C again to stop at once)\n")

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
