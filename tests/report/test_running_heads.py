"""Running heads and page numbers, drawn from stories reused across pages (kbase/report/pdf.py)."""

from __future__ import annotations

import pymupdf
import pytest

from kbase.report import pdf
from kbase.report.render import stylesheet


@pytest.mark.parametrize("chunk", [3, 200])
def test_every_page_has_its_own_number_and_its_sections_head(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(pdf, "NUMBERS_CHUNK", chunk)  # small: the numbers cross several stories
    paragraph = "<p>" + "Artisanal mining sites and checkpoints in the eastern provinces. " * 40 + "</p>"
    body = "".join(f"<h2>Part {name}</h2>" + paragraph * 6 for name in ("Alpha", "Beta", "Gamma"))
    data = pdf.html_to_pdf(body, stylesheet(), "Annual report 2021", "IPIS", with_contents=False,
                           sections_on_new_pages=False, identity={"short_name": "IPIS"})
    doc = pymupdf.open("pdf", data)
    assert doc.page_count >= 8
    sections = []
    for page in doc:
        assert page.get_text(clip=pdf.FOOT).split() == [str(page.number + 1)]
        head = page.get_text(clip=pdf.HEAD)
        assert "Annual report 2021" in head
        sections.append(next((s for s in ("Alpha", "Beta", "Gamma") if f"Part {s}" in head), None))
    # each page's head names the part its page is in: the parts come in order, each on several pages
    assert sections[0] == "Alpha" and sections[-1] == "Gamma"
    assert sections == sorted(sections, key=lambda s: "Alpha Beta Gamma".index(str(s)))
    assert sections.count("Beta") >= 2
