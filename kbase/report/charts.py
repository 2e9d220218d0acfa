"""The reports' charts (matplotlib): finances, outputs per programme and type, publications per month and
assignments per client; SVG for HTML, PDF for the PDF report, PNG for DOCX. Legible printed in grey:
series differ by hatching and shade, never by colour alone. The same data give the same bytes."""

from __future__ import annotations

import base64
import html as htmllib
import io
import re
import secrets
import struct
import textwrap
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import matplotlib
from babel.dates import get_month_names
from babel.numbers import format_decimal
from markupsafe import Markup
from matplotlib import ticker
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.typing import RcKeyType

from kbase.i18n import P_
from kbase.report.i18n import translator
from kbase.report.markup import md_escape
from kbase.text import clean_line

LOCALES = {"en": "en_GB", "fr": "fr_BE"}
# fixed fonts (DejaVu ships with matplotlib), no dates or random ids in the files; Type 3 fonts in PDF
# (vector glyphs like TrueType, but four times faster to write: no subsetting through fontTools)
FONT_SIZE, TITLE_SIZE = 8.5, 9.5  # points
STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans", "font.size": FONT_SIZE, "axes.titlesize": TITLE_SIZE, "axes.titleweight": "bold",
    "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#444444",
    "svg.hashsalt": "kbase", "svg.fonttype": "none", "pdf.fonttype": 3, "hatch.linewidth": 0.6,
    "legend.frameon": False, "figure.dpi": 100,
}
METADATA = {"svg": {"Date": None, "Creator": "Kbase"}, "pdf": {"CreationDate": None, "Creator": "Kbase",
            "Producer": "Kbase"}, "png": {"Software": "Kbase"}}
# shades far enough apart in grey, each with its own hatching
FILLS = ["#1f4e79", "#9dc3e6", "#ffffff", "#5b7f95", "#2f2f2f", "#d9d9d9", "#7f7f7f"]
HATCHES = ["", "///", "xxx", "..", "---", "\\\\\\", "+++"]  # dots are costly in SVG: a few only
EDGE = "#222222"
WIDTH_IN = 6.4  # the PDF body is 6.7 inches wide
TOP_CLIENTS = 12
TYPE_GROUPS = {  # the sixteen publication types in five families, so a stacked bar stays readable
    "Reports": ("report", "summary report", "case studies", "review paper", "workshop report"),
    "Briefings and bulletins": ("briefing", "bulletin", "insight"),
    "Books and articles": ("book", "book chapter", "article"),
    "Maps and data": ("webmap", "dashboard", "static maps"),
    "Other": ("video", "other"),
}
# the charts' and tables' labels, translated through the catalogs in the context "chart" (a chart's "Other" is a
# plural group, "Autres")
LABELS = (
    P_("chart", "Income by source"), P_("chart", "Expenses by category"),
    P_("chart", "Outputs per programme and type, {year}"), P_("chart", "Publications per month, {year}"),
    P_("chart", "Assignments per client, {first} – {last}"), P_("chart", "No month"), P_("chart", "No programme"),
    P_("chart", "Reports"), P_("chart", "Briefings and bulletins"), P_("chart", "Books and articles"),
    P_("chart", "Maps and data"), P_("chart", "Other"), P_("chart", "Source"), P_("chart", "Category"),
    P_("chart", "Amount"), P_("chart", "Total income"), P_("chart", "Total expenses"), P_("chart", "Result"),
    P_("chart", "Income"), P_("chart", "Expenses"), P_("chart", "Year"), P_("chart", "Assignment"),
    P_("chart", "Clients"), P_("chart", "Number of assignments"), P_("chart", "Number of outputs"),
    P_("chart", "Finances {year}"),
)


def tr(lang: str, text: str, **values: Any) -> str:
    return translator(lang, "chart")(text, **values)


def number(lang: str, value: float) -> str:
    """1,697,569 or 1 697 569 (whole units: a report's accounts are rounded to the unit)."""
    return format_decimal(round(value), format="#,##0", locale=LOCALES.get(lang, "en_GB"))


