"""Real-world .bib corpus: what bibtexparser reads against what `kbase import` brings in (prints, asserts nothing).

Run: .venv/bin/python bench/bib_corpus.py [DIR] [--json] [--reasons N] [--save FILE] [--timeout S] [--only TEXT]
                                          [--kbase PATH]
DIR defaults to ${KBASE_CORPUS:-~/.cache/kbase/corpus}/bib, filled by scripts/fetch-bib-corpus.sh.
--reasons N adds, per file, the N most frequent problems, notes and match reasons, each with an example.

For every DIR/*.bib: (a) the entries bibtexparser 2 parses (file decoded as utf-8-sig, else latin-1; @string,
@preamble and @comment are not entries; broken blocks land in failed_blocks), (b) `kbase import FILE --json` into
a fresh library in a temporary folder, in a subprocess with a timeout. From its JSON: created, matched, refused
and the problems. Older report shapes are read too: a BibTeX report with created/linked/skipped/problems lists,
or files[] whose message holds "path:line: key: reason" lines and the "N publications created, …" summary.
A non-zero exit with "internal error" or a traceback on stderr, or a timeout, is a crash.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = Path(os.environ.get("KBASE_CORPUS") or Path.home() / ".cache" / "kbase" / "corpus") / "bib"
KBASE = ROOT / ".venv" / "bin" / "kbase"

# "path:12: key: reason" (key optional) and the old summary line of a .bib import
PROBLEM_LINE = re.compile(r"^(?P<file>[^\n]*?\.bib):(?P<line>\d+): (?:(?P<key>\S+?): )?(?P<reason>.+)$")
SUMMARY_LINE = re.compile(r"(?P<created>\d+) publications (?:would be )?created, (?P<linked>\d+) linked to existing "
                          r"ones, (?P<skipped>\d+) skipped, (?P<unreadable>\d+) entries not readable")


@dataclass
class Row:
    """One corpus file: the baseline count and what the import said."""

    file: str
    kind: str = ""
    size: int = 0
    parsed: int = 0  # entries bibtexparser parsed
    parser_failed: int = 0  # bibtexparser failed_blocks
    parser_seconds: float = 0.0
    created: int = 0
    matched: int = 0
    refused: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)  # imported, but worth saying (newer reports)
    matches: list[dict[str, Any]] = field(default_factory=list)  # entries matched to a record, with the reason
    encoding: str = ""  # as the import read the file, when it says
    crashed: bool = False
    error: str = ""  # crash, timeout, non-zero exit or unreadable output
    traceback: str = ""  # tail of the crash log, when kbase wrote one
    exit_code: int | None = None
    seconds: float = 0.0
    shape: str = ""  # which JSON shape the import printed

    @property
    def ratio(self) -> float | None:
        return 100.0 * self.created / self.parsed if self.parsed else None


def kinds(folder: Path) -> dict[str, str]:
    """File name → kind, from the SOURCES.tsv the fetch script writes (empty when there is none)."""
    tsv = folder / "SOURCES.tsv"
    if not tsv.exists():
        return {}
    out = {}
    for line in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4:
            out[cols[0]] = cols[3]
    return out


def guess_kind(name: str) -> str:
    """Kind from the file name prefix when SOURCES.tsv does not say."""
    return name.split("-", 1)[0] if "-" in name else ""


def baseline(path: Path, row: Row) -> None:
    """Count what bibtexparser 2 parses (entries only, broken blocks apart)."""
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # its per-block warnings; failed_blocks count them
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    start = time.perf_counter()
    library = bibtexparser.parse_string(text)
    row.parser_seconds = round(time.perf_counter() - start, 2)
    row.parsed = len(library.entries)
    row.parser_failed = len(library.failed_blocks)


def count(value: Any) -> int:
    """A number, or the length of a list, or 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (list, dict)):
        return len(value)
    return 0


