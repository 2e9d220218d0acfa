"""`kbase ocr [--all | ID...]`: read scanned pages with Tesseract, from the queue the imports fill."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import Any

from kbase.cli.common import open_catalogue
from kbase.i18n import gettext as _
from kbase.i18n import ngettext, number, translate
from kbase.ocr.queue import OcrProgress, enqueue, jobs, ocr_state, run_queue


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser(
        "ocr", parents=[common], help=_("read scanned pages with OCR (Tesseract): the queue, --all or publications"),
        description=_("Read the pages without a text layer with Tesseract, in English or French (the publication's "
                      "language, else detected from the first pages read). An import queues its scanned pages; "
                      "`kbase ocr` reads the queue page by page (Ctrl-C stops after the page being read, and the "
                      "next run goes on from there). Blank pages are skipped."))
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help=_("publications whose PDFs to read"))
    p.add_argument("--all", action="store_true", help=_("every PDF of the library with pages without text"))
    p.add_argument("--every-page", action="store_true",
                   help=_("read every page of the publications named, replacing a text layer that is garbage"))
    p.add_argument("--status", action="store_true", help=_("show the queue and read nothing"))
    p.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    p.set_defaults(run=cmd_ocr)


class _Progress:
    def __init__(self, out: Any):
        self.out = out

    def __call__(self, state: OcrProgress) -> None:
        if state.phase == "reading" and state.pages_done:
            said = _("OCR: page {page}/{pages}, document {document}/{documents}, {rate} pages/min").format(
                page=number(state.pages_done), pages=number(state.pages_total),
                document=number(state.documents_done + 1), documents=number(state.documents_total),
                rate=number(state.pages_per_minute, 0))
            self.out.write(f"\r{said}  {state.current[:40]}\x1b[K")
            self.out.flush()

    def end(self) -> None:
        self.out.write("\n")


def cmd_ocr(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    try:
        if args.status:
            rows = jobs(cat)
            if args.json:
                json.dump({"state": ocr_state(cat), "documents": rows}, sys.stdout, ensure_ascii=False, indent=2)
                sys.stdout.write("\n")
            else:
                for row in rows:
                    sys.stdout.write(f"{row['publication'] or '':>6}  {row['status']:<9}  {row['pages_done']:>4}/"
                                     f"{row['pages_total']:<4} {row['filename']}  {translate(row['message'] or '')}\n")
                sys.stdout.write(_summary(ocr_state(cat)) + "\n")
            return 0
        lines: list[str] = []
        if args.all or args.ids:
            lines = enqueue(cat, None if args.all else args.ids, every_page=args.every_page)
        if not args.json:
            for line in lines:
                sys.stdout.write(translate(line) + "\n")
        cancel = threading.Event()

        def on_sigint(_sig: int, _frame: Any) -> None:
            if cancel.is_set():
                raise KeyboardInterrupt
            cancel.set()
            stopping = _("kbase: stopping after the page being read (Ctrl-C again to stop at once)")
            sys.stderr.write(f"\n{stopping}\n")

        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, on_sigint) if main else None
        bar = _Progress(sys.stdout) if sys.stdout.isatty() and not args.json else None
        try:
            report = run_queue(cat, progress=bar, cancel=cancel)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
            if bar is not None:
                bar.end()
        if args.json:
            json.dump({**report.as_dict(), "queued": lines, "state": ocr_state(cat)}, sys.stdout,
                      ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            for doc in report.documents:
                sys.stdout.write(f"{doc['filename']}: {doc['status']}: {translate(doc['message'])}\n")
            sys.stdout.write(_read_line(report) + "\n")
            if report.index_message:
                sys.stdout.write(translate(report.index_message) + "\n")
        return 130 if report.cancelled else 1 if any(d["status"] == "failed" for d in report.documents) else 0
    finally:
        cat.library.close()


def _read_line(report: Any) -> str:
    """"OCR: 3 pages read in 1 document, 12.0 pages/min"."""
    documents = ngettext("{n} document", "{n} documents", len(report.documents)).format(
        n=number(len(report.documents)))
    line = ngettext("OCR: {n} page read in {documents}", "OCR: {n} pages read in {documents}", report.pages).format(
        n=number(report.pages), documents=documents)
    if report.seconds and report.pages:
        line += ", " + _("{rate} pages/min").format(rate=number(60 * report.pages / report.seconds, 1))
    if report.cancelled:
        line += " " + _("(cancelled: `kbase ocr` goes on from there)")
    return line


def _summary(state: dict[str, int]) -> str:
    waiting = state["queued"] + state["running"]
    pages = ngettext("{n} page", "{n} pages", state["pages_left"]).format(n=state["pages_left"])
    parts = [ngettext("{n} document waiting ({pages})", "{n} documents waiting ({pages})", waiting).format(
        n=waiting, pages=pages), ngettext("{n} done", "{n} done", state["done"]).format(n=state["done"])]
    if state["cancelled"]:
        parts.append(ngettext("{n} cancelled", "{n} cancelled", state["cancelled"]).format(n=state["cancelled"]))
    if state["failed"]:
        parts.append(ngettext("{n} failed", "{n} failed", state["failed"]).format(n=state["failed"]))
    return _("OCR queue: {parts}").format(parts=", ".join(parts))
