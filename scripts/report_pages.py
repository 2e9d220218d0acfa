"""Pictures of the reports' pages, so their look is checked on every change (`make screenshots`).

For the demo library: the 2021 annual report, a project sheet and a bibliography, in English and
French, as PDF and as DOCX (turned into PDF by LibreOffice, as a reader would see it). Each gives
its first pages as PNGs and one contact sheet of every page; the figures printed are how full each
page is (the annual report's rule: no page under a third full, except the last before a new part).

    .venv/bin/python scripts/report_pages.py [OUT]     (default docs/screenshots/report-pages)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pymupdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kbase.catalogue.demo import load_demo  # noqa: E402
from kbase.catalogue.query import Filter  # noqa: E402
from kbase.catalogue.records import Catalogue  # noqa: E402
from kbase.library.db import open_library  # noqa: E402
from kbase.report import build_annual, build_bibliography, build_project  # noqa: E402

FIRST_PAGES = 2
BODY_TOP, BODY_BOTTOM = 66, pymupdf.paper_rect("a4").height - 62


def fill(page: pymupdf.Page) -> float:
    """How far down the body text, pictures and charts reach, 0 to 1."""
    bottoms = [b[3] for b in page.get_text("blocks") if BODY_TOP <= b[1] <= BODY_BOTTOM]
    bottoms += [d["rect"].y1 for d in page.get_drawings() if BODY_TOP <= d["rect"].y0 <= BODY_BOTTOM]
    return (max(bottoms, default=BODY_TOP) - BODY_TOP) / (BODY_BOTTOM - BODY_TOP)


def docx_to_pdf(docx: Path) -> Path | None:
    """LibreOffice's rendering of a DOCX (the fields it can fill are filled), None without LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None
    profile = Path(tempfile.mkdtemp(prefix="kbase-lo-"))
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(docx.parent), str(docx)], check=True, capture_output=True, timeout=600)
    shutil.rmtree(profile, ignore_errors=True)
    out = docx.with_suffix(".pdf")
    return out if out.exists() else None


def pictures(pdf: Path, out: Path, stem: str) -> list[float]:
    """The first pages at reading size, a contact sheet of all; returns each page's fill."""
    doc = pymupdf.open(pdf)
    for i in range(min(FIRST_PAGES, doc.page_count)):
        doc[i].get_pixmap(dpi=70).save(out / f"{stem}-p{i + 1}.png")
    cols, w, h = 6, 200, 283
    rows = (doc.page_count + cols - 1) // cols
    sheet = pymupdf.open()
    page = sheet.new_page(width=cols * w, height=rows * h)
    for i in range(doc.page_count):
        box = pymupdf.Rect((i % cols) * w, (i // cols) * h, (i % cols + 1) * w, (i // cols + 1) * h) + (3, 3, -3, -3)
        page.show_pdf_page(box, doc, i)
        page.draw_rect(box, color=(0.6, 0.6, 0.6), width=0.5)
    page.get_pixmap(dpi=72).save(out / f"{stem}-all.png")
    return [round(fill(p), 2) for p in doc]


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots" / "report-pages"
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kbase-pages-"))
    cat = Catalogue(open_library(str(work / "library"), create=True))
    load_demo(cat)
    reports = {
        "annual-2021": lambda fmt, lang: build_annual(cat, 2021, fmt, lang=lang)[0],
        "project-kufatilia": lambda fmt, lang: build_project(cat, "Kufatilia", fmt, lang=lang)[0],
        "bibliography-2021": lambda fmt, lang: build_bibliography(cat, Filter(year_from=2021, year_to=2021),
                                                                  "type", fmt, lang=lang)[0],
    }
    for name, build in reports.items():
        for lang in ("en", "fr"):
            for fmt in ("pdf", "docx"):
                path = work / f"{name}-{lang}.{fmt}"
                path.write_bytes(build(fmt, lang))
                pdf = path if fmt == "pdf" else docx_to_pdf(path)
                if pdf is None:
                    print(f"{name} {lang} {fmt}: LibreOffice is missing (scripts/screenshots.sh installs it)")
                    continue
                fills = pictures(pdf, out, f"{name}-{lang}-{fmt}")
                print(f"{name} {lang} {fmt}: {len(fills)} pages, fill {' '.join(f'{x:.2f}' for x in fills)}")
    cat.library.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
