"""The report's model on SQLite and PostgreSQL: assignments as records, parent bodies, organisations of
outputs and events, people's roles over time — through the core and the CLI."""

from __future__ import annotations

import json

import pytest

from kbase.catalogue import query, views
from kbase.catalogue.assignments import assignment_rows, save_assignment
from kbase.catalogue.organisations import (
    display_form,
    display_names,
    linked_organisations,
    set_linked_organisations,
    set_parent,
)
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import add_role, people_with_role
from kbase.errors import InvalidInput
from kbase.library import models as m
from kbase.report import build_annual
from kbase.report.data import board_of_year, period_label
from tests.cli_runner import run_cli
from tests.report_facts import BOARD_2021


def _cli(location: str, *args: str) -> str:
    done = run_cli([*args, "--library", location])
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_display_forms_follow_the_kind_of_part() -> None:
    assert display_form("Instrument contributing to Stability and Peace", "European Commission", "instrument",
                        "EC") == "European Commission, Instrument contributing to Stability and Peace"
    usaid = "United States Agency for International Development"
    assert display_form("Integrated Land and Resource Governance project", usaid, "programme",
                        "USAID") == "USAID – Integrated Land and Resource Governance project"
    assert display_form("Concordis", "Department for International Development", "consortium",
                        "DFID") == "DFID/Concordis"
    assert display_form("European Commission Directorate-General for Trade", "European Commission",
                        "department") == "European Commission Directorate-General for Trade"
    assert display_form("Fairphone") == "Fairphone"


def test_a_part_is_found_by_either_name_and_never_its_own_parent(cat: Catalogue) -> None:
    ec = cat.add(m.Organisation, name="European Commission", acronym="EC")
    icsp = cat.add(m.Organisation, name="Instrument contributing to Stability and Peace", acronym="IcSP")
    set_parent(cat, icsp.id, ec.id, "instrument")
    for name in ("European Commission, Instrument contributing to Stability and Peace", "IcSP",
                 "instrument contributing to stability and peace"):
        assert [o.id for o in cat.lookup(m.Organisation, name)] == [icsp.id], name
    with pytest.raises(InvalidInput, match="its own part"):
        set_parent(cat, ec.id, icsp.id, "programme")
    with pytest.raises(InvalidInput, match="kind of part"):
        set_parent(cat, icsp.id, ec.id, "branch")
    with pytest.raises(InvalidInput, match="still used by organisation"):
        cat.delete(m.Organisation, ec.id)  # a body with parts is not deleted from under them
    assert views.describe(cat, "organisation", ec.id)["parts"][0]["id"] == icsp.id


def test_an_assignment_keeps_its_wording_and_its_clients_as_named(cat: Catalogue) -> None:
    project = cat.add(m.Project, title="Pastoralism in the Central African Republic conflict")
    dfid = cat.add(m.Organisation, name="Department for International Development", acronym="DFID")
    concordis = cat.add(m.Organisation, name="Concordis International")
    save_assignment(cat, project.id, 2020, title="Mapping of transhumance dynamics in Ouham-Pende\x00",
                    clients=[(dfid.id, "DFID"), (concordis.id, "Concordis")], separator="/", reference="C-7")
    [row] = assignment_rows(cat, 2020)
    assert (row["title"], row["client_line"], row["reference"]) == (
        "Mapping of transhumance dynamics in Ouham-Pende", "DFID/Concordis", "C-7")
    save_assignment(cat, project.id, 2020, note="second phase")  # what is not given stays
    [row] = assignment_rows(cat, project_id=project.id)
    assert (row["title"], row["client_line"], row["note"]) == (
        "Mapping of transhumance dynamics in Ouham-Pende", "DFID/Concordis", "second phase")
    cat.set_assignment(project.id, 2020, [dfid.id, concordis.id])  # the older call keeps the names as contracted
    assert assignment_rows(cat, 2020)[0]["client_line"] == "DFID/Concordis"
    save_assignment(cat, project.id, 2021, clients=[concordis.id])
    assert [(r["year"], r["title"], r["client_line"]) for r in assignment_rows(cat, project_id=project.id)] == [
        (2021, "Pastoralism in the Central African Republic conflict", "Concordis International"),
        (2020, "Mapping of transhumance dynamics in Ouham-Pende", "DFID/Concordis")]


