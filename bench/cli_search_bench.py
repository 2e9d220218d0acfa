"""`kbase search` from a shell, one process per query: cold (KBASE_SEARCH_SERVICE=0) beside warm (the
search process of kbase.search.service), and recollq with snippets when a Recoll configuration is given.

Each query runs cold, warm and with recollq in turn (so a busy machine weighs on all three alike); the
warm process is stopped first, so the first warm query pays for starting it. Every query asks for
JSON: the cold and warm answers must be the same (hits, their pages, order, snippets), and the bench
says how many differ. Prints p50/p95 per way and the ratios of the p95s, and the queries that found
nothing in Kbase or in Recoll (the words must be in both for the times to compare). Asserts nothing.

recollq reads the same queries: words, quoted phrases, AND, OR and prefix* are Recoll's syntax as well;
"a NOT b" is written "a -b" for recollq. Snippets with page numbers: `recollq -n LIMIT -A -p 3`.

    .venv/bin/python bench/cli_search_bench.py --library LIB [--recoll-config DIR] [--limit 10]
        [--save RUN.json] [--compare EARLIER.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbase.search import ask  # noqa: E402  (after the path: the bench runs from a checkout)

# the kinds the peer comparison times: words, phrases, AND/OR/NOT, prefixes
QUERIES = [
    "table", "figure", "font", "color", "bibliography", "theorem", "algorithm", "graph", "chess", "music",
    "beamer", "tikz", "margin", "footnote", "glossary", "hyphenation", "unicode", "citation", "matrix", "chemistry",
    '"table of contents"', '"font size"', '"page layout"', '"command line"', '"user manual"',
    '"regular expression"', '"bounding box"', '"line break"', '"default value"', '"package options"',
    "table AND figure", "font OR colour", "beamer AND overlay", "package NOT beamer", "theorem AND proof",
    "chess OR music", "index AND glossary", "margin AND note", "bibtex OR biblatex", "unicode AND xetex",
    "tab*", "graph*", "col*", "hyph*", "bibl*", "theor*", "algo*", "chem*", "symb*", "marg*",
]


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str, int]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return (time.perf_counter() - started) * 1000, done.stdout + done.stderr, done.returncode


def answer_of(out: str) -> object:
    """What must not change: total, hits in order with their pages and snippets."""
    try:
        data = json.loads(out)
    except ValueError:
        return out
    return [data.get("total"), [(h["publication_id"], h["snippet"], [(p["attachment_id"], p["page"], p["snippet_html"])
                                                                     for p in h["pages"]]) for h in data["hits"]]]


def total_of(out: str) -> int | None:
    """kbase search --json's total, or None when the answer is not JSON (an error)."""
    try:
        return int(json.loads(out)["total"])
    except (ValueError, KeyError, TypeError):
        return None


def recoll_total(out: str) -> int | None:
    """The "N results" line recollq prints before its hits."""
    found = re.search(r"^(\d+) results", out, re.MULTILINE)
    return int(found.group(1)) if found else None


