"""Annual report built from a small hand-made catalogue: selection, citations, escaping, formats."""

from __future__ import annotations

import io
import re
from datetime import date
from html.parser import HTMLParser

import docx
import pymupdf
import pytest

from kbase.catalogue.query import Filter
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.library import models as m
from kbase.report import SECTIONS, build_annual, build_bibliography, build_project
from kbase.report.citation import cite_text, join_names


def small(cat: Catalogue) -> dict[str, int]:
    """Two programmes, projects active in 2021 in each of the three ways, one not, internal records."""
    ids: dict[str, int] = {}
    nr = cat.add(m.Programme, name="Natural Resources").id
    arms = cat.add(m.Programme, name="Arms <Trade> & Security").id
    ngo = cat.add(m.Organisation, name="Peace Institute", acronym="PI").id
    donor = cat.add(m.Organisation, name="Development Fund", acronym="DF").id
    partner = cat.add(m.Organisation, name="Field Partners").id
    client = cat.add(m.Organisation, name="World Food Programme", acronym="WFP").id
    a = cat.add(m.Person, name="Ann Author", role="staff", title="Director").id
    b = cat.add(m.Person, name="Bob Writer", role="staff", title="Researcher").id
    c = cat.add(m.Person, name="Cy Third", role="associate researcher").id
    briefings = cat.add(m.Series, name="Monthly Briefing", periodical=True).id

    # active by assignment
    ids["assigned"] = cat.add(m.Project, title="Roadblocks study", programme_id=arms, summary="Checkpoints.",
                              url="https://example.org/roadblocks").id
    cat.set_assignment(ids["assigned"], 2021, [client])
    cat.set_assignment(ids["assigned"], 2019, [client, donor])
    cat.link(m.ProjectOrganisation, project_id=ids["assigned"], organisation_id=partner, role="partner")
    cat.link(m.ProjectOrganisation, project_id=ids["assigned"], organisation_id=donor, role="funder")
    # active by dates, no funder (a gap the report must name)
    ids["dated"] = cat.add(m.Project, title="Mapping <script>alert(1)</script> & mines", programme_id=nr,
                           start=date(2020, 3, 1), end=date(2022, 6, 30)).id
    # active by an output dated 2021 only
    ids["output"] = cat.add(m.Project, title="Old study", programme_id=nr, start=date(2015, 1, 1),
                            end=date(2016, 1, 1)).id
    # not active in 2021
    ids["past"] = cat.add(m.Project, title="Finished long ago", programme_id=nr, start=date(2010, 1, 1),
                          end=date(2012, 12, 31)).id
    cat.set_assignment(ids["past"], 2020, [donor])
    ids["internal"] = cat.add(m.Project, title="Secret assignment", programme_id=nr, visibility="internal").id
    cat.set_assignment(ids["internal"], 2021, [client])

    p = cat.add(m.Publication, title="Checkpoint economy", subtitle="Ten years on", type="report", year=2021,
                month=12, publisher_id=ngo, url="https://example.org/checkpoints.pdf").id
    cat.set_contributors(p, [("author", "person", a), ("author", "person", b), ("author", "person", c)])
    cat.link(m.PublicationProject, publication_id=p, project_id=ids["assigned"])
    ids["pub"] = p
    q = cat.add(m.Publication, title="Fees & <b>bold</b> *claims*", type="report", year=2021,
                publisher_id=ngo).id  # no month, no author, no link
    cat.set_contributors(q, [])
    cat.link(m.PublicationProject, publication_id=q, project_id=ids["output"])
    ids["nomonth"] = q
    r = cat.add(m.Publication, title="Joint paper", type="review paper", year=2021, month=6,
                url="https://example.org/joint").id
    cat.set_contributors(r, [("author", "organisation", partner), ("author", "organisation", ngo)])
    cat.link(m.PublicationProject, publication_id=r, project_id=ids["dated"])
    for month, end, title in ((1, None, "Gold in Beni"), (6, 7, "War on terror?")):
        cat.add(m.Publication, title=title, type="briefing", year=2021, month=month, month_end=end,
                series_id=briefings, publisher_id=ngo, url="https://example.org/briefing")
    cat.add(m.Publication, title="Internal memo", type="other", year=2021, month=3, visibility="internal")
    cat.add(m.Publication, title="Confidential note", type="other", year=2021, month=4, visibility="confidential")
    cat.add(m.Publication, title="Checkpoint map", type="webmap", year=2021, month=2, url="https://example.org/map")
    e = cat.add(m.Event, title="Lecture on diamonds", date=date(2021, 9, 2), place="Antwerp").id
    cat.link(m.EventPerson, event_id=e, person_id=b)
    cat.add(m.Event, title="Workshop week", date=date(2021, 9, 21), end_date=date(2021, 9, 28))
    cat.add(m.Event, title="Last year's talk", date=date(2020, 5, 1))
    return ids


def section(md: str, heading: str) -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    start = md.index(heading)
    rest = md[start + len(heading):]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_sections_are_listed_in_default_order() -> None:
    assert [s for s, _ in SECTIONS] == ["contents", "chair", "preface", "board", "programmes", "periodicals",
                                         "maps", "mission", "finances", "networks", "outreach", "assignments",
                                         "team", "contact", "index"]


