"""Reading a page image with Tesseract: PyMuPDF draws the page, the system's `tesseract` reads it; no database here.

Why the command and not PyMuPDF's own OCR (Page.get_textpage_ocr, the Tesseract built into MuPDF) nor OCRmyPDF:
on the same real scans in the same run (bench/ocr_bench.py) the Debian build of Tesseract read pages about twice
as fast as the one inside MuPDF, with fewer word errors; OCRmyPDF runs that same Tesseract but writes a new PDF,
which would change the file's hash in the content-addressed store, and works a whole file at a time, while the
queue reads and commits one page at a time (progress, cancel, resume).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from kbase.errors import KbaseError
from kbase.i18n import N_
from kbase.imports.pdfmeta import guess_language
from kbase.textnorm import normalise_page_text

__all__ = ["OcrUnavailable", "OCR_DPI", "TESSERACT_LANGS", "BOTH", "tessdata", "read_page", "read_page_detecting",
           "tesseract_code", "page_image"]

# 300 dpi is what Tesseract is trained for; below it small print loses letters
OCR_DPI = 300
TESSERACT_LANGS = {"en": "eng", "fr": "fra"}
BOTH = "eng+fra"  # a document whose language nobody knows yet
PAGE_TIMEOUT = 600  # seconds: a page Tesseract has not read by then never will be
INSTALL = "install tesseract-ocr, tesseract-ocr-eng and tesseract-ocr-fra (scripts/system-deps.sh does it)"


class OcrUnavailable(KbaseError):
    """Tesseract or its language data is missing on this machine, or it failed on a page."""


@lru_cache(maxsize=1)
def _languages() -> tuple[str, frozenset[str]]:
    program = shutil.which("tesseract")
    if not program:
        raise OcrUnavailable(N_("OCR needs Tesseract: {install}").format(install=INSTALL))
    listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=60)
    found = frozenset(line.strip() for line in listed.stdout.splitlines()[1:] if line.strip())
    return program, found


def tessdata(languages: str = BOTH) -> str:
    """The tesseract program, checked to have every language asked for ('eng+fra')."""
    program, found = _languages()
    missing = [code for code in languages.split("+") if code not in found]
    if missing:
        raise OcrUnavailable(N_("OCR needs Tesseract's {missing} language data: {install}").format(
            missing=', '.join(missing), install=INSTALL))
    return program


def tesseract_code(language: str | None) -> str:
    """The catalogue's language ('en', 'fr', 'English'…) as Tesseract's code; both when unknown."""
    key = (language or "").strip().casefold()[:2]
    return TESSERACT_LANGS.get(key, BOTH)


def page_image(page: Any, dpi: int = OCR_DPI) -> bytes:
    """The page drawn in grey at `dpi`, as PNG: what Tesseract reads."""
    import pymupdf

    png: bytes = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False).tobytes("png")
    return png


def read_page(page: Any, code: str, pdf_out: Path | None = None) -> str:
    """The text Tesseract reads on the whole page, normalised as text layers are. With pdf_out, Tesseract also
    writes the page there as a PDF: the picture with its words laid invisibly over it, where a viewer finds them."""
    program = tessdata(code)
    # one thread: the queue runs beside the user's work, and Tesseract's threads gain little on one page
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with tempfile.TemporaryDirectory(prefix="kbase-ocr-") as tmp:
        base = Path(tmp) / "page"
        try:
            done = subprocess.run([program, "stdin", str(base), "-l", code, "--dpi", str(OCR_DPI), "txt"]
                                  + (["pdf"] if pdf_out is not None else []), input=page_image(page),
                                  capture_output=True, timeout=PAGE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            raise OcrUnavailable(N_("Tesseract did not read the page in {page_timeout} s").format(
                page_timeout=PAGE_TIMEOUT)) from None
        if done.returncode != 0 or not base.with_suffix(".txt").exists():
            reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OcrUnavailable(N_("Tesseract failed on the page: {reason}").format(
                reason=reason[-1] if reason else done.returncode))
        if pdf_out is not None and base.with_suffix(".pdf").exists():
            pdf_out.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(base.with_suffix(".pdf")), pdf_out)
        return normalise_page_text(base.with_suffix(".txt").read_text(encoding="utf-8", errors="replace"))


def read_page_detecting(page: Any, pdf_out: Path | None = None) -> tuple[str, str]:
    """A page of a document in an unknown language: read with English and French, then the language its words
    show ('en', 'fr', or '' when they do not say)."""
    text = read_page(page, BOTH, pdf_out)
    return text, guess_language([text]) or ""
