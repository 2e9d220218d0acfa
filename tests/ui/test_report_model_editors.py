"""The editors of the report's model: a project's contracts per year, an event's organisers and hosts,
an organisation's parent body, a person's roles over time — real widgets over the demo library."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from kbase.catalogue.assignments import assignment_rows
from kbase.catalogue.editing import read_state
from kbase.catalogue.organisations import display_names
from kbase.catalogue.roles import roles_of
from kbase.library import models as m
from ui.editors import make_editor


def _project(cat, short_title: str) -> m.Project:
    return next(p for p in cat.all(m.Project) if p.title.startswith(short_title))


def test_the_project_editor_shows_each_years_contract_and_keeps_its_wording(qtbot, window) -> None:
    cat = window.catalogue
    project = _project(cat, "Pastoralism in the Central African Republic")
    dialog = make_editor(window, "project", project.id)
    qtbot.addWidget(dialog)
    years, details = dialog.widgets["links.assignments"], dialog.widgets["links.assignment_details"]
    assert years.current_year() == 2020
    shown = [years.clients.list.item(i).text() for i in range(years.clients.list.count())]
    assert shown[0].endswith("— “DFID”") and shown[1].endswith("— “Concordis”")
    years.clients.list.setCurrentRow(1)
    assert details.client_name.text() == "Concordis"
    details.title.setText("Transhumance dynamics in Ouham-Pende")
    details.title.textEdited.emit("Transhumance dynamics in Ouham-Pende")
    details.reference.setText("CONC-2020-07")
    details.reference.textEdited.emit("CONC-2020-07")
    details.client_name.setText("Concordis International")
    details.client_name.textEdited.emit("Concordis International")
    assert dialog.save()
    [row] = assignment_rows(cat, 2020, project.id)
    assert (row["title"], row["reference"]) == ("Transhumance dynamics in Ouham-Pende", "CONC-2020-07")
    assert row["client_line"] == "DFID/Concordis International"  # the separator the contract uses stays
    window.undo_stack.undo()
    [row] = assignment_rows(cat, 2020, project.id)
    assert (row["title"], row["client_line"]) == (
        "Pastoralism in the Central African Republic conflict – Mapping of transhumance dynamics in Ouham-Pende",
        "DFID/Concordis")


def test_event_organisers_and_hosts_are_lists_apart_from_the_speakers(qtbot, window) -> None:
    cat = window.catalogue
    event = next(e for e in cat.all(m.Event) if e.title.startswith("Central African regional workshop"))
    state = read_state(cat, "event", event.id)
    assert state.links["organisers"] == [] and len(state.links["hosts"]) == 2
    dialog = make_editor(window, "event", event.id)
    qtbot.addWidget(dialog)
    ipis = cat.lookup(m.Organisation, "IPIS")[0].id
    dialog.widgets["links.organisers"].add(ipis)
    assert dialog.save()
    after = read_state(cat, "event", event.id)
    assert after.links["organisers"] == [ipis] and after.links["hosts"] == state.links["hosts"]
    assert after.links["people"] == state.links["people"]


def test_an_organisation_made_part_of_a_body_prints_with_it_and_is_found_that_way(qtbot, window) -> None:
    cat = window.catalogue
    eidhr = cat.lookup(m.Organisation, "EIDHR")[0]
    commission = cat.lookup(m.Organisation, "European Commission")[0]
    dialog = make_editor(window, "organisation", eidhr.id)
    qtbot.addWidget(dialog)
    dialog.widgets["parent_id"].set_value(commission.id)
    combo = dialog.widgets["part_kind"]
    combo.setCurrentIndex(combo.findData("instrument"))
    assert dialog.save()
    with cat.reading() as s:
        shown = display_names(s, [eidhr.id])[eidhr.id]
    assert shown == "European Commission, European Instrument for Democracy and Human Rights"
    assert [o.id for o in cat.lookup(m.Organisation, shown)] == [eidhr.id]


def test_a_persons_roles_over_time_are_edited_as_rows(qtbot, window) -> None:
    cat = window.catalogue
    chair = cat.lookup(m.Person, "Johan Swinnen")[0]
    dialog = make_editor(window, "person", chair.id)
    qtbot.addWidget(dialog)
    roles = dialog.widgets["links.roles"]
    assert roles.state() == [("board", "Chair", None, None)]
    roles.table.item(0, 3).setText("2022-06-30")
    qtbot.mouseClick(roles.findChildren(type(dialog.buttons.button(dialog.buttons.StandardButton.Save)))[0],
                     Qt.MouseButton.LeftButton)  # Add role
    roles.table.item(1, 1).setText("Honorary chair")
    roles.table.item(1, 2).setText("2022-07-01")
    assert dialog.save()
    assert [(r["role"], r["title"], r["start"], r["end"]) for r in roles_of(cat, chair.id)] == [
        ("board", "Chair", None, "2022-06-30"), ("staff", "Honorary chair", "2022-07-01", None)]
    assert read_state(cat, "person", chair.id).links["roles"][1][2] == date(2022, 7, 1)


def test_a_publications_supporters_period_and_more_editors(qtbot, window) -> None:
    cat = window.catalogue
    report = next(p for p in cat.all(m.Publication) if p.title == "Better Mining Impact Report 2022")
    dialog = make_editor(window, "publication", report.id)
    qtbot.addWidget(dialog)
    assert len(dialog.widgets["links.supporters"].ids()) == 11
    assert dialog.widgets["editors_et_al"].currentData() is False
    unicef = cat.lookup(m.Organisation, "UNICEF")[0].id
    dialog.widgets["links.funders"].add(unicef)
    combo = dialog.widgets["editors_et_al"]
    combo.setCurrentIndex(combo.findData(True))
    assert dialog.save()
    state = read_state(cat, "publication", report.id)
    assert state.links["funders"] == [unicef] and len(state.links["supporters"]) == 11
    assert state.fields["editors_et_al"] is True
    assert (state.fields["period_start"], state.fields["period_end"]) == (date(2021, 4, 1), date(2022, 3, 31))