@dataclass
class Chart:
    """What a chart shows, as data: drawn per format by render(); tests read it too."""

    name: str
    kind: str  # "finances", "stacked" (horizontal, series stacked), "columns" (vertical, one series)
    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    unit: str = ""
    lang: str = "en"
    panels: list[Chart] = field(default_factory=list)  # finances: income and expenses side by side

    def __post_init__(self) -> None:
        # catalogue text that got around the cleaner (a NUL has no glyph: matplotlib warns) stops here
        self.title = clean_line(self.title)
        self.labels = [clean_line(label) for label in self.labels]
        self.series = [(clean_line(name), values) for name, values in self.series]


# -- the data -------------------------------------------------------------------------------
def finances_chart(accounts: dict[str, Any] | None, lang: str = "en") -> Chart | None:
    if not accounts or not (accounts["income"] or accounts["expenses"]):
        return None
    panels = [Chart(name, "stacked", tr(lang, title), [r["label"] for r in rows],
                    [(tr(lang, title), [r["amount"] for r in rows])], accounts["currency"], lang)
              for name, title, rows in (("income", "Income by source", accounts["income"]),
                                        ("expenses", "Expenses by category", accounts["expenses"])) if rows]
    return Chart("finances", "finances", tr(lang, "Finances {year}", year=accounts["year"]), [], [],
                 accounts["currency"], lang, panels)


def type_group(pub_type: str) -> str:
    return next((g for g, types in TYPE_GROUPS.items() if pub_type in types), "Other")


def outputs_chart(ctx: dict[str, Any], lang: str = "en") -> Chart | None:
    """The year's publications per programme (through their projects; the first programme counts), by type."""
    programme_of = {j["id"]: g["name"] for g in ctx.get("programmes", []) for j in g["projects"]}
    counts: Counter[tuple[str, str]] = Counter()
    for p in ctx.get("publications", []):
        programme = next((programme_of[i] for i in p.get("projects", []) if i in programme_of),
                         tr(lang, "No programme"))
        counts[(programme, type_group(p["type"]))] += 1
    if not counts:
        return None
    order = [g["name"] for g in ctx.get("programmes", [])] + [tr(lang, "No programme")]
    labels = [name for name in order if any(k[0] == name for k in counts)]
    groups = [g for g in TYPE_GROUPS if any(k[1] == g for k in counts)]
    series = [(tr(lang, g), [float(counts[(name, g)]) for name in labels]) for g in groups]
    return Chart("outputs", "stacked", tr(lang, "Outputs per programme and type, {year}", year=ctx["year"]),
                 labels, series, tr(lang, "Number of outputs"), lang)


def months_chart(ctx: dict[str, Any], lang: str = "en") -> Chart | None:
    pubs = ctx.get("publications", [])
    if not pubs:
        return None
    names = get_month_names("abbreviated", locale=LOCALES.get(lang, "en_GB"))
    counts = Counter(p.get("month") or 0 for p in pubs)
    labels = [names[i] for i in range(1, 13)] + ([_short(tr(lang, "No month"), 5)] if counts[0] else [])
    values = [float(counts[i]) for i in range(1, 13)] + ([float(counts[0])] if counts[0] else [])
    return Chart("months", "columns", tr(lang, "Publications per month, {year}", year=ctx["year"]), labels,
                 [("", values)], tr(lang, "Number of outputs"), lang)


def clients_chart(ctx: dict[str, Any], lang: str = "en") -> Chart | None:
    """Assignments per client over the report's assignment years, stacked by year; the busiest clients."""
    years = ctx.get("assignment_years", [])
    per: dict[int, Counter[str]] = {y["year"]: Counter(c for row in y["projects"] for c in row["clients"])
                                    for y in years}
    total = sum(per.values(), Counter())
    if not total:
        return None
    labels = [c for c, _ in sorted(total.items(), key=lambda kv: (-kv[1], kv[0].lower()))[:TOP_CLIENTS]]
    order = sorted(per)
    series = [(str(y), [float(per[y][c]) for c in labels]) for y in order]
    return Chart("clients", "stacked", tr(lang, "Assignments per client, {first} – {last}", first=order[0],
                                          last=order[-1]), labels, series, tr(lang, "Number of assignments"), lang)


