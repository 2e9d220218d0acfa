"""Reading a page image with Tesseract (through PyMuPDF's OCR text pages); no database here."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from kbase.errors import KbaseError
from kbase.imports.pdfmeta import guess_language
from kbase.textnorm import normalise_page_text

__all__ = ["OcrUnavailable", "OCR_DPI", "TESSERACT_LANGS", "tessdata", "read_page", "read_page_detecting",
           "tesseract_code"]

# 300 dpi is what Tesseract is trained for; below it small print loses letters
OCR_DPI = 300
TESSERACT_LANGS = {"en": "eng", "fr": "fra"}
BOTH = "eng+fra"  # a document whose language nobody knows yet


class OcrUnavailable(KbaseError):
    """Tesseract or its language data is missing on this machine."""


@lru_cache(maxsize=1)
def _find_tessdata() -> str | None:
    import pymupdf

    found = os.environ.get("TESSDATA_PREFIX") or pymupdf.get_tessdata()
    return found or None


def tessdata(languages: str = BOTH) -> str:
    """Tesseract's data folder, checked to hold every language asked for."""
    folder = _find_tessdata()
    if not folder:
        raise OcrUnavailable("OCR needs Tesseract: install tesseract-ocr, tesseract-ocr-eng and tesseract-ocr-fra "
                             "(scripts/system-deps.sh does it)")
    missing = [code for code in languages.split("+") if not os.path.exists(os.path.join(folder, f"{code}.traineddata"))]
    if missing:
        raise OcrUnavailable(f"OCR needs Tesseract's {', '.join(missing)} language data in {folder} "
                             f"(Debian: tesseract-ocr-{missing[0]})")
    return folder


def tesseract_code(language: str | None) -> str:
    """The catalogue's language ('en', 'fr', 'English'…) as Tesseract's code; both when unknown."""
    key = (language or "").strip().casefold()[:2]
    return TESSERACT_LANGS.get(key, BOTH)


def read_page(page: Any, code: str) -> str:
    """The text Tesseract reads on the whole page drawn at OCR_DPI, normalised as text layers are."""
    textpage = page.get_textpage_ocr(language=code, dpi=OCR_DPI, full=True, tessdata=tessdata(code))
    return normalise_page_text(page.get_text("text", textpage=textpage))


def read_page_detecting(page: Any) -> tuple[str, str]:
    """A page of a document in an unknown language: read with English and French, then the language its words
    show ('en', 'fr', or '' when they do not say)."""
    text = read_page(page, BOTH)
    return text, guess_language([text]) or ""
