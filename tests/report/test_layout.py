"""The printed report: pages full enough, parts on new pages, A4, house styles, true properties,
Markdown without attribute syntax, links in a short form, files readable by the group."""

from __future__ import annotations

import io
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pymupdf
import pytest

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.report import build_annual
from kbase.report.annual import part_starts, section_titles
from kbase.report.demo_texts import add_demo_texts
from kbase.report.markup import heading_slug
from tests.cli_runner import run_cli

BODY_TOP, BODY_BOTTOM = 66, pymupdf.paper_rect("a4").height - 62


def fill(page: pymupdf.Page) -> float:
    """How far down the body the page's text, pictures and charts reach, 0 to 1."""
    bottoms = [b[3] for b in page.get_text("blocks") if BODY_TOP <= b[1] <= BODY_BOTTOM]
    bottoms += [d["rect"].y1 for d in page.get_drawings() if BODY_TOP <= d["rect"].y0 <= BODY_BOTTOM]
    return (max(bottoms, default=BODY_TOP) - BODY_TOP) / (BODY_BOTTOM - BODY_TOP)


@pytest.fixture
def demo_2021(sqlite_demo: Catalogue) -> Catalogue:
    add_demo_texts(sqlite_demo)
    return sqlite_demo


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_page_is_less_than_a_third_full_but_before_a_new_part(demo_2021: Catalogue, lang: str) -> None:
    data, _ = build_annual(demo_2021, 2021, "pdf", lang=lang)
    doc = pymupdf.open("pdf", data)
    assert all(round(p.rect.width) == 595 and round(p.rect.height) == 842 for p in doc)  # A4
    titles = section_titles(2021, lang)
    toc = doc.get_toc()
    starts = {titles[s] for s in part_starts([s for s in titles if s != "contents"])}
    parts = {page for _, title, page in toc if title in starts}
    assert len(parts) == 4  # front matter, programmes, about the institute, the index
    first_body = min(parts)
    back = doc.page_count
    for number in range(first_body, back):  # 1-based; the cover, contents and back page aside
        if number + 1 in parts or number + 1 == back:
            continue
        assert fill(doc[number - 1]) >= 1 / 3, f"page {number} of the {lang} report is nearly empty"
    # parts start on a new page: their heading at the top of it
    for _, title, page in toc:
        if title in starts:
            top = min(r.y0 for r in doc[page - 1].search_for(title) if r.y0 > BODY_TOP - 5)
            assert top < BODY_TOP + 40, f"{title} (page {page}) is not at the top of its page"


def test_no_heading_is_left_at_the_foot_of_a_page(demo_2021: Catalogue) -> None:
    doc = pymupdf.open("pdf", build_annual(demo_2021, 2021, "pdf")[0])
    for page in list(doc)[2:-1]:
        lines = [(line["bbox"][3], max(s["size"] for s in line["spans"]))
                 for block in page.get_text("dict")["blocks"] if block["type"] == 0
                 for line in block["lines"] if BODY_TOP <= line["bbox"][1] <= BODY_BOTTOM and line["spans"]]
        if lines:
            bottom, size = max(lines)
            assert size < 12.5, f"page {page.number + 1} ends on a heading"


def test_links_print_in_a_short_form_and_the_institute_is_named_once(demo_2021: Catalogue) -> None:
    data, _ = build_annual(demo_2021, 2021, "pdf")
    text = "".join(p.get_text() for p in pymupdf.open("pdf", data))
    assert "https://" not in text and "http://" not in text  # no raw address wrapping mid-path
    assert "ipisresearch.be/…/" in text
    links = [link["uri"] for p in pymupdf.open("pdf", data) for link in p.get_links() if link.get("uri")]
    assert any(u.startswith("https://ipisresearch.be/") and len(u) > 40 for u in links)  # the whole address
    md, _ = build_annual(demo_2021, 2021, "md")
    once = [line for line in md.splitlines() if line.startswith("- International Peace Information Service.")]
    assert once and not any(line.count("International Peace Information Service") > 1 for line in once)


def test_markdown_has_no_attribute_syntax_and_its_contents_links_work(demo_2021: Catalogue) -> None:
    md, _ = build_annual(demo_2021, 2021, "md")
    assert "{:" not in md
    headings = {heading_slug(h) for h in re.findall(r"^#{2,3} (.+)$", md, flags=re.MULTILINE)}
    targets = re.findall(r"\]\(#([^)]+)\)", md)
    assert targets and set(targets) <= headings
    html, _ = build_annual(demo_2021, 2021, "html")
    for target in targets:
        assert f'id="{target}"' in html