def report_charts(ctx: dict[str, Any], accounts: dict[str, Any] | None, lang: str = "en") -> dict[str, Chart]:
    """The annual report's charts that have data, by name (finances, outputs, months, clients)."""
    found = [finances_chart(accounts, lang), outputs_chart(ctx, lang), months_chart(ctx, lang),
             clients_chart(ctx, lang)]
    return {c.name: c for c in found if c is not None}


# -- drawing --------------------------------------------------------------------------------
def _short(label: str, width: int = 30) -> str:
    """A long label on two lines, cut after that: the chart keeps its width for the bars."""
    lines = textwrap.wrap(label, width) or [""]
    return "\n".join(lines[:1] + [lines[1] + ("…" if len(lines) > 2 else "")] if len(lines) > 1 else lines)


def _stacked(ax: Any, chart: Chart, value_labels: bool) -> None:
    rows = list(range(len(chart.labels)))[::-1]  # first label on top
    left = [0.0] * len(rows)
    for i, (name, values) in enumerate(chart.series):
        ax.barh(rows, values, left=left, height=0.62, color=FILLS[i % len(FILLS)], hatch=HATCHES[i % len(HATCHES)],
                edgecolor=EDGE, linewidth=0.6, label=name or None)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(rows, [_short(label) for label in chart.labels])
    ax.tick_params(axis="y", length=0)
    widest = max(left, default=0) or 1
    if value_labels:
        for row, value in zip(rows, left, strict=True):
            ax.text(value + widest * 0.01, row, number(chart.lang, value), va="center", fontsize=7.5)
        ax.set_xlim(0, widest * 1.28)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: number(chart.lang, v)))
    ax.xaxis.set_major_locator(ticker.MaxNLocator(4, integer=True))
    ax.grid(axis="x", color="#bbbbbb", linewidth=0.4)
    ax.set_axisbelow(True)


def figsize(chart: Chart) -> tuple[float, float]:
    """Width and height in inches: the bars keep one thickness whatever their number."""
    def row(labels: list[str]) -> float:  # a bar's height: more when its label takes two lines
        return 0.34 if any("\n" in _short(label) for label in labels) else 0.28

    if chart.kind == "finances":
        return WIDTH_IN, 0.5 + sum(row(p.labels) * len(p.labels) for p in chart.panels) + 0.55 * len(chart.panels)
    if chart.kind == "stacked":
        return WIDTH_IN, 1.2 + row(chart.labels) * len(chart.labels)
    return WIDTH_IN, 2.6


def _text_width(lines: list[str], size: float) -> float:
    """The widest of the labels' lines, in points, as DejaVu Sans draws them."""
    # backend_agg is not annotated; RendererBase declares the method's types
    renderer: RendererBase = RendererAgg(1, 1, 72)  # type: ignore[no-untyped-call]
    font = FontProperties(family="DejaVu Sans", size=size)
    return max((renderer.get_text_width_height_descent(line, font, ismath=False)[0]
                for label in lines for line in label.split("\n")), default=0.0)


def _margins(chart: Chart, width_in: float, height_in: float) -> dict[str, float]:
    """Margins set from the labels' measured widths: matplotlib's constrained layout cost as much as
    the drawing itself (a chart twice as fast without it)."""
    w, h = width_in * 72, height_in * 72
    size = FONT_SIZE
    if chart.kind == "columns":
        left = 16 + _text_width([number(chart.lang, max(chart.series[0][1], default=0) * 1.15)], size) + 12
        two_lines = any("\n" in label for label in chart.labels)
        bottom = 10 + size * (2.8 if two_lines else 1.4)
    else:
        labels = [label for p in (chart.panels or [chart]) for label in p.labels]
        left = _text_width([_short(label) for label in labels], size) + 12
        bottom = 8 + size * (1.3 if chart.kind == "finances" else 2.8)
    top = TITLE_SIZE * 1.3 + 10
    return {"left": left / w, "right": 1 - 10 / w, "bottom": bottom / h, "top": 1 - top / h}