def test_citation_house_style() -> None:
    assert join_names(["A"]) == "A"
    assert join_names(["A", "B"]) == "A and B"
    assert join_names(["A", "B", "C"]) == "A, B and C"
    pub = {"authors": ["Peer Schouten", "Ken Matthysen", "Thomas Muller"], "title": "Checkpoint economy",
           "publisher": "IPIS", "year": 2021, "month": 12, "url": "https://x.org/r.pdf"}
    assert cite_text(pub) == ("Peer Schouten, Ken Matthysen and Thomas Muller. Checkpoint economy. "
                              "IPIS, December 2021. https://x.org/r.pdf")
    orgs = {"authors": ["Levin Sources", "Madini"], "title": "Fiscal regimes?", "year": 2021, "month": 10}
    assert cite_text(orgs) == "Levin Sources and Madini. Fiscal regimes? October 2021."
    chapter = {"authors": ["B. Wood"], "editors": ["C. Da Silva", "B. Wood"], "title": "Article 7",
               "container": "The Arms Trade Treaty", "publisher": "Intersentia", "place": "Cambridge",
               "year": 2021}
    assert cite_text(chapter) == ("B. Wood. Article 7. In: C. Da Silva and B. Wood (eds), The Arms Trade Treaty. "
                                  "Intersentia, Cambridge, 2021.")
    assert cite_text({"title": "Undated"}) == "Undated. n.d."


def test_projects_active_in_year_follow_the_documented_rule(cat: Catalogue) -> None:
    ids = small(cat)
    md, _ = build_annual(cat, 2021, "md", sections=["programmes"])
    programmes = section(md, "## Research programmes")
    assert "Roadblocks study" in programmes          # assignment in 2021
    assert "Mapping &lt;script" in programmes        # dates cover 2021
    assert "Old study" in programmes                 # output dated 2021
    assert "Finished long ago" not in programmes
    assert "Secret assignment" not in md
    roads = section(md, "#### Roadblocks study")
    assert "**Project page:** [example.org/roadblocks](https://example.org/roadblocks)" in roads
    assert ("Ann Author, Bob Writer and Cy Third. *Checkpoint economy: Ten years on*. Peace Institute (PI)"
            not in roads)  # publishers are named, not labelled with acronyms
    assert ("Ann Author, Bob Writer and Cy Third. *Checkpoint economy: Ten years on*. Peace Institute, December 2021."
            in roads)
    assert "**With:** Field Partners" in roads
    assert "**Supported by:** Development Fund (DF)" in roads
    internal, _ = build_annual(cat, 2021, "md", sections=["programmes"], include_internal=True)
    assert "Secret assignment" in internal
    assert ids["past"]


def test_assignments_cover_three_years_newest_first(cat: Catalogue) -> None:
    small(cat)
    md, warnings = build_annual(cat, 2021, "md", sections=["assignments"])
    text = section(md, "## Assignments 2019 – 2021")
    years = re.findall(r"^### (\d{4})$", text, flags=re.MULTILINE)
    assert years == ["2021", "2020", "2019"]
    # a table per year: | assignment | clients | (kbase.report.charts.add_figures)
    assert re.search(r"^\| Roadblocks study \| World Food Programme( \(WFP\))? \|$", section(text, "### 2021"),
                     flags=re.MULTILINE)
    assert "Finished long ago" in section(text, "### 2020")
    row_2019 = next(line for line in section(text, "### 2019").splitlines() if "Roadblocks study" in line)
    assert "World Food Programme" in row_2019 and "Development Fund" in row_2019
    assert "Secret assignment" not in text


def test_periodicals_keep_month_ranges_and_hidden_records_stay_hidden(cat: Catalogue) -> None:
    small(cat)
    md, _ = build_annual(cat, 2021, "md")
    periodicals = section(md, "### Monthly Briefing")
    assert "**January:** [Gold in Beni](https://example.org/briefing)" in periodicals
    assert "**June – July:** [War on terror?](https://example.org/briefing)" in periodicals
    assert "Internal memo" not in md and "Confidential note" not in md
    everything, _ = build_annual(cat, 2021, "md", include_internal=True)
    assert "Internal memo" in everything and "Confidential note" in everything


def test_outreach_team_maps_and_index(cat: Catalogue) -> None:
    small(cat)
    md, warnings = build_annual(cat, 2021, "md")
    outreach = section(md, "## Outreach")
    assert "### September" in outreach
    assert "**2 September** – Lecture on diamonds (Antwerp). *(By Bob Writer)*" in outreach
    assert "**21–28 September** – Workshop week" in outreach
    assert "Last year's talk" not in md
    team = section(md, "## Team")
    assert "**Ann Author**, Director" in section(team, "### Administration")
    assert "**Bob Writer**" in section(team, "### Researchers")
    assert "**Cy Third**" in section(team, "### Associate researchers")
    assert "Checkpoint map" in section(md, "## Maps and data")
    index = section(md, "## Publications of 2021 by type")
    assert re.findall(r"^### (.+)$", index, flags=re.MULTILINE) == [
        "Report (2)", "Briefing (2)", "Review paper (1)", "Webmap (1)"]
    assert "Field Partners and Peace Institute. *Joint paper*. June 2021." in index


