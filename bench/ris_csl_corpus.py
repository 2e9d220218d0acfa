"""Real-world RIS and CSL-JSON corpus: the records each file holds against what `kbase import` brings in
(prints, asserts nothing).

Run: .venv/bin/python bench/ris_csl_corpus.py [DIR] [--json] [--reasons N] [--only TEXT] [--timeout S]
DIR defaults to ${KBASE_CORPUS:-~/.cache/kbase/corpus}, with ris/ and csl/ filled by scripts/fetch-ris-csl-corpus.sh.

For every DIR/ris/* and DIR/csl/*.json: (a) the records the file holds by another reader: rispy's count of
records for RIS (and the TY lines, which rispy misses when a record has no ER), json's count of items for
CSL-JSON; (b) `kbase import FILE --json` into a fresh library in a temporary folder, in a subprocess with a
timeout. From its JSON: created, matched, refused and the problems. A non-zero exit with "internal error" or a
traceback on stderr, or a timeout, is a crash. Every record not created must be in `problems` with its line:
the table says how many are not ("unexplained").
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bib_corpus import crash_tail, first_json, is_crash, run  # noqa: E402  (the same subprocess handling)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path(os.environ.get("KBASE_CORPUS") or Path.home() / ".cache" / "kbase" / "corpus")
KBASE = ROOT / ".venv" / "bin" / "kbase"


@dataclass
class Row:
    file: str
    format: str
    program: str = ""
    records: int = 0  # by the other reader (rispy, json)
    ty_lines: int | None = None  # RIS: TY lines
    baseline_seconds: float = 0.0
    created: int = 0
    matched: int = 0
    refused: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    crashed: bool = False
    error: str = ""
    traceback: str = ""
    seconds: float = 0.0

    @property
    def read(self) -> int:
        return self.created + self.matched + self.refused

    @property
    def unexplained(self) -> int:
        """Records neither created nor matched that no problem with a line names."""
        with_line = sum(1 for p in self.problems if p.get("line"))
        return max(0, self.refused - with_line)


def programs(folder: Path) -> dict[str, str]:
    tsv = folder / "SOURCES.tsv"
    if not tsv.exists():
        return {}
    out = {}
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4:
            out[cols[0]] = cols[3]
    return out


def baseline(path: Path, row: Row) -> None:
    start = time.perf_counter()
    if row.format == "ris":
        import rispy

        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        try:
            row.records = len(rispy.loads(text))
        except Exception as exc:  # rispy gives up on some files: say so, count the TY lines anyway
            row.error = f"rispy: {type(exc).__name__}: {exc}"[:200]
        row.ty_lines = sum(1 for ln in text.splitlines() if re.match(r"^TY {1,2}-", ln))
    else:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
        row.records = len(data["items"] if isinstance(data, dict) else data)
    row.baseline_seconds = round(time.perf_counter() - start, 3)


def import_file(path: Path, row: Row, kbase: Path, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="kbase-corpus-") as tmp:
        lib, state = Path(tmp) / "lib", Path(tmp) / "state"
        env = {k: v for k, v in os.environ.items() if k != "KBASE_LIBRARY"}
        env.update(XDG_STATE_HOME=str(state), XDG_DATA_HOME=str(Path(tmp) / "data"),
                   XDG_CONFIG_HOME=str(Path(tmp) / "config"), QT_QPA_PLATFORM="offscreen")
        init = run([str(kbase), "init", str(lib)], env, timeout)
        if init.returncode != 0:
            row.crashed, row.error = is_crash(init.stderr), "kbase init failed"
            return
        start = time.perf_counter()
        try:
            proc = run([str(kbase), "--library", str(lib), "import", str(path), "--json", "--no-index"], env, timeout)
        except subprocess.TimeoutExpired:
            row.crashed, row.error = True, f"timed out after {timeout:.0f} s"
            return
        finally:
            row.seconds = round(time.perf_counter() - start, 2)
        if proc.returncode != 0:
            row.crashed = is_crash(proc.stderr)
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
            row.error = f"exit {proc.returncode}: {lines[-1] if lines else ''}"[:300]
            row.traceback = crash_tail(state)
        try:
            out = first_json(proc.stdout)
        except ValueError as exc:
            row.error = row.error or str(exc)
            return
        row.created, row.matched, row.refused = out.get("created", 0), out.get("matched", 0), out.get("refused", 0)
        row.problems = out.get("problems") or []
        for f in out.get("files") or []:
            row.notes += f.get("notes") or []


def print_table(rows: list[Row]) -> None:
    head = ["file", "program", "records", "created", "matched", "refused", "unexplained", "crashed", "created %",
            "seconds"]
    body = []
    for r in rows:
        pct = f"{100.0 * r.created / r.records:.1f}%" if r.records else "-"
        rec = f"{r.records}" + (f" ({r.ty_lines} TY)" if r.ty_lines is not None and r.ty_lines != r.records else "")
        body.append([r.file, r.program[:42], rec, r.created, r.matched, r.refused, r.unexplained,
                     "CRASH" if r.crashed else ("error" if r.error and not r.error.startswith("rispy") else ""),
                     pct, f"{r.seconds:.2f}"])
    total = sum(max(r.records, r.ty_lines or 0) for r in rows)
    created = sum(r.created for r in rows)
    body.append(["TOTAL", f"{len(rows)} files", total, created, sum(r.matched for r in rows),
                 sum(r.refused for r in rows), sum(r.unexplained for r in rows), sum(r.crashed for r in rows),
                 f"{100.0 * created / total:.1f}%" if total else "-", f"{sum(r.seconds for r in rows):.2f}"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    numeric = [False, False] + [True] * (len(head) - 2)

    def line(cells: list[Any]) -> str:
        return "  ".join(str(c).rjust(w) if n else str(c).ljust(w)
                         for c, w, n in zip(cells, widths, numeric, strict=True))

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for cells in body[:-1]:
        print(line(cells))
    print("  ".join("-" * w for w in widths))
    print(line(body[-1]))


def _shape(reason: str) -> str:
    """A reason with quoted values and numbers blanked, to count alike ones together."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", reason))[:120]