def _figure(chart: Chart) -> Figure:
    width, height = figsize(chart)
    fig = Figure(figsize=(width, height))
    fig.subplots_adjust(**_margins(chart, width, height))
    if chart.kind == "finances":
        heights = [len(p.labels) for p in chart.panels]
        # between the panels: the upper one's tick labels and the lower one's title, in points
        gap = (FONT_SIZE * 1.3 + 8 + TITLE_SIZE * 1.3 + 10) / 72
        axes_height = height * (fig.subplotpars.top - fig.subplotpars.bottom) - gap * (len(heights) - 1)
        axes = fig.subplots(len(chart.panels), 1, height_ratios=heights, squeeze=False,
                            gridspec_kw={"hspace": gap / (axes_height / len(heights))})[:, 0]
        for ax, panel in zip(axes, chart.panels, strict=True):
            _stacked(ax, panel, value_labels=True)
            ax.set_title(f"{panel.title} ({panel.unit})", loc="left")
        return fig
    if chart.kind == "stacked":
        ax = fig.subplots()
        _stacked(ax, chart, value_labels=True)
        ax.set_xlabel(chart.unit)
        if len(chart.series) > 1:
            ax.legend(loc="lower right", fontsize=7.5, ncols=1)
    else:
        ax = fig.subplots()
        values = chart.series[0][1]
        bars = ax.bar(range(len(values)), values, color=FILLS[0], edgecolor=EDGE, linewidth=0.6, width=0.7)
        ax.bar_label(bars, labels=[number(chart.lang, v) if v else "" for v in values], fontsize=7.5, padding=2)
        ax.set_xticks(range(len(values)), chart.labels)
        ax.set_ylabel(chart.unit)
        ax.yaxis.set_major_locator(ticker.MaxNLocator(5, integer=True))
        ax.grid(axis="y", color="#bbbbbb", linewidth=0.4)
        ax.set_axisbelow(True)
        ax.margins(y=0.15)
    ax.set_title(chart.title, loc="left")
    return fig


def render(chart: Chart, fmt: str) -> bytes:
    """The chart as svg, pdf or png bytes; the same chart gives the same bytes."""
    if fmt not in METADATA:
        raise ValueError(f"no chart format {fmt!r}")
    with matplotlib.rc_context(STYLE):
        fig = _figure(chart)
        out = io.BytesIO()
        # PNG (DOCX) at 150 dpi: sharp on paper at the column's width, half the time of 200 dpi
        fig.savefig(out, format=fmt, metadata=METADATA[fmt], dpi=150 if fmt == "png" else None)
    return out.getvalue()


# -- the slot the report's formats fill ------------------------------------------------------
class ChartSlot:
    """A report's charts in one output format: the templates get a marker per chart (charts.NAME),
    the format's HTML gets the figure in its place (output.convert calls embed).

    HTML: the SVG inline. PDF: a transparent placeholder image of the chart's size, over which
    overlay_pdf draws the chart's own PDF page, so it stays vector. DOCX: a PNG (data: URI).
    Markdown has no charts (its tables carry the figures)."""

    def __init__(self, charts: dict[str, Chart], fmt: str):
        self.fmt = fmt
        self.charts = {} if fmt == "md" else dict(charts)
        self.token = "KBCHART" + secrets.token_hex(6)  # catalogue text cannot guess it
        self.vectors: dict[tuple[int, int], bytes] = {}  # pdf: placeholder size → the chart as PDF

    def markers(self) -> dict[str, Markup]:
        return {name: Markup(f"{self.token}x{name}") for name in self.charts}

    def embed(self, html: str) -> str:
        """Markers (each its own paragraph) replaced with the figures; a marker elsewhere is dropped."""
        html = re.sub(rf"<p>{self.token}x(\w+)</p>", lambda mt: self._figure(mt.group(1)), html)
        return re.sub(rf"{self.token}x\w+", "", html)

    def _figure(self, name: str) -> str:
        chart = self.charts[name]
        title = htmllib.escape(chart.title)
        if self.fmt == "html":
            return f'<figure class="chart" id="chart-{name}">{inline_svg(render(chart, "svg"), name, title)}</figure>'
        w, h = (round(v * 72) for v in figsize(chart))
        if self.fmt == "pdf":
            key = (len(self.vectors) + 1, 1)  # the placeholder's pixel size tells the charts apart
            self.vectors[key] = render(chart, "pdf")
            data = _placeholder(*key)
        else:
            data = render(chart, "png")
        uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
        # sized by CSS on the paragraph too: MuPDF shrinks an image taller than the space left on a page
        # instead of moving it to the next one, unless its block has that height
        return (f'<p class="chart" style="height: {h}px"><img src="{uri}" alt="{title}" width="{w}" height="{h}" '
                f'style="width: {w}px; height: {h}px"/></p>')

    def overlay_pdf(self, doc: Any) -> int:
        """Draw each chart's vector page over its placeholder in doc (a pymupdf.Document); returns how many."""
        if not self.vectors:
            return 0
        import pymupdf

        drawn = 0
        for page in doc:
            for xref, _smask, w, h, *_rest in page.get_images():
                vector = self.vectors.get((w, h))
                if vector is None:
                    continue
                with pymupdf.open("pdf", vector) as chart:
                    for rect in page.get_image_rects(xref):
                        page.show_pdf_page(rect, chart, 0)
                        drawn += 1
        return drawn


