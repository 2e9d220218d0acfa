"""The demo catalogue's 2021 annual report against facts written down from the reference report."""

from __future__ import annotations

import re

import pytest

from kbase.catalogue.organisations import display_names
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.report import build_annual
from kbase.report.citation import join_names
from kbase.report.data import org_label
from kbase.report.markup import plain_text
from tests.report_facts import ASSIGNMENTS, BRIEFINGS_2021, BULLETINS_2021, OUTPUTS_2021, TEAM_2021, client_line


def block(md: str, heading_re: str) -> str:
    """Text under the first heading matching heading_re, up to the next heading of its level or higher."""
    found = re.search(heading_re, md, flags=re.MULTILINE)
    assert found, f"no heading matching {heading_re!r}"
    level = len(found.group(0)) - len(found.group(0).lstrip("#")) or 6  # not a heading: up to the next one
    rest = md[found.end():]
    end = re.search(rf"^#{{1,{level}}} ", rest, flags=re.MULTILINE)
    return rest[: end.start()] if end else rest


def labels(cat: Catalogue, names: list[str]) -> list[str]:
    """How the report labels the bodies the reference report names (found through their aliases)."""
    out = []
    for name in names:
        found = cat.lookup(m.Organisation, name)
        assert len(found) == 1, f"the demo catalogue does not know {name!r} as one organisation"
        with cat.reading() as s:
            shown = display_names(s, [found[0].id])[found[0].id]
        out.append(org_label(shown, found[0].acronym))
    return out


def dashes(text: str) -> str:
    """The reference report types some dashes as hyphens ("Conservation X Labs - ASM Grand Challenge")."""
    return text.replace(" - ", " – ")


@pytest.fixture
def report_2021(demo: Catalogue) -> str:
    md, _ = build_annual(demo, 2021, "md")
    return md


def test_assignments_match_the_reference_report(demo: Catalogue, report_2021: str) -> None:
    """All 33 project-years: the title as the report words it, the clients as the report names them."""
    section = block(report_2021, r"^## Assignments 2019 – 2021")
    assert sum(len(rows) for rows in ASSIGNMENTS.values()) == 33
    for year, rows in ASSIGNMENTS.items():
        text = block(section, rf"^### {year}$")
        entries = [(plain_text(t), dashes(plain_text(c or "")))
                   for t, c in re.findall(r"^- \*\*(.+?)\*\*(?:  \n  For (.+))?$", text, flags=re.MULTILINE)]
        # or a table: | title | clients |
        entries += [(plain_text(t), dashes(plain_text(c).strip())) for t, c in
                    re.findall(r"^\| (.+?) \| (.*?) \|$", text, flags=re.MULTILINE) if not set(t) <= set(":- ")][1:]
        expected = [(t, dashes(client_line(year, t, clients))) for t, clients in rows]
        assert sorted(entries) == sorted(expected), f"assignments of {year}"


def test_projects_of_2021_have_the_reference_outputs_partners_and_funders(demo: Catalogue, report_2021: str) -> None:
    programmes = block(report_2021, r"^## Research programmes")
    maps = plain_text(block(report_2021, r"^## Maps and data"))
    for title, facts in OUTPUTS_2021.items():
        text = block(programmes, rf"^#### {re.escape(title)}$")
        plain = plain_text(text)
        outputs = plain_text(block(text, r"^\*\*Output\*\*$")) if "**Output**" in text else ""
        bullets = [line for line in outputs.splitlines() if line.startswith("- ")]
        for output in facts["outputs"]:
            assert sum(output in b for b in bullets) == 1, f"{output!r} missing from the outputs of {title}"
        # the catalogue may link more to a project than the printed report chose to list (maps shown
        # under Maps & Data), but never a periodical issue, which has a section of its own
        assert not [b for b in bullets if "IPIS Briefing" in b or "Arms Trade Bulletin" in b], title
        extra = [b for b in bullets if not any(o in b for o in facts["outputs"])]
        assert all(b in maps for b in extra), f"outputs of {title} beyond the reference report: {extra}"
        with_line = re.search(r"^\*\*With:\*\* (.+)$", plain, flags=re.MULTILINE)
        assert (with_line.group(1) if with_line else "") == join_names(labels(demo, facts["partners"])), title
        funders = re.search(r"^\*\*Supported by:\*\* (.+)$", plain, flags=re.MULTILINE)
        assert (funders.group(1) if funders else "") == join_names(labels(demo, facts["funders"])), title


def test_periodical_issues_by_month(report_2021: str) -> None:
    for series, facts in (("IPIS Briefing", BRIEFINGS_2021), ("Arms Trade Bulletin", BULLETINS_2021)):
        text = plain_text(block(report_2021, rf"^### {series}$"))
        issues = re.findall(r"^- \*\*(.+?):\*\* \[(.+)\]\(.+\)$", text, flags=re.MULTILINE)
        assert issues == facts


def test_team_at_the_end_of_the_year(report_2021: str) -> None:
    team = block(report_2021, r"^## Team")
    found = []
    for heading in ("Administration", "Researchers", "Focal points", "Associate researchers"):
        names = re.findall(r"^- \*\*(.+?)\*\*", block(team, rf"^### {heading}$"), flags=re.MULTILINE)
        found += [(plain_text(n), heading.lower()) for n in names]
    assert found == [(name, group.lower()) for name, group in TEAM_2021]


def test_projects_that_ended_before_the_year_stay_out_of_the_programmes(report_2021: str) -> None:
    programmes = block(report_2021, r"^## Research programmes")
    assignments = block(report_2021, r"^## Assignments 2019 – 2021")
    for title in ("Responsible Gold in Beni", "Development of a digital toolbox on Business & Human Rights"):
        assert title not in plain_text(programmes)
        assert title in plain_text(assignments)
    for title in OUTPUTS_2021:
        assert f"#### {title}\n" in plain_text(programmes)