def problem_list(value: Any, file: str) -> list[dict[str, Any]]:
    """Problems as {file, line, key, reason}, whether given as dicts, tuples or strings."""
    out = []
    for p in value if isinstance(value, list) else []:
        if isinstance(p, dict):
            out.append({"file": p.get("file", file), "line": p.get("line"), "key": p.get("key"),
                        "reason": p.get("reason") or p.get("message") or p.get("note") or ""})
        elif isinstance(p, (list, tuple)) and len(p) >= 3:
            out.append({"file": file, "line": p[0], "key": p[1], "reason": p[2]})
        else:
            out.append({"file": file, "line": None, "key": None, "reason": str(p)})
    return out


def read_report(rep: dict[str, Any], file: str) -> tuple[int, int, int, list[dict[str, Any]]]:
    """(created, matched, refused, problems) from one report dict, new or old names."""
    problems = problem_list(rep.get("problems"), file)
    created = count(rep.get("created"))
    matched = count(rep["matched"] if "matched" in rep else rep.get("linked"))
    if "refused" in rep:
        refused = count(rep["refused"])
    else:  # older reports: skipped duplicates plus unreadable entries were both left out
        refused = count(rep.get("skipped")) + len(problems)
    return created, matched, refused, problems


def read_message(message: str, file: str) -> tuple[int, int, int, list[dict[str, Any]]] | None:
    """The oldest shape: problems and the summary only in a text message."""
    summary = SUMMARY_LINE.search(message)
    if not summary:
        return None
    problems = []
    for line in message.splitlines():
        m = PROBLEM_LINE.match(line)
        if m and not m["reason"].startswith("note: "):
            problems.append({"file": m["file"], "line": int(m["line"]), "key": m["key"], "reason": m["reason"]})
    created, linked = int(summary["created"]), int(summary["linked"])
    refused = int(summary["skipped"]) + int(summary["unreadable"])
    return created, linked, refused, problems


def read_extras(rep: dict[str, Any], row: Row) -> None:
    """Notes, matches with their reasons and the encoding, where a report gives them."""
    for n in rep.get("notes") or []:
        if isinstance(n, dict):
            row.notes.append({"line": n.get("line"), "key": n.get("key"), "note": n.get("note") or n.get("reason")})
    for rec in rep.get("records") or []:
        if isinstance(rec, dict) and rec.get("action") == "match":
            row.matches.append({"line": rec.get("line"), "key": rec.get("key"), "reason": rec.get("reason", "")})
    for n in rep.get("linked") or []:
        if isinstance(n, dict):
            row.matches.append({"line": None, "key": n.get("key"), "reason": n.get("reason", "")})
    if isinstance(rep.get("encoding"), str):
        row.encoding = rep["encoding"]


def read_output(data: Any, file: str, row: Row) -> None:
    """Fill the row from whichever JSON shape the import printed."""
    totals = [0, 0, 0]
    problems: list[dict[str, Any]] = []

    def add(found: tuple[int, int, int, list[dict[str, Any]]]) -> None:
        for i in range(3):
            totals[i] += found[i]
        problems.extend(found[3])

    if isinstance(data, dict) and any(k in data for k in ("created", "matched", "refused")):
        row.shape = "top-level"
        add(read_report(data, file))
        for item in data.get("files") or []:
            if isinstance(item, dict):
                read_extras(item, row)
    else:
        items = data if isinstance(data, list) else (data.get("reports") or data.get("files") or [])
        shapes = set()
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            rep = item.get("report") if isinstance(item.get("report"), dict) else item
            if any(k in rep for k in ("created", "linked", "matched", "refused")):
                shapes.add("report")
                add(read_report(rep, file))
                read_extras(rep, row)
            elif isinstance(item.get("message"), str) and (found := read_message(item["message"], file)):
                shapes.add("files[].message")
                add(found)
        row.shape = "+".join(sorted(shapes)) or "unknown"
        if not shapes:
            row.error = row.error or "no .bib report found in the JSON"
    row.created, row.matched, row.refused = totals
    row.problems = problems