def test_roles_over_time_name_the_board_of_a_year(cat: Catalogue) -> None:
    chair = cat.add(m.Person, name="Johan Swinnen")
    member = cat.add(m.Person, name="Ellen Talloen")
    add_role(cat, chair.id, "board", "Chair", start="2015-06-01")
    add_role(cat, member.id, "board", "Member", start="2016-01-01", end="2020-12-31")
    add_role(cat, member.id, "staff", "Researcher", start="2021-01-01")
    with cat.reading() as s:
        assert [p["name"] for p in people_with_role(s, "board", 2021)] == ["Johan Swinnen"]
        assert [p["name"] for p in people_with_role(s, "board", 2020)] == ["Johan Swinnen", "Ellen Talloen"]
        assert [p["name"] for p in people_with_role(s, "board", 2014)] == []
    with pytest.raises(InvalidInput, match="before it starts"):
        add_role(cat, chair.id, "board", start="2021-01-01", end="2020-01-01")
    with pytest.raises(InvalidInput, match="role must be one of"):
        add_role(cat, chair.id, "chairman")


def test_outputs_have_supporters_and_a_reporting_period(demo: Catalogue) -> None:
    report = next(p for p in demo.all(m.Publication) if p.title == "Better Mining Impact Report 2022")
    described = views.describe(demo, "publication", report.id)
    assert len(described["supporters"]) == 11
    assert {"USAID", "Google", "UNICEF"} <= {s["label"] for s in described["supporters"]} | {
        o.acronym for s in described["supporters"] for o in [demo.get(m.Organisation, s["id"])] if o.acronym}
    assert period_label(report.period_start, report.period_end, report.year) == "April 2021 – March 2022"
    usaid = demo.lookup(m.Organisation, "USAID")[0]
    set_linked_organisations(demo, "publication", report.id, "funder", [usaid.id])
    assert report.id in query.find_ids(demo, "publication", query.Filter(organisation="USAID", role="supporter"))
    assert report.id in query.find_ids(demo, "publication", query.Filter(organisation="USAID", role="funder"))


def test_the_demo_events_have_organisers_and_hosts_apart_from_speakers(demo: Catalogue) -> None:
    with demo.reading() as s:
        events = demo.all(m.Event)
        linked = linked_organisations(s, "event", [e.id for e in events])
        names = display_names(s, [o["id"] for e in linked.values() for r in e.values() for o in r])
    assert sum(bool(e.get("organiser")) for e in linked.values()) >= 25
    assert sum(bool(e.get("host")) for e in linked.values()) >= 7
    yaounde = next(e for e in events if e.title.startswith("Central African regional workshop"))
    assert [names[o["id"]] for o in linked[yaounde.id]["host"]] == [
        "Working Group on Artisanal and Alluvial Production", "Government of Cameroon"]


def test_the_2021_board_as_the_report_lists_it(demo: Catalogue) -> None:
    assert [(p["name"], p["position"]) for p in board_of_year(demo, 2021)] == BOARD_2021
    md, _ = build_annual(demo, 2021, "md", sections=["board"])
    for name, _ in BOARD_2021:
        assert name in md


