"""Charts and tables of the annual report: their data from the demo, the files in every format, French, sameness."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import docx
import pymupdf
import pytest

from kbase.catalogue.records import Catalogue
from kbase.report import build_annual
from kbase.report.annual import annual_context
from kbase.report.charts import (
    FILLS,
    HATCHES,
    Chart,
    ChartSlot,
    add_figures,
    finances_table,
    md_table,
    render,
    report_charts,
)
from kbase.report.finances import set_line, year_accounts

CHART_TITLES = ("Income by source (EUR)", "Outputs per programme and type, 2021", "Publications per month, 2021",
                "Assignments per client, 2019 – 2021")


def _context(cat: Catalogue, lang: str = "en") -> dict:
    ctx = annual_context(cat, 2021, lang=lang)
    add_figures(cat, ctx)
    return ctx


def test_chart_data_come_from_the_demo_year(demo: Catalogue) -> None:
    ctx = _context(demo)
    charts = ctx["chart_data"]
    assert set(charts) == {"finances", "outputs", "months", "clients"}
    income, expenses = charts["finances"].panels
    assert sum(income.series[0][1]) == 1_697_569 and sum(expenses.series[0][1]) == 1_704_642
    # every publication of the year is counted once by programme and type, and once by month
    assert sum(sum(values) for _, values in charts["outputs"].series) == len(ctx["publications"])
    assert sum(charts["months"].series[0][1]) == len(ctx["publications"])
    clients = charts["clients"]
    assert [name for name, _ in clients.series] == ["2019", "2020", "2021"]
    rows = [c for y in ctx["assignment_years"] for r in y["projects"] for c in r["clients"]]
    busiest = max(set(rows), key=rows.count)
    assert clients.labels[0] == busiest or rows.count(clients.labels[0]) == rows.count(busiest)


def test_the_finance_table_has_every_line_totals_and_result(demo: Catalogue) -> None:
    table = str(_context(demo)["finances_table"])
    assert "| Programme subsidies | 701,349 |" in table
    assert "| **Total income** | **1,697,569** |" in table
    assert "| **Total expenses** | **1,704,642** |" in table
    assert "| **Result** | **-7,073** |" in table
    md = build_annual(demo, 2021, "md")[0]
    assert "| **Total income** | **1,697,569** |" in md  # Markdown keeps the table, without charts
    assert "KBCHART" not in md


def test_table_cells_keep_catalogue_text_literal(cat: Catalogue) -> None:
    set_line(cat, 2021, "income", "Grants | *bold* {{ x }} <b>", 10)
    table = str(finances_table(year_accounts(cat, 2021)))
    assert "Grants \\| \\*bold\\* \\{\\{ x \\}\\} &lt;b>" in table
    assert md_table(["A"], [["a|b"]]).count("\\|") == 1


def test_every_format_carries_the_charts(sqlite_demo: Catalogue) -> None:
    html = build_annual(sqlite_demo, 2021, "html")[0]
    figures = re.findall(r'<figure class="chart" id="chart-(\w+)">(<svg.*?</svg>)</figure>', html, flags=re.S)
    assert [name for name, _ in figures] == ["finances", "clients", "outputs", "months"]  # in section order
    ids: list[str] = []
    for name, svg in figures:
        root = ET.fromstring(svg)  # each SVG parses on its own
        assert root.tag.endswith("svg")
        own = [el.get("id") for el in root.iter() if el.get("id")]
        assert own and all(i.startswith(name + "-") for i in own)
        # every pattern, clip path and glyph it refers to is its own (hatching survives the renaming)
        refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | set(re.findall(r'xlink:href="#([^"]+)"', svg))
        assert refs <= set(own)
        ids += own
    assert len(ids) == len(set(ids))  # ids unique across the page
    assert "KBCHART" not in html

    pdf = pymupdf.open("pdf", build_annual(sqlite_demo, 2021, "pdf")[0])
    assert pdf.page_count > 10
    text = " ".join(page.get_text() for page in pdf)
    for title in CHART_TITLES:  # the charts' text is text, drawn as vectors over their placeholders
        assert title in text
    chart_pages = [p for p in pdf if "Income by source (EUR)" in p.get_text()]
    assert len(chart_pages) == 1 and len(chart_pages[0].get_drawings()) > 20
    assert "KBCHART" not in text

    document = docx.Document(io.BytesIO(build_annual(sqlite_demo, 2021, "docx")[0]))
    pictures = [rel.target_part.blob for rel in document.part.rels.values() if "image" in rel.reltype]
    charts = [p for p in pictures if p[:8] == b"\x89PNG\r\n\x1a\n"]
    assert len(charts) >= 4
    for data in charts:
        with pymupdf.open("png", data) as image:  # each PNG loads
            assert image[0].rect.width > 100
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "Finances 2021"]
    assert tables and tables[0].rows[-1].cells[1].text == "-7,073"


def test_charts_in_french(demo: Catalogue) -> None:
    charts = _context(demo, "fr")["chart_data"]
    assert charts["finances"].panels[0].title == "Produits par source"
    assert charts["months"].labels[0].lower().startswith("janv")
    table = str(_context(demo, "fr")["finances_table"]).replace("\u202f", " ")
    assert "**Total des produits** | **1 697 569**" in table


def test_same_chart_same_bytes_and_formats_that_open() -> None:
    chart = Chart("months", "columns", "Publications per month, 2021", ["Jan", "Feb", "Mar"], [("", [1.0, 0.0, 4.0])],
                  "Number of outputs")
    for fmt in ("svg", "pdf", "png"):
        assert render(chart, fmt) == render(chart, fmt)
    assert b"<dc:date>" not in render(chart, "svg")
    with pymupdf.open("pdf", render(chart, "pdf")) as doc:
        assert doc.page_count == 1 and "Publications per month, 2021" in doc[0].get_text()
        assert not doc.metadata["creationDate"]


def test_series_differ_in_grey_not_only_in_colour() -> None:
    def grey(colour: str) -> float:
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    styles = list(zip(FILLS, HATCHES, strict=True))
    for i, (fill_a, hatch_a) in enumerate(styles):
        for fill_b, hatch_b in styles[i + 1:]:
            assert hatch_a != hatch_b or abs(grey(fill_a) - grey(fill_b)) > 0.2


def test_no_data_no_chart_and_markdown_has_no_slot(cat: Catalogue) -> None:
    ctx = _context(cat)
    assert report_charts(ctx, None) == {}
    assert ctx["finances"] is None and str(ctx["finances_table"]) == ""
    assert ChartSlot({"x": Chart("x", "columns", "t", ["a"], [("", [1.0])])}, "md").markers() == {}


@pytest.mark.parametrize("fmt", ["html", "pdf", "docx"])
def test_a_marker_outside_its_paragraph_is_dropped(fmt: str) -> None:
    slot = ChartSlot({"x": Chart("x", "columns", "t", ["a"], [("", [1.0])])}, fmt)
    marker = slot.markers()["x"]
    assert slot.embed(f"<p>see {marker} here</p>") == "<p>see  here</p>"
