"""Citation styles: the bundled CSL files, outputs and bibliographies formatted in each, escaping, errors."""

from __future__ import annotations

import re

import pytest

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.library import models as m
from kbase.report import build_annual, build_bibliography
from kbase.report.annual import annual_context
from kbase.report.csl import STYLES, apply_style, check_style, style_path, style_title
from kbase.resources import resource
from tests.cli_runner import run_cli

MISISI = "Misisi gold, a polluted supply chain"


def test_bundled_styles_keep_their_licence_header() -> None:
    for name in STYLES:
        text = style_path(name).read_text(encoding="utf-8")
        assert 'license="http://creativecommons.org/licenses/by-sa/3.0/"' in text
        assert "<author>" in text or "<contributor>" in text
    assert style_title("apa").startswith("APA Style 7th edition")
    assert "CC BY-SA" in resource("csl", "README.md").read_text(encoding="utf-8") or \
        "Attribution-ShareAlike" in resource("csl", "README.md").read_text(encoding="utf-8")


def test_style_names_aliases_and_files(tmp_path) -> None:
    assert check_style(None) == "house" and check_style("Chicago") == "chicago-author-date"
    with pytest.raises(InvalidInput, match="unknown citation style 'mla'"):
        check_style("mla")
    with pytest.raises(InvalidInput, match="not found"):
        check_style(str(tmp_path / "missing.csl"))


def test_every_demo_output_formats_in_every_style(demo: Catalogue) -> None:
    ctx = annual_context(demo, 2021)
    house = {p["id"]: str(p["citation"]) for p in ctx["publications"]}
    for name in STYLES:
        pubs = [dict(p) for p in ctx["publications"]]
        assert apply_style(demo, pubs, name) == []  # none left in the house style
        changed = [p for p in pubs if str(p["citation"]) != house[p["id"]]]
        assert len(changed) == len(pubs)
        misisi = next(p for p in pubs if p["title"].startswith(MISISI))
        text = str(misisi["citation"])
        # the institute is an author: it is not printed again as the publisher
        assert text.lower().count("international peace information service") == 1, (name, text)
        assert MISISI.lower() in text.lower() and "2021" in text  # Chicago title-cases it


def test_apa_and_harvard_shapes(demo: Catalogue) -> None:
    ctx = annual_context(demo, 2021)
    apa = [dict(p) for p in ctx["publications"]]
    apply_style(demo, apa, "apa")
    harvard = [dict(p) for p in ctx["publications"]]
    apply_style(demo, harvard, "harvard")
    one_apa = next(str(p["citation"]) for p in apa if p["title"].startswith(MISISI))
    one_harvard = next(str(p["citation"]) for p in harvard if p["title"].startswith(MISISI))
    assert re.search(r"\(2021\)\. \*Misisi gold", one_apa)  # APA: (year). *Title*
    assert "&" in one_apa  # APA joins the last author with an ampersand
    assert re.search(r"Service \(2021\) \*Misisi gold", one_harvard)  # Harvard: Author (year) *Title*
    assert "](https://" in one_apa  # the link stays a link, in the report's short form


def test_cli_bibliography_and_annual_take_a_style(demo_location: str) -> None:
    done = run_cli(["--library", demo_location, "report", "bibliography", "--year", "2021", "--style", "apa"])
    assert done.returncode == 0, done.stderr
    assert re.search(r"\(2021\)\. \*Misisi gold", done.stdout)
    annual = run_cli(["--library", demo_location, "report", "annual", "--year", "2021", "--style", "iso690",
                      "--sections", "programmes,periodicals,index"])
    assert annual.returncode == 0, annual.stderr
    assert "INTERNATIONAL PEACE INFORMATION SERVICE" in annual.stdout  # ISO 690 puts family names in capitals
    bad = run_cli(["--library", demo_location, "report", "annual", "--year", "2021", "--style", "vancouver"])
    assert bad.returncode != 0 and "unknown citation style 'vancouver'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_catalogue_text_stays_literal_in_a_style(cat: Catalogue, tmp_path) -> None:
    org = cat.add(m.Organisation, name="Observatoire <b>*Gouvernance*</b> & Paix_")
    pub = cat.add(m.Publication, title="Gold [click](javascript:x) {{ secret }} 50% _under_ `code`", type="report",
                  year=2021, url="https://example.org/a_b")
    cat.set_contributors(pub.id, [("author", "organisation", org.id)])
    md = build_bibliography(cat, style="apa")[0]
    html = build_bibliography(cat, style="apa", fmt="html")[0]
    line = next(x for x in md.splitlines() if "Gold" in x)
    assert "\\[click\\]" in line and "\\{\\{ secret \\}\\}" in line and "\\_under\\_" in line and "&lt;b>" in line
    assert "<b>" not in html.split("<body", 1)[1] and "javascript:" not in html.replace("javascript:x)", "")
    assert "{{ secret }}" in html and "_under_" in html
    # the same through a style given as a file
    copy = tmp_path / "mine.csl"
    copy.write_bytes(style_path("harvard").read_bytes())
    assert "(2021)" in build_bibliography(cat, style=str(copy))[0]
    broken = tmp_path / "broken.csl"
    broken.write_text("<style", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot read citation style"):
        build_bibliography(cat, style=str(broken))


def test_styles_speak_french(cat: Catalogue) -> None:
    cat.add(m.Publication, title="Sans date", type="report")
    english = build_bibliography(cat, style="apa", lang="en")[0]
    french = build_bibliography(cat, style="apa", lang="fr")[0]
    assert "(n.d.)" in english
    assert "(s. d.)" in french or "(s.d.)" in french


def test_annual_report_formats_carry_the_style(sqlite_demo: Catalogue) -> None:
    md = build_annual(sqlite_demo, 2021, "md", sections="periodicals,index", style="chicago")[0]
    assert re.search(r"\. 2021\. \*", md)  # Chicago author-date: Author. Year. *Title*