def test_cli_assignments_roles_and_organisations(demo_location: str) -> None:
    rows = json.loads(_cli(demo_location, "list", "assignment", "--year", "2020", "--json"))
    assert len(rows) == 12
    car = next(r for r in rows if r["title"].startswith("Pastoralism"))
    assert car["client_line"] == "DFID/Concordis"
    out = _cli(demo_location, "assignment", "set", str(car["project_id"]), "2020", "--title", "Transhumance study",
               "--client", "DFID=UK aid", "--client", "Concordis", "--reference", "CAR-1")
    assert "Transhumance study — for UK aid/Concordis International" in out
    again = json.loads(_cli(demo_location, "assignment", "list", "--year", "2020", "--json"))
    assert next(r for r in again if r["id"] == car["id"])["reference"] == "CAR-1"

    board = json.loads(_cli(demo_location, "list", "person", "--role", "board", "--year", "2021", "--json"))
    assert sorted(p["name"] for p in board) == sorted(name for name, _ in BOARD_2021)
    talloen = next(p["id"] for p in board if p["name"] == "Ellen Talloen")
    roles = json.loads(_cli(demo_location, "role", "list", str(talloen), "--json"))
    _cli(demo_location, "role", "edit", str(roles[0]["id"]), "--end", "2021")
    board_2022 = json.loads(_cli(demo_location, "list", "person", "--role", "board", "--year", "2022", "--json"))
    assert sorted(p["name"] for p in board_2022) == sorted(name for name, _ in BOARD_2021 if name != "Ellen Talloen")
    assert "Ellen Talloen" not in _cli(demo_location, "role", "list", "--role", "board", "--year", "2022")

    eidhr = json.loads(_cli(demo_location, "lookup", "organisation", "EIDHR", "--json"))[0]["id"]
    _cli(demo_location, "edit", "organisation", str(eidhr), "parent=European Commission", "part_kind=instrument")
    shown = _cli(demo_location, "show", "organisation", str(eidhr))
    assert "parent: European Commission" in shown
    listed = json.loads(_cli(demo_location, "list", "organisation", "--text", "democracy", "--json"))
    assert [o["display"] for o in listed] == ["European Commission, European Instrument for Democracy and Human Rights"]
    bad = run_cli(["edit", "organisation", str(eidhr), "part_kind=branch", "--library", demo_location])
    assert bad.returncode != 0 and "part_kind must be one of" in bad.stderr

    event = json.loads(_cli(demo_location, "list", "event", "--text", "Guest lecture", "--json"))[0]["id"]
    _cli(demo_location, "link", "event", str(event), "--organiser", "IPIS", "--host", "University of Antwerp")
    shown = json.loads(_cli(demo_location, "show", "event", str(event), "--json"))
    assert [o["label"] for o in shown["organisers"]] == ["International Peace Information Service"]
    assert [o["label"] for o in shown["hosts"]] == ["University of Antwerp"]


def test_the_demo_series_family(demo: Catalogue) -> None:
    south = next(x for x in demo.all(m.Series) if x.name == "Voices from the South")
    family = views.describe(demo, "series", south.id)
    assert sorted(c["label"] for c in family["children"]) == ["Voices from Tanzania", "Voices from the KP CSC",
                                                              "Voix du Congo"]
    congo = next(c["id"] for c in family["children"] if c["label"] == "Voix du Congo")
    assert views.describe(demo, "series", congo)["parent"]["id"] == south.id


def test_the_outreach_section_names_organisers_and_hosts_apart_from_the_speakers(demo: Catalogue) -> None:
    md, _ = build_annual(demo, 2021, "md", sections=["outreach"])
    yaounde = next(line for line in md.splitlines() if "rough diamond fraud" in line)
    assert "Hosted by Working Group on Artisanal and Alluvial Production and Government of Cameroon." in yaounde
    assert yaounde.endswith("*(By Hans Merket, Didier Verbruggen and Mieke Thierens)*")
    assert "Organised by Assent Compliance Inc. *(By" in md  # one full stop after a name that ends with one
    institute = demo.get_setting("institute.name") or "International Peace Information Service"
    assert f"Organised by {institute}." not in md  # the institute's own events go without saying
    fr, _ = build_annual(demo, 2021, "md", sections=["outreach"], lang="fr")
    assert "Accueilli par Working Group on Artisanal and Alluvial Production" in fr


def test_a_chapter_whose_book_has_more_editors_than_listed_cites_them_with_et_al(demo: Catalogue) -> None:
    md, _ = build_annual(demo, 2021, "md", sections=["index"])
    chapter = next(line for line in md.splitlines() if "Africa Armed Violence" in line)
    assert "In: David Perez Esparza et al. (eds), Gun Trafficking and Violence" in chapter
    treaty = next(line for line in md.splitlines() if "Arms Trade Treaty" in line and "In:" in line)
    assert "et al." not in treaty  # its two editors are all there are
