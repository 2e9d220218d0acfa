"""Record editors, pickers and undo/redo, on real widgets over the demo library."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox

from kbase.catalogue.editing import read_state
from kbase.catalogue.records import Catalogue
from kbase.errors import NotFound
from kbase.library import models as m
from ui.editors import delete_records, make_editor, open_editor
from ui.editors.pickers import RecordPicker, suggest


def _activate(qtbot, w) -> None:
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)


def _publication(cat: Catalogue) -> m.Publication:
    return next(p for p in cat.all(m.Publication) if p.year and p.month)


def test_edit_title_then_ctrl_z_restores_it(qtbot, window) -> None:
    cat = window.catalogue
    pub = _publication(cat)
    old_title = pub.title
    dialog = open_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    title = dialog.findChild(QLineEdit, "title")
    title.setText("A completely new title")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert cat.get(m.Publication, pub.id).title == "A completely new title"

    _activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cat.get(m.Publication, pub.id).title == old_title

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert cat.get(m.Publication, pub.id).title == "A completely new title"


def test_undo_restores_links_and_contributors(qtbot, window) -> None:
    cat = window.catalogue
    pub = next(p for p in cat.all(m.Publication) if read_state(cat, "publication", p.id).links["contributors"])
    before = read_state(cat, "publication", pub.id)
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    dialog.widgets["links.contributors"].set_ids([])
    dialog.widgets["links.subjects"].set_ids([cat.all(m.Subject)[0].id])
    assert dialog.save()
    assert read_state(cat, "publication", pub.id).links["contributors"] == []
    window.undo_stack.undo()
    after_undo = read_state(cat, "publication", pub.id)
    assert after_undo.links == before.links
    window.undo_stack.redo()
    assert read_state(cat, "publication", pub.id).links["subjects"] == [cat.all(m.Subject)[0].id]


def test_validation_is_shown_inline_and_nothing_is_saved(qtbot, window) -> None:
    cat = window.catalogue
    pub = _publication(cat)
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.findChild(QLineEdit, "title").setText("")
    dialog.findChild(QLineEdit, "isbn").setText("12-34")
    dialog.widgets["month"].setCurrentIndex(dialog.widgets["month"].findData(6))
    dialog.widgets["month_end"].setCurrentIndex(dialog.widgets["month_end"].findData(3))
    assert not dialog.save()
    assert dialog.isVisible()
    assert dialog.errors["title"].isVisible()
    assert dialog.errors["month_end"].isVisible() and "before" in dialog.errors["month_end"].text()
    assert not dialog.errors["isbn"].isHidden() and "ISBN" in dialog.errors["isbn"].text()
    assert not dialog.errors["subtitle"].isVisible()
    assert cat.get(m.Publication, pub.id).title == pub.title
    assert window.undo_stack.count() == 0


def test_new_record_can_be_undone(qtbot, window) -> None:
    cat = window.catalogue
    before = cat.count(m.Organisation)
    dialog = make_editor(window, "organisation", None)
    qtbot.addWidget(dialog)
    dialog.findChild(QLineEdit, "name").setText("Centre for Field Studies")
    dialog.findChild(QLineEdit, "acronym").setText("CFS")
    dialog.widgets["links.aliases"].set_values(["Centre d'études de terrain"])
    assert dialog.save()
    assert cat.count(m.Organisation) == before + 1
    found = cat.lookup(m.Organisation, "centre d etudes de terrain")
    assert [o.name for o in found] == ["Centre for Field Studies"]
    window.undo_stack.undo()
    assert cat.count(m.Organisation) == before
    window.undo_stack.redo()
    assert [o.acronym for o in cat.lookup(m.Organisation, "CFS")] == ["CFS"]


def test_project_assignments_round_trip_and_undo(qtbot, window) -> None:
    cat = window.catalogue
    project = next(p for p in cat.all(m.Project) if read_state(cat, "project", p.id).links["assignments"])
    before = read_state(cat, "project", project.id)
    client = cat.all(m.Organisation)[0].id
    dialog = make_editor(window, "project", project.id)
    qtbot.addWidget(dialog)
    dialog.widgets["links.assignments"].set_state({1999: [client]})
    assert dialog.save()
    assert read_state(cat, "project", project.id).links["assignments"] == {1999: [client]}
    window.undo_stack.undo()
    assert read_state(cat, "project", project.id).links["assignments"] == before.links["assignments"]


def test_picker_finds_by_any_alias_and_creates_missing(qtbot, window, monkeypatch) -> None:
    cat = window.catalogue
    region = next(r for r in cat.all(m.Region) if r.name_fr and r.name_fr != r.name)
    hits = suggest(cat, "region", region.name_fr[:4].upper())
    assert region.id in [rid for rid, _ in hits]

    picker = RecordPicker(cat, "organisation")
    qtbot.addWidget(picker)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    before = cat.count(m.Organisation)
    picker.edit.setText("Nouvelle Coopérative Minière")
    qtbot.keyClick(picker.edit, Qt.Key.Key_Return)
    assert cat.count(m.Organisation) == before + 1
    assert picker.value() == cat.lookup(m.Organisation, "nouvelle cooperative miniere")[0].id


def test_delete_is_undoable(qtbot, window) -> None:
    """Undo brings back the same record: its ID, its dates and the links that pointed at it."""
    from kbase.catalogue import views

    cat = window.catalogue
    author = next(c.person_id for c in cat.all(m.Contributor) if c.person_id)
    before = views.describe(cat, "person", author)
    assert before["publications"]
    assert delete_records(window, "person", [author], confirm=False)
    assert not cat.lookup(m.Person, before["name"])
    window.undo_stack.undo()
    assert views.describe(cat, "person", author) == before
    window.undo_stack.redo()
    assert not cat.lookup(m.Person, before["name"])


def test_deleting_a_publication_keeps_its_attachment_for_undo(qtbot, window, tmp_path) -> None:
    """Delete moves the publication to the trash with its attachment and page texts; undo takes them out."""
    from kbase.catalogue import trash
    from kbase.imports.pipeline import import_paths
    from tests.pdfs import english_pdf

    cat = window.catalogue
    report = import_paths(cat, [english_pdf(tmp_path / "a.pdf")], index=False)
    pub_id, att_id = report.files[0].publication_id, report.files[0].attachment_id
    title = cat.get(m.Publication, pub_id).title
    assert delete_records(window, "publication", [pub_id], confirm=False)
    assert [(e["kind"], e["id"]) for e in trash.trash_entries(cat)] == [("publication", pub_id)]
    with pytest.raises(NotFound):
        cat.get(m.Attachment, att_id)
    window.undo_stack.undo()
    restored = cat.get(m.Attachment, att_id).publication_id
    assert restored is not None and cat.get(m.Publication, restored).title == title
    assert trash.trash_entries(cat) == []
    window.undo_stack.redo()
    with pytest.raises(NotFound):
        cat.get(m.Attachment, att_id)


@pytest.mark.parametrize("kind", ["publication", "project", "organisation", "person", "region", "event"])
def test_every_editor_opens_and_saves_unchanged(qtbot, window, kind: str) -> None:
    cat = window.catalogue
    records = cat.all(m.RECORD_TYPES[kind])
    rid = records[0].id if records else None
    dialog = make_editor(window, kind, rid)
    qtbot.addWidget(dialog)
    dialog.show()
    if rid is None:
        field = "title" if kind in ("publication", "project", "event") else "name"
        dialog.findChild(QLineEdit, field).setText("Test record")
    assert dialog.save(), dialog.message.text()


def test_state_round_trip_and_suggestions_on_each_backend(demo: Catalogue) -> None:
    """The non-Qt half of the editors (state, pickers' search) on SQLite and PostgreSQL."""
    from kbase.catalogue.editing import write_state

    project = next(p for p in demo.all(m.Project) if read_state(demo, "project", p.id).links["assignments"])
    before = read_state(demo, "project", project.id)
    after = before.copy()
    org = demo.all(m.Organisation)[0].id
    after.fields["short_name"] = "Renamed"
    after.links["funders"] = [org]
    after.links["assignments"] = {2020: [org]}
    write_state(demo, "project", project.id, after, expected_version=before.fields["version"])
    got = read_state(demo, "project", project.id)
    assert got.fields["short_name"] == "Renamed" and got.links["funders"] == [org]
    assert got.links["assignments"] == {2020: [org]}
    write_state(demo, "project", project.id, before)
    again = read_state(demo, "project", project.id)
    assert again.links == before.links and again.fields["short_name"] == before.fields["short_name"]

    person = demo.all(m.Person)[0]
    last = person.name.split()[-1]
    assert person.id in [rid for rid, _ in suggest(demo, "person", last[:3].lower())]
    org_obj = demo.all(m.Organisation)[0]
    assert org_obj.id in [rid for rid, _ in suggest(demo, "organisation", org_obj.name[:4])]


def test_a_save_over_someone_elses_change_asks_first(qtbot, window, monkeypatch) -> None:
    cat = window.catalogue
    pub = _publication(cat)
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    cat.update(m.Publication, pub.id, subtitle="Changed meanwhile")  # another librarian saves first
    dialog.findChild(QLineEdit, "title").setText("My title")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    assert not dialog.save()
    assert "changed by someone else" in asked[0]
    assert cat.get(m.Publication, pub.id).title == pub.title
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert dialog.save()
    assert cat.get(m.Publication, pub.id).title == "My title"


def test_picker_button_creates_and_link_list_adds(qtbot, window, monkeypatch) -> None:
    from ui.editors.pickers import LinkListEditor

    cat = window.catalogue
    links = LinkListEditor(cat, "subject")
    qtbot.addWidget(links)
    assert not links.picker.create_button.isEnabled()
    qtbot.keyClicks(links.picker.edit, "Xylophone bees")
    assert links.picker.create_button.isEnabled()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(links.picker.create_button, Qt.MouseButton.LeftButton)
    created = cat.find_one(m.Subject, "Xylophone bees")
    assert links.ids() == [created.id] and links.picker.edit.text() == ""
    links.list.setCurrentRow(0)
    qtbot.keyClick(links.list, Qt.Key.Key_Delete)
    assert links.ids() == []


def test_contributor_role_toggles_and_doi_is_stored_plain(qtbot, window) -> None:
    cat = window.catalogue
    pub = next(p for p in cat.all(m.Publication) if read_state(cat, "publication", p.id).links["contributors"])
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    contributors = dialog.widgets["links.contributors"]
    first = contributors.list.item(0)
    role = first.data(Qt.ItemDataRole.UserRole)[0]
    contributors.toggle_role(first)
    dialog.findChild(QLineEdit, "doi").setText("https://doi.org/10.5281/zenodo.12345")
    assert dialog.save(), dialog.message.text()
    state = read_state(cat, "publication", pub.id)
    assert state.links["contributors"][0][0] == ("editor" if role == "author" else "author")
    assert state.fields["doi"] == "10.5281/zenodo.12345"


def test_undo_follows_a_contributor_deleted_and_restored(qtbot, window) -> None:
    cat = window.catalogue
    pub = next(p for p in cat.all(m.Publication) if any(
        k == "person" for _, k, _ in read_state(cat, "publication", p.id).links["contributors"]))
    before = read_state(cat, "publication", pub.id).links["contributors"]
    person_id = next(i for _, k, i in before if k == "person")
    name = cat.get(m.Person, person_id).name
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    dialog.widgets["links.contributors"].set_ids([])
    assert dialog.save()
    assert delete_records(window, "person", [person_id], confirm=False)
    window.undo_stack.undo()  # the person comes back under a new ID
    window.undo_stack.undo()  # the contributors come back, pointing at the restored person
    restored = cat.lookup(m.Person, name)[0].id
    after = read_state(cat, "publication", pub.id).links["contributors"]
    assert after == [(r, k, restored if i == person_id else i) for r, k, i in before]


def test_a_person_created_in_the_picker_is_undone_with_the_edit(qtbot, window, monkeypatch) -> None:
    cat = window.catalogue
    pub = _publication(cat)
    before = read_state(cat, "publication", pub.id).links["contributors"]
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    contributors = dialog.widgets["links.contributors"]
    contributors.picker.edit.setText("Zawadi Mukendi-Lwamba")
    contributors.picker.resolve_or_create("Zawadi Mukendi-Lwamba")
    assert dialog.save()
    assert window.undo_stack.count() == 2
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert not cat.lookup(m.Person, "Zawadi Mukendi-Lwamba")
    assert read_state(cat, "publication", pub.id).links["contributors"] == before
    window.undo_stack.redo()
    window.undo_stack.redo()
    person = cat.lookup(m.Person, "Zawadi Mukendi-Lwamba")[0]
    assert read_state(cat, "publication", pub.id).links["contributors"][-1] == ("author", "person", person.id)


def test_text_typed_in_a_list_picker_is_not_lost_on_save(qtbot, window) -> None:
    """A subject typed but never picked stops the save with a message; a typed alias is kept."""
    cat = window.catalogue
    pub = _publication(cat)
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    dialog.show()
    subjects = dialog.widgets["links.subjects"]
    subjects.picker.edit.setText("brand new subject")
    assert not dialog.save()
    assert "brand new subject" in dialog.errors["subjects"].text()
    assert window.undo_stack.count() == 0
    dialog.close()

    org = cat.all(m.Organisation)[0]
    dialog = make_editor(window, "organisation", org.id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.widgets["links.aliases"].edit.setText("Typed Alias Without Enter")
    assert dialog.save()
    assert [o.id for o in cat.lookup(m.Organisation, "typed alias without enter")] == [org.id]