def inline_svg(svg: bytes, prefix: str, title: str) -> str:
    """matplotlib's SVG fit to sit in a page: no XML prolog, ids made unique to the chart, scaled to the column."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):].strip()
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r'url\(#([^)]+)\)', rf"url(#{prefix}-\1)", text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', text)
    return text.replace("<svg ", f'<svg role="img" aria-label="{title}" style="max-width: 100%; height: auto" ', 1)


def _placeholder(width: int, height: int) -> bytes:
    """A transparent PNG of width × height pixels, made by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


# -- the annual report's figures and tables ------------------------------------------------------
def md_table(header: list[str], rows: list[list[str]], right: tuple[int, ...] = (),
             bold_rows: frozenset[int] = frozenset()) -> Markup:
    """A pipe table of catalogue text: every cell escaped (a | inside a cell stays text); bold_rows in bold."""
    def cell(value: Any, bold: bool = False) -> str:
        text = md_escape(value, line_start=False).replace("|", "\\|")
        return (f"**{text}**" if bold else text) if text else " "

    align = ["---:" if i in right else ":---" for i in range(len(header))]
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(cell(v, n in bold_rows) for v in row) + " |" for n, row in enumerate(rows)]
    return Markup("\n".join(lines))


def finances_table(accounts: dict[str, Any] | None, lang: str = "en") -> Markup:
    """Income by source and expenses by category with their totals and the year's result, as one table."""
    if not accounts:
        return Markup("")
    rows: list[list[str]] = []
    bold: set[int] = set()
    for kind, heading, total, key in (("income", "Income", "Total income", "income_total"),
                                      ("expenses", "Expenses", "Total expenses", "expense_total")):
        if accounts[kind]:
            bold.add(len(rows))
            rows.append([tr(lang, heading), ""])
            rows += [[r["label"], number(lang, r["amount"])] for r in accounts[kind]]
            bold.add(len(rows))
            rows.append([tr(lang, total), number(lang, accounts[key])])
    bold.add(len(rows))
    rows.append([tr(lang, "Result"), number(lang, accounts["result"])])
    return md_table([tr(lang, "Finances {year}", year=accounts["year"]), accounts["currency"]], rows,
                    right=(1,), bold_rows=frozenset(bold))


def add_figures(cat: Any, ctx: dict[str, Any]) -> None:
    """Put the annual report's figures into its context: the finances table, the assignments as
    tables, and the chart data that output.convert hands to a ChartSlot."""
    from kbase.report.finances import year_accounts

    lang = ctx.get("lang") or "en"
    accounts = year_accounts(cat, ctx["year"]) if "finances" in ctx.get("sections", ()) else None
    ctx["finances"] = accounts
    ctx["finances_table"] = finances_table(accounts, lang)
    for y in ctx.get("assignment_years", []):
        y["table"] = md_table([tr(lang, "Assignment"), tr(lang, "Clients")],
                              [[row["title"], row.get("client_line") or ", ".join(row["clients"])]
                               for row in y["projects"]]) if y["projects"] else Markup("")
    ctx["chart_data"] = report_charts(ctx, accounts, lang)
