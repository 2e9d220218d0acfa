"""The report in French, and catalogue text and report texts escaped in every format."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pymupdf
import pytest

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.report import build_annual, build_bibliography, report_language
from kbase.report.demo_texts import add_demo_texts
from kbase.report.i18n import LABELS, day_label, default_lang, month_label, number, plural_translator, translator
from kbase.report.markup import plain_text
from kbase.report.texts import set_text

NASTY = "Gold <b>&amp; {{ 7*7 }} {% if x %} \\textbf{50%} $x_1$ #1 *star* [link](javascript:alert(1))"


def test_the_reports_labels_come_from_the_catalogs_in_their_own_context() -> None:
    fr, en = translator("fr"), translator("en")
    assert fr("Contents") == "Sommaire" and en("Contents") == "Contents"
    assert fr("series") == "collection"  # the interface's "series" is a "série": the context keeps them apart
    untranslated = [label for label in LABELS if fr(label) == label]
    assert len(untranslated) < 12, untranslated  # words the same in both (Mission, Page, Programme…)
    tn = plural_translator("fr")
    said = [tn("{count} publication, by {group_by}.", "{count} publications, by {group_by}.", n, count=n,
               group_by=fr("year")) for n in (0, 1, 2)]
    assert said == ["0 publication, par année.", "1 publication, par année.", "2 publications, par année."]
    assert plural_translator("en")("{count} publication, by {group_by}.", "{count} publications, by {group_by}.", 0,
                                   count=0, group_by="year") == "0 publications, by year."


def test_babel_gives_months_dates_and_numbers() -> None:
    assert month_label("fr", 6, 7) == "juin – juillet" and month_label("en", 12) == "December"
    assert day_label("fr", date(2021, 10, 1)) == "1er octobre"
    assert day_label("en", date(2021, 9, 28), date(2021, 10, 2)) == "28 September – 2 October"
    assert number("en", 1697569) == "1,697,569"
    assert number("fr", 1697569).replace("\u202f", " ") == "1 697 569"
    assert default_lang(None, "fr") == "fr" and default_lang("en", "fr") == "en"


def test_the_2021_report_in_french(sqlite_demo: Catalogue) -> None:
    add_demo_texts(sqlite_demo)
    md, warnings = build_annual(sqlite_demo, 2021, "md", lang="fr")
    for label in ("# Rapport annuel 2021", "## Le mot du président", "## Préface", "## Conseil d'administration",
                  "## Programmes de recherche", "## Mission", "## Réseaux et plateformes", "## Diffusion",
                  "### Bibliothèque", "### Réseaux sociaux", "## Mandats 2019 – 2021", "## Équipe",
                  "## Contact", "**Avec le soutien de\u00a0:**"):
        assert label in md, label
    assert "#### Octobre" in md or "#### Janvier" in md  # outreach by month, in French
    assert re.search(r"\b(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) 2021\.",
                     md)  # citations dated in French
    assert "Une année" not in md and "Pour IPIS, 2021" in md  # the French texts, not the English ones
    assert not [w for w in warnings if w.startswith("report text")]  # every text is there in French
    # the default language: the library's setting
    sqlite_demo.set_setting("report.language", "fr")
    assert report_language(sqlite_demo) == "fr"
    assert build_annual(sqlite_demo, 2021, "md", sections="preface")[0].startswith("# Rapport annuel 2021")
    biblio, _ = build_bibliography(sqlite_demo, group_by="type", lang="fr")
    assert biblio.startswith("# Bibliographie") and "## Rapport (" in biblio


@pytest.fixture
def nasty(cat: Catalogue) -> Catalogue:
    programme = cat.add(m.Programme, name="Programme " + NASTY).id
    project = cat.add(m.Project, title="Project " + NASTY, programme_id=programme, start=date(2021, 1, 1),
                      summary="Summary " + NASTY).id
    pub = cat.add(m.Publication, title="Title " + NASTY, type="report", year=2021, month=5).id
    cat.link(m.PublicationProject, publication_id=pub, project_id=project)
    set_text(cat, "annual", 2021, "preface", "en", "Preface <script>alert(1)</script> {{ year }} "
             "![x](file:///etc/passwd) [bad](javascript:alert(2)) {: onclick=\"x\" }")
    cat.set_setting("institute.name", "Institute <i>{{ 1 }}</i>")
    return cat


def test_markdown_escapes_catalogue_text(nasty: Catalogue) -> None:
    md, _ = build_annual(nasty, 2021, "md", sections="preface,programmes")
    assert "49" not in md  # a template-like value is never evaluated
    line = next(x for x in md.splitlines() if "Title Gold" in x)
    assert plain_text(line).count("Title " + NASTY) == 1  # literal text back after unescaping
    assert "<b>" not in md and "<i>" not in md and "<script>" not in md  # no raw HTML gets through
    assert not re.search(r"(?<!\\)\]\(javascript:", md) and "file:///" not in md  # no harmful link, no picture
    assert "{:" not in md


def test_html_pdf_and_docx_show_catalogue_text_as_text(nasty: Catalogue) -> None:
    html, _ = build_annual(nasty, 2021, "html", sections="preface,programmes")
    assert "<b>" not in html and "<script>" not in html and "<i>" not in html
    assert 'href="javascript' not in html and "file:///" not in html and "onclick" not in html
    assert "<img" not in html
    assert "Title Gold &lt;b&gt;&amp;amp; {{ 7*7 }} {% if x %} \\textbf{50%} $x_1$ #1 *star*" in html
    pdf = pymupdf.open("pdf", build_annual(nasty, 2021, "pdf", sections="preface,programmes")[0])
    text = " ".join(" ".join(p.get_text().split()) for p in pdf)
    assert "Title Gold <b>&amp; {{ 7*7 }} {% if x %} \\textbf{50%} $x_1$ #1 *star*" in text
    assert "Institute <i>{{ 1 }}</i>" in pdf[0].get_text()  # the cover prints the name as it is
    d = docx.Document(io.BytesIO(build_annual(nasty, 2021, "docx", sections="preface,programmes")[0]))
    paragraphs = [p.text for p in d.paragraphs]
    assert any("Title Gold <b>&amp; {{ 7*7 }} {% if x %} \\textbf{50%} $x_1$ #1 *star*" in p for p in paragraphs)
    assert d.core_properties.author == "Institute <i>{{ 1 }}</i>"