def test_cover_running_heads_and_back_page_show_the_identity(demo_2021: Catalogue) -> None:
    doc = pymupdf.open("pdf", build_annual(demo_2021, 2021, "pdf")[0])
    cover, back = doc[0].get_text(), doc[-1].get_text()
    assert "Annual report 2021" in cover and "International Peace Information Service" in cover
    assert "Compiled from the catalogue" not in cover
    assert doc[0].get_drawings() and doc[-1].get_drawings()  # the colour band, the vector logo
    assert "Italiëlei 98a" in back and "secretariat@ipisresearch.be" in back and "ipisresearch.be" in back
    assert doc[5].get_text().startswith("IPIS · Annual report 2021")  # the running head
    assert doc.metadata["author"] == "International Peace Information Service"


def test_docx_is_a4_in_the_house_styles_with_true_properties(demo_2021: Catalogue) -> None:
    data, _ = build_annual(demo_2021, 2021, "docx", lang="fr")
    d = docx.Document(io.BytesIO(data))
    section = d.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    props = d.core_properties
    assert props.title == "Rapport annuel 2021"
    assert props.author == "International Peace Information Service"
    assert abs(props.created - datetime.now(timezone.utc)) < timedelta(minutes=5)
    assert props.comments == "" and props.language == "fr-BE"
    heading = d.styles["Heading 1"]
    assert str(heading.font.color.rgb) == "12395B" and heading.font.name == "Liberation Sans"
    assert 'w:asciiTheme' not in heading.element.xml  # Word's theme fonts gone
    breaks = [p.text for p in d.paragraphs if p._p.pPr is not None and p._p.pPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pageBreakBefore") is not None]
    assert breaks == ["Le mot du président", "Programmes de recherche", "Mission", "Publications de 2021 par type"]
    texts = [p.text for p in d.paragraphs]
    start = texts.index("Sommaire")  # the contents field already lists the sections Word will number
    assert texts[start + 1:start + 4] == ["Le mot du président", "Préface", "Conseil d'administration"]
    body = "\n".join(p.text for p in d.paragraphs)
    assert "Italiëlei 98a" in body and "Kufatilia" in body


def test_reports_are_written_readable_by_the_group(demo_2021: Catalogue, tmp_path: Path) -> None:
    saved = os.umask(0o002)
    try:
        target = tmp_path / "report.md"
        done = run_cli(["report", "annual", "--year", "2021", "--sections", "preface", "-o", str(target),
                        "-L", demo_2021.library.location])
        assert done.returncode == 0, done.stderr
        assert target.stat().st_mode & 0o777 == 0o664
    finally:
        os.umask(saved)


def test_an_output_published_by_its_author_names_it_once(cat: Catalogue) -> None:
    ngo = cat.add(m.Organisation, name="Peace Institute").id
    other = cat.add(m.Organisation, name="Press House").id
    own = cat.add(m.Publication, title="Own report", type="report", year=2021, month=3, publisher_id=ngo).id
    cat.set_contributors(own, [("author", "organisation", ngo)])
    printed = cat.add(m.Publication, title="Printed elsewhere", type="report", year=2021, month=3,
                      publisher_id=other).id
    cat.set_contributors(printed, [("author", "organisation", ngo)])
    md, _ = build_annual(cat, 2021, "md", sections="index")
    assert "- Peace Institute. *Own report*. March 2021." in md
    assert "- Peace Institute. *Printed elsewhere*. Press House, March 2021." in md


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_part_of_the_reference_contents_in_every_format(demo_2021: Catalogue, lang: str) -> None:
    """The seed report's parts: the chair's word, preface, board, programmes, mission, finances,
    networks and platforms, outreach (with library and social media), assignments, team, contact."""
    titles = section_titles(2021, lang)
    wanted = [titles[s] for s in ("chair", "preface", "board", "programmes", "mission", "finances", "networks",
                                  "outreach", "assignments", "team", "contact")]
    sub = ["Bibliothèque", "Réseaux sociaux"] if lang == "fr" else ["Library", "Social media"]
    md, warnings = build_annual(demo_2021, 2021, "md", lang=lang)
    assert all(f"\n## {t}\n" in md for t in wanted) and all(f"\n### {t}\n" in md for t in sub)
    assert not [w for w in warnings if w.startswith("report text")]
    html, _ = build_annual(demo_2021, 2021, "html", lang=lang)
    assert all(f">{t}</h2>" in html.replace("&#x27;", "'").replace("&#39;", "'") for t in wanted)
    toc = [title for level, title, _ in pymupdf.open("pdf", build_annual(demo_2021, 2021, "pdf", lang=lang)[0]
                                                     ).get_toc() if level == 1]
    assert all(t in toc for t in wanted)
    d = docx.Document(io.BytesIO(build_annual(demo_2021, 2021, "docx", lang=lang)[0]))
    headings = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert all(t in headings for t in wanted)
