"""Reports from the catalogue: the annual report, project sheets and sectioned bibliographies."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.i18n import language as interface_language
from kbase.report.annual import SECTIONS, annual_context, parse_sections, section_titles
from kbase.report.charts import add_figures
from kbase.report.citation import cite_md
from kbase.report.csl import apply_style, check_style
from kbase.report.i18n import LANGS, check_lang, colon, default_lang, plural_translator, translator
from kbase.report.i18n import SETTING as LANG_SETTING
from kbase.report.output import FORMATS, convert
from kbase.text import clean_line

if TYPE_CHECKING:  # imported where used (sheets)
    from kbase.catalogue.query import Filter

__all__ = ["SECTIONS", "FORMATS", "LANGS", "report_language", "build_annual", "build_project", "build_bibliography",
           "parse_sections", "section_titles"]


def _warnings(ctx: dict[str, Any]) -> list[str]:
    """The missing-data warnings, which quote titles, without control characters (they go to a terminal)."""
    return [clean_line(w) for w in ctx["warnings"]]


def _templates(cat: Catalogue) -> Path:  # the library's own templates folder (used if it exists)
    return cat.library.templates_dir


def report_language(cat: Catalogue, lang: str | None = None, interface: str | None = None) -> str:
    """lang if given, else the library's report language setting, else the interface's (the app's, or the
    command line's: --lang, $KBASE_LANG, the locale), else English."""
    if lang:
        return check_lang(lang)
    return default_lang(cat.get_setting(LANG_SETTING), interface or interface_language())


def build_annual(cat: Catalogue, year: int, fmt: str = "md", sections: Sequence[str] | str | None = None,
                 include_internal: bool = False, lang: str | None = None,
                 style: str | None = None) -> tuple[str | bytes, list[str]]:
    """The annual report for year in fmt (md, html: text; pdf, docx: bytes) and the missing-data warnings;
    outputs cited in style (kbase.report.csl: house, apa, chicago-author-date, harvard, iso690, a .csl file)."""
    if fmt not in FORMATS:
        raise InvalidInput(N_("unknown report format {fmt} (one of: {formats})").format(
            fmt=repr(fmt), formats=', '.join(FORMATS)))
    style = check_style(style)
    ctx = annual_context(cat, year, sections, include_internal, report_language(cat, lang))
    add_figures(cat, ctx)  # finances, tables and charts (kbase.report.charts)
    issues = [i for s in ctx.get("periodicals", []) for i in s["issues"]]  # copies of the year's publications
    ctx["warnings"] += apply_style(cat, ctx["publications"] + issues, style, ctx["lang"])
    out = convert("annual.md.j2", ctx, fmt, _templates(cat))
    return out, _warnings(ctx)


def _localise(ctx: dict[str, Any], pubs: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """A sheet's or a bibliography's context in lang: its labels, and citations said again in lang."""
    ctx.update(lang=lang, t=translator(lang), tn=plural_translator(lang), colon=colon(lang))
    if lang != "en":
        for p in pubs:
            p["citation"] = cite_md(p, lang)
    return ctx


def build_project(cat: Catalogue, ref: str | int, fmt: str = "md", include_internal: bool = False,
                  lang: str | None = None, style: str | None = None) -> tuple[str | bytes, list[str]]:
    """A one-page sheet for one project (ID, title or short name)."""
    from kbase.report.sheets import project_context

    style = check_style(style)
    ctx = project_context(cat, ref, include_internal)
    lang = report_language(cat, lang)
    _localise(ctx, ctx["project"]["outputs"], lang)
    ctx["warnings"] += apply_style(cat, ctx["project"]["outputs"], style, lang)
    if ctx["project"].get("since"):
        ctx["project"]["years"] = ctx["t"]("since {year}", year=ctx["project"]["since"])
    return convert("project.md.j2", ctx, fmt, _templates(cat)), _warnings(ctx)


def build_bibliography(cat: Catalogue, filter_: Filter | None = None, group_by: str = "year", fmt: str = "md",
                       include_internal: bool = False, title: str | None = None,
                       lang: str | None = None, style: str | None = None) -> tuple[str | bytes, list[str]]:
    """Publications passing filter_, in sections by year, type, series or project, cited in style."""
    from kbase.report.sheets import bibliography_context

    style = check_style(style)
    ctx = bibliography_context(cat, filter_, group_by, include_internal, title)
    lang = report_language(cat, lang)
    _localise(ctx, [p for g in ctx["groups"] for p in g["items"]], lang)
    ctx["warnings"] += apply_style(cat, [p for g in ctx["groups"] for p in g["items"]], style, lang)
    t = ctx["t"]
    for g in ctx["groups"]:
        g["heading"] = t(g["heading"])
    if not title:
        ctx["title"] = t("Bibliography")
    return convert("bibliography.md.j2", ctx, fmt, _templates(cat)), _warnings(ctx)