def pct(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))], 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", required=True)
    ap.add_argument("--recoll-config", help="a Recoll configuration folder indexing the same documents")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--queries", type=Path, help="a file of queries, one a line (default: the 50 built in)")
    ap.add_argument("--save", type=Path, help="write each query's times and warm answer to this JSON file")
    ap.add_argument("--compare", type=Path, help="a --save file of an earlier run (another version of the code): "
                                                 "count the warm answers that differ from it")
    args = ap.parse_args()
    queries = args.queries.read_text().splitlines() if args.queries else QUERIES
    if "://" not in args.library and not (Path(args.library) / "catalogue.sqlite").is_file():
        sys.exit(f"no library at {args.library}")
    script = Path(sys.executable).parent / "kbase"  # the installed command, as a user types it
    program = [str(script)] if script.is_file() else [sys.executable, "-m", "kbase.cli"]
    kbase = [*program, "--library", args.library, "search", "--limit", str(args.limit), "--json"]
    cold_env = {**os.environ, "KBASE_SEARCH_SERVICE": "0"}
    warm_env = {k: v for k, v in os.environ.items() if k != "KBASE_SEARCH_SERVICE"}
    recollq = shutil.which("recollq") if args.recoll_config else None
    ask.stop(args.library)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    times: dict[str, list[float]] = {"cold": [], "warm": [], "recollq": []}
    differ: list[str] = []
    answers: list[object] = []
    failed = 0
    empty: dict[str, list[str]] = {"kbase": [], "recollq": []}
    for q in queries:
        cold_ms, cold_out, cold_rc = timed([*kbase, q], cold_env)
        warm_ms, warm_out, warm_rc = timed([*kbase, q], warm_env)
        times["cold"].append(cold_ms)
        times["warm"].append(warm_ms)
        if (cold_rc, answer_of(cold_out)) != (warm_rc, answer_of(warm_out)):
            differ.append(q)
        answers.append([warm_rc, answer_of(warm_out)])
        failed += cold_rc != 0
        if not total_of(warm_out):
            empty["kbase"].append(q)
        if recollq:
            ms, out, _rc = timed([recollq, "-c", args.recoll_config, "-n", str(args.limit), "-A", "-p", "3",
                                  q.replace(" NOT ", " -")], dict(os.environ))
            times["recollq"].append(ms)
            if not recoll_total(out):
                empty["recollq"].append(q)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{len(queries)} queries, --limit {args.limit}, with snippets; load {load_before:.1f} at the start, "
          f"{load:.1f} at the end")
    print("| way | p50 ms | p95 ms | first ms | max ms |")
    print("|---|---|---|---|---|")
    for way, values in times.items():
        if values:
            print(f"| {way} | {statistics.median(values):.1f} | {pct(values, 95)} | {values[0]:.1f} "
                  f"| {max(values):.1f} |")
    if times["recollq"]:
        print(f"warm p95 / recollq p95: {pct(times['warm'], 95) / pct(times['recollq'], 95):.2f}; "
              f"cold p95 / recollq p95: {pct(times['cold'], 95) / pct(times['recollq'], 95):.2f}")
    slowest = sorted(range(1, len(queries)), key=lambda i: -times["warm"][i])[:3]  # the first starts the process
    print("slowest warm: " + "; ".join(f"{queries[i]} {times['warm'][i]:.0f} ms"
                                       + (f" (recollq {times['recollq'][i]:.0f})" if times["recollq"] else "")
                                       for i in slowest))
    print(f"cold p95 / warm p95: {pct(times['cold'], 95) / pct(times['warm'], 95):.1f}")
    print(f"queries answered with an error (the same both ways, e.g. no such words): {failed}")
    for way, missed in empty.items():
        if way == "kbase" or recollq:
            print(f"queries {way} found nothing for: {len(missed)}" + (f" ({missed})" if missed else ""))
    print(f"answers that differ between cold and warm: {len(differ)} of {len(queries)}"
          + (f" ({differ})" if differ else ""))
    ask.stop(args.library)
    changed = saved_and_compared(args.save, args.compare, queries, times, answers)
    return 1 if differ or changed else 0


def saved_and_compared(save: Path | None, compare: Path | None, queries: list[str], times: dict[str, list[float]],
                       answers: list[object]) -> list[str]:
    """Writes the run to save (if given); the queries whose warm answer differs from compare's (printed)."""
    rows = {q: {way: round(values[i], 1) for way, values in times.items() if values} | {"answer": answers[i]}
            for i, q in enumerate(queries)}
    if save is not None:
        save.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    if compare is None:
        return []
    before = json.loads(compare.read_text(encoding="utf-8"))
    # through JSON, so tuples and lists compare alike
    changed = [q for q in queries if q in before and json.loads(json.dumps(rows[q]["answer"])) != before[q]["answer"]]
    print(f"warm answers that differ from {compare}: {len(changed)} of {sum(q in before for q in queries)}"
          + (f" ({changed})" if changed else ""))
    return changed


if __name__ == "__main__":
    sys.exit(main())