def print_details(rows: list[Row], n: int) -> None:
    for r in rows:
        if not (r.problems or r.notes or r.error):
            continue
        print(f"\n{r.file}: {len(r.problems)} problems, {len(r.notes)} notes" + (f"; {r.error}" if r.error else ""))
        if r.traceback:
            print("  " + r.traceback.replace("\n", "\n  "))
        for kind, items, key in (("problem", r.problems, "reason"), ("note", r.notes, "note")):
            counts = collections.Counter(_shape(str(p.get(key))) for p in items)
            for reason, c in counts.most_common(n):
                ex = next(p for p in items if _shape(str(p.get(key))) == reason)
                example = f"line {ex.get('line')}: {str(ex.get(key))[:200]}"
                print(f"  {kind:7s} {c:5d} × {reason}\n                e.g. {example}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    ap.add_argument("--reasons", type=int, default=0, metavar="N",
                    help="each file's N most frequent problems and notes")
    ap.add_argument("--only", default="", help="only files whose name contains this text")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--kbase", type=Path, default=KBASE)
    args = ap.parse_args()
    files = [(p, "ris") for p in sorted((args.dir / "ris").glob("*")) if p.suffix.lower() in (".ris", ".txt")] + \
            [(p, "csl-json") for p in sorted((args.dir / "csl").glob("*.json"))]
    files = [(p, f) for p, f in files if args.only in p.name]
    if not files:
        print(f"no RIS or CSL-JSON files in {args.dir}: run scripts/fetch-ris-csl-corpus.sh first", file=sys.stderr)
        return 1
    made_by = programs(args.dir / "ris") | programs(args.dir / "csl")
    rows = []
    for path, fmt in files:
        row = Row(path.name, fmt, made_by.get(path.name, ""))
        baseline(path, row)
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