def first_json(text: str) -> Any:
    """The first JSON value in the output (anything printed before it is ignored)."""
    decoder = json.JSONDecoder()
    for i, ch in enumerate(text):
        if ch in "{[":
            try:
                return decoder.raw_decode(text[i:])[0]
            except json.JSONDecodeError:
                continue
    raise ValueError("no JSON in the output")


def run(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run in its own process group, so that a timeout ends the import's worker processes too."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT,
                            encoding="utf-8", errors="replace", start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def crash_tail(state: Path, lines: int = 12) -> str:
    """The end of kbase's crash log in this run's private state folder."""
    logs = list(state.rglob("crash.log"))
    if not logs:
        return ""
    return "\n".join(logs[0].read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def is_crash(stderr: str) -> bool:
    return "internal error" in stderr or "Traceback (most recent call last)" in stderr


def import_file(path: Path, row: Row, kbase: Path, timeout: float) -> None:
    """`kbase init` a fresh library, then `kbase import FILE --json` into it; read the report."""
    with tempfile.TemporaryDirectory(prefix="kbase-corpus-") as tmp:
        lib, state = Path(tmp) / "lib", Path(tmp) / "state"
        env = {k: v for k, v in os.environ.items() if k != "KBASE_LIBRARY"}
        # private config, data and state folders: a crash log of this run alone, no user settings
        env.update(XDG_STATE_HOME=str(state), XDG_DATA_HOME=str(Path(tmp) / "data"),
                   XDG_CONFIG_HOME=str(Path(tmp) / "config"), QT_QPA_PLATFORM="offscreen")
        try:
            init = run([str(kbase), "init", str(lib)], env, timeout)
        except subprocess.TimeoutExpired:
            row.crashed, row.error = True, f"kbase init timed out after {timeout:.0f} s"
            return
        if init.returncode != 0:
            row.crashed = is_crash(init.stderr)
            row.error = "kbase init failed: " + (init.stderr.strip().splitlines() or ["?"])[-1]
            row.traceback = crash_tail(state)
            return
        start = time.perf_counter()
        try:
            proc = run([str(kbase), "--library", str(lib), "import", str(path), "--json"], env, timeout)
        except subprocess.TimeoutExpired:
            row.seconds = round(time.perf_counter() - start, 2)
            row.crashed, row.error = True, f"timed out after {timeout:.0f} s"
            return
        row.seconds = round(time.perf_counter() - start, 2)
        row.exit_code = proc.returncode
        stderr = proc.stderr.strip()
        if proc.returncode != 0:
            row.crashed = is_crash(stderr)
            lines = [ln for ln in stderr.splitlines() if ln.strip()]
            pick = next((ln for ln in lines if "internal error" in ln), lines[-1] if lines else "")
            row.error = f"exit {proc.returncode}: {pick}"[:500]
            row.traceback = crash_tail(state)
        try:
            read_output(first_json(proc.stdout), str(path), row)
        except ValueError as exc:
            if proc.returncode == 0:
                row.error = f"{exc}: {proc.stdout.strip()[:200]!r}"


def normalise(reason: str) -> str:
    """A reason with its quoted values and numbers blanked, to group alike ones."""
    reason = re.sub(r"'[^']*'|`[^`]*`|\"[^\"]*\"", "'…'", reason)
    reason = re.sub(r"\b(entry|record|key) [^\s,;:]+", r"\1 …", reason)
    return re.sub(r"\d+", "N", reason)[:160]


def top_reasons(items: list[dict[str, Any]], n: int, field: str = "reason") -> list[tuple[str, int, dict[str, Any]]]:
    """The n most frequent reasons (or notes), each with its count and a first example."""
    counts = collections.Counter(normalise(str(p[field])) for p in items)
    first: dict[str, dict[str, Any]] = {}
    for p in items:
        first.setdefault(normalise(str(p[field])), p)
    return [(r, c, first[r]) for r, c in counts.most_common(n)]


def print_table(rows: list[Row]) -> None:
    head = ["file", "kind", "bibtexparser", "created", "matched", "refused", "problems", "crashed", "created/parsed",
            "seconds"]
    body = []
    for r in rows:
        crashed = "CRASH" if r.crashed else ("error" if r.error else "")
        body.append([r.file, r.kind, r.parsed, r.created, r.matched, r.refused, len(r.problems), crashed,
                     f"{r.ratio:.1f}%" if r.ratio is not None else "-", f"{r.seconds:.2f}"])
    parsed = sum(r.parsed for r in rows)
    created = sum(r.created for r in rows)
    body.append(["TOTAL", f"{len(rows)} files", parsed, created, sum(r.matched for r in rows),
                 sum(r.refused for r in rows), sum(len(r.problems) for r in rows),
                 sum(r.crashed for r in rows), f"{100.0 * created / parsed:.1f}%" if parsed else "-",
                 f"{sum(r.seconds for r in rows):.2f}"])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]  # every row has each column
    numeric = [False, False] + [True] * (len(head) - 2)

    def line(cells: list[Any]) -> str:
        return "  ".join(str(c).rjust(w) if num else str(c).ljust(w)
                         for c, w, num in zip(cells, widths, numeric, strict=True))

    print(line(head))
    print("  ".join("-" * w for w in widths))
    for cells in body[:-1]:
        print(line(cells))
    print("  ".join("-" * w for w in widths))
    print(line(body[-1]))


def print_details(rows: list[Row], n: int) -> None:
    """Per file: the error, then the most frequent problems, notes and match reasons, each with an example."""
    for r in rows:
        print(f"\n{r.file}  [{r.kind}]  bibtexparser {r.parsed} entries, {r.parser_failed} failed blocks; "
              f"read as {r.encoding or '?'}; {len(r.problems)} problems, {len(r.notes)} notes, "
              f"{len(r.matches)} matches")
        if r.error:
            print(f"  error: {r.error}")
        if r.traceback:
            print("  " + r.traceback.replace("\n", "\n  "))
        for title, items, key in (("problem", r.problems, "reason"), ("note", r.notes, "note"),
                                  ("match", r.matches, "reason")):
            for reason, c, ex in top_reasons(items, n, key):
                example = f"line {ex.get('line')}, key {ex.get('key')!s}: {ex[key]}"
                print(f"  {title:7s} {c:6d} × {reason}\n                   e.g. {example[:300]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR, help=f"corpus folder (default {DEFAULT_DIR})")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    ap.add_argument("--reasons", type=int, default=0, metavar="N",
                    help="after the table, each file's N most frequent problems, notes and match reasons")
    ap.add_argument("--save", type=Path, help="also write the rows as JSON to this file")
    ap.add_argument("--timeout", type=float, default=900, help="seconds for one import (default 900)")
    ap.add_argument("--only", default="", help="only files whose name contains this text")
    ap.add_argument("--kbase", type=Path, default=KBASE, help=f"the CLI to run (default {KBASE})")
    args = ap.parse_args()

    files = sorted(p.resolve() for p in args.dir.glob("*.bib") if args.only in p.name)
    if not files:
        print(f"no .bib files in {args.dir}: run scripts/fetch-bib-corpus.sh first", file=sys.stderr)
        return 1
    known = kinds(args.dir)
    rows = []
    for path in files:
        row = Row(file=path.name, kind=known.get(path.name, guess_kind(path.name)), size=path.stat().st_size)
        baseline(path, row)
        import_file(path, row, args.kbase, args.timeout)
        rows.append(row)
        if not args.json:
            print(f"… {path.name}: {row.created}/{row.parsed} in {row.seconds:.1f} s"
                  + (f" ({row.error})" if row.error else ""), file=sys.stderr, flush=True)

    out = [asdict(r) | {"created_per_parsed": None if r.ratio is None else round(r.ratio, 1)} for r in rows]
    if args.save:
        args.save.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_table(rows)
        if args.reasons:
            print_details(rows, args.reasons)
    return 0


if __name__ == "__main__":
    sys.exit(main())
