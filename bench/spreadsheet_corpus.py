"""Real-world CSV publication lists: the rows each file holds against what `kbase import` brings in
(prints, asserts nothing).

Run: .venv/bin/python bench/spreadsheet_corpus.py [DIR] [--json] [--reasons N] [--only TEXT] [--timeout S]
DIR defaults to ${KBASE_CORPUS:-~/.cache/kbase/corpus}, with spreadsheets/ filled by
scripts/fetch-spreadsheet-corpus.sh.

For every DIR/spreadsheets/*.csv|.tsv|.xlsx: (a) the data rows by another reader (Python's csv module, or
openpyxl), rows with no cell filled left out; (b) `kbase import FILE --json` into a fresh library in a temporary
folder, in a subprocess with a timeout, with the automatic column mapping (no --map: every file's headers are
recognised). From its JSON: created, matched, refused and the problems; a non-zero exit with "internal error" or
a traceback, or a timeout, is a crash. Every row not created must be in `problems` with its line: the table says
how many are not ("unexplained").
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ris_csl_corpus import DEFAULT_DIR, KBASE, Row, import_file, print_details, print_table, programs  # noqa: E402

SUFFIXES = (".csv", ".tsv", ".xlsx")


def count_rows(path: Path) -> int:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(wb.worksheets[0].iter_rows(values_only=True))[1:]
        return sum(1 for r in rows if any(c not in (None, "") for c in r))
    text = path.read_bytes().decode("utf-8-sig")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else \
        csv.Sniffer().sniff(text.splitlines()[0], ",;\t").delimiter
    rows = list(csv.reader(text.splitlines(True), delimiter=delimiter))[1:]
    return sum(1 for r in rows if any(c.strip() for c in r))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    ap.add_argument("--reasons", type=int, default=0, metavar="N", help="each file's N most frequent problems")
    ap.add_argument("--only", default="", help="only files whose name contains this text")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--kbase", type=Path, default=KBASE)
    args = ap.parse_args()
    folder = args.dir / "spreadsheets"
    files = [p for p in sorted(folder.glob("*"))
             if p.suffix.lower() in SUFFIXES and p.name != "SOURCES.tsv" and args.only in p.name]
    if not files:
        print(f"no spreadsheets in {folder}: run scripts/fetch-spreadsheet-corpus.sh first", file=sys.stderr)
        return 1
    made_by = programs(folder)
    rows = []
    for path in files:
        row = Row(path.name, "spreadsheet", made_by.get(path.name, ""))
        row.records = count_rows(path)
        import_file(path, row, args.kbase, args.timeout)
        rows.append(row)
        if not args.json:
            print(f"… {path.name}: {row.created}/{row.records} in {row.seconds:.1f} s"
                  + (f" ({row.error})" if row.error else ""), file=sys.stderr, flush=True)
    if args.json:
        json.dump([asdict(r) | {"unexplained": r.unexplained} for r in rows], sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_table(rows)
        if args.reasons:
            print_details(rows, args.reasons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