def test_missing_data_is_reported_and_records_still_appear(cat: Catalogue) -> None:
    ids = small(cat)
    md, warnings = build_annual(cat, 2021, "md")
    assert "*Fees & &lt;b>bold&lt;/b> \\*claims\\**" in md   # the record without month still appears
    joined = "\n".join(warnings)
    assert f"publication {ids['nomonth']} " in joined and "no month" in joined and "no author" in joined
    assert f"project {ids['dated']} " in joined and "no funder" in joined
    assert "event" in joined and "nobody named" in joined   # the workshop week names no one
    assert not any(f"project {ids['assigned']} " in w for w in warnings)


def test_sections_can_be_chosen_and_reordered(cat: Catalogue) -> None:
    small(cat)
    md, _ = build_annual(cat, 2021, "md", sections="team,assignments")
    heads = re.findall(r"^## (.+)$", md, flags=re.MULTILINE)
    assert heads == ["Team", "Assignments 2019 – 2021"]
    with pytest.raises(InvalidInput, match="unknown report section 'budget'"):
        build_annual(cat, 2021, "md", sections=["budget"])
    with pytest.raises(InvalidInput, match="format"):
        build_annual(cat, 2021, "odt")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def test_html_escapes_catalogue_text(cat: Catalogue) -> None:
    small(cat)
    html, _ = build_annual(cat, 2021, "html")
    assert html.startswith("<!DOCTYPE html>")
    parsed = _Collector()
    parsed.feed(html)
    assert "script" not in parsed.tags and "b" not in parsed.tags
    text = "".join(parsed.text)
    assert "Mapping <script>alert(1)</script> & mines" in text
    assert "Fees & <b>bold</b> *claims*" in text
    assert "Arms <Trade> & Security" in text
    assert "<style>" in html and "h2 {" in html     # the stylesheet from resources/ is inlined


def test_pdf_has_cover_contents_outline_and_page_numbers(cat: Catalogue) -> None:
    small(cat)
    data, _ = build_annual(cat, 2021, "pdf")
    doc = pymupdf.open("pdf", data)
    assert doc.page_count >= 3
    assert "Annual report 2021" in doc[0].get_text()
    contents = doc[1].get_text()
    assert "Contents" in contents and "Research programmes" in contents and "Assignments 2019 – 2021" in contents
    outline = [title for _, title, _ in doc.get_toc()]
    assert "Research programmes" in outline and "Team" in outline
    for number in range(1, doc.page_count):
        lines = doc[number].get_text().split("\n")
        assert str(number + 1) in lines        # a page number at the foot
        assert "Annual report 2021" in lines[0] or "Annual report 2021" in doc[number].get_text()
    assert any(link.get("uri") == "https://example.org/checkpoints.pdf"
               for page in doc for link in page.get_links())
    assert "Mapping <script>alert(1)</script> & mines" in " ".join(p.get_text() for p in doc).replace("\n", " ")


def test_docx_has_real_headings_lists_and_links(cat: Catalogue) -> None:
    small(cat)
    data, _ = build_annual(cat, 2021, "docx")
    document = docx.Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Research programmes") in headings
    assert ("Heading 2", "Natural Resources") in headings
    assert ("Heading 3", "Roadblocks study") in headings
    assert ("Heading 1", "Contents") in headings
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(t.startswith("Ann Author, Bob Writer and Cy Third. Checkpoint economy") for t in bullets)
    assert any("Mapping <script>alert(1)</script> & mines" == p.text for p in document.paragraphs)
    rels = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert "https://example.org/checkpoints.pdf" in rels


def test_project_sheet_and_bibliography(cat: Catalogue) -> None:
    ids = small(cat)
    md, warnings = build_project(cat, ids["assigned"])
    assert md.startswith("# Roadblocks study")
    # the clients as the contract names them, joined as it joins them: by default each one's name
    assert "- **2021**: for World Food Programme\n" in md
    assert "- **2019**: for World Food Programme, Development Fund\n" in md
    assert "Checkpoint economy" in section(md, "### Outputs")
    with pytest.raises(InvalidInput, match="internal"):
        build_project(cat, ids["internal"])
    bib, _ = build_bibliography(cat, Filter.year(2021), group_by="type")
    assert re.findall(r"^## (.+)$", bib, flags=re.MULTILINE) == [
        "Report (2)", "Briefing (2)", "Review paper (1)", "Webmap (1)"]
    by_project, _ = build_bibliography(cat, Filter.year(2021), group_by="project")
    heads = re.findall(r"^## (.+)$", by_project, flags=re.MULTILINE)
    assert heads[-1].startswith("No project") and "Roadblocks study (1)" in heads
    pdf, _ = build_bibliography(cat, Filter.year(2021), group_by="year", fmt="pdf")
    sheet = pymupdf.open("pdf", pdf)
    assert "Bibliography" in sheet[0].get_text() and [t for _, t, _ in sheet.get_toc()][1] == "2021 (6)"
