"""Report, settings, shortcuts, batch edit and merge dialogs on real widgets over the demo library."""

from __future__ import annotations

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QMessageBox

from kbase.catalogue.batch import apply_batch, revert_batch
from kbase.catalogue.editing import read_state
from kbase.errors import NotFound
from kbase.library import models as m
from ui import i18n
from ui.dialogs.batch_edit import BatchEditDialog
from ui.dialogs.merge import MergeDialog
from ui.dialogs.report_dialog import ReportDialog, open_report_dialog
from ui.dialogs.settings import SettingsDialog
from ui.dialogs.shortcuts import ShortcutsDialog, shortcut_rows


def _build(qtbot, dialog: ReportDialog, fmt: str) -> None:
    dialog.format.setCurrentIndex(dialog.format.findData(fmt))
    dialog.output = None
    dialog.preview()
    qtbot.waitUntil(lambda: dialog.output is not None, timeout=120000)


def test_report_preview_html_then_pdf_then_save(qtbot, window, tmp_path) -> None:
    dialog = open_report_dialog(window, "annual")
    qtbot.addWidget(dialog)
    dialog.year.setValue(2021)
    for sid, box in dialog.sections.items():
        box.setChecked(sid in ("programmes", "assignments"))
    _build(qtbot, dialog, "html")
    assert dialog.preview_stack.currentWidget() is dialog.browser
    text = dialog.browser.toPlainText()
    assert "Research programmes" in text and "Assignments 2019 – 2021" in text
    assert "Team" not in text.split("Assignments")[0]

    _build(qtbot, dialog, "pdf")
    assert dialog.preview_stack.currentWidget() is dialog.pdf_view
    qtbot.waitUntil(lambda: dialog.pdf.status() == QPdfDocument.Status.Ready, timeout=10000)
    assert dialog.pdf.pageCount() >= 1

    saved = dialog._write(str(tmp_path / "annual.pdf"))
    assert saved is not None and saved.read_bytes().startswith(b"%PDF")
    dialog.close()


def test_report_needs_a_section(qtbot, window) -> None:
    dialog = ReportDialog(window, "annual")
    qtbot.addWidget(dialog)
    for box in dialog.sections.values():
        box.setChecked(False)
    dialog.preview()
    assert dialog.task is None and "section" in dialog.status.text()


def test_bibliography_of_the_selection(qtbot, window) -> None:
    cat = window.catalogue
    pubs = [p for p in cat.all(m.Publication) if p.visibility == "public"][:3]
    window._select_ids([p.id for p in pubs])
    assert sorted(window.selected_ids()) == sorted(p.id for p in pubs)
    dialog = open_report_dialog(window)
    qtbot.addWidget(dialog)
    assert dialog.kind.currentData() == "bibliography"
    _build(qtbot, dialog, "html")
    text = dialog.browser.toPlainText()
    for p in pubs:
        assert p.title[:30] in text
    dialog.close()


def test_switching_to_french_changes_the_visible_strings(qtbot, window, monkeypatch) -> None:
    english = window.action_import.text()
    dialog = SettingsDialog(window)
    qtbot.addWidget(dialog)
    dialog.language.setCurrentIndex(dialog.language.findData("fr"))
    dialog.max_mb.setValue(12)
    assert dialog.save()
    assert i18n.language() == "fr"
    assert window.action_import.text() != english
    assert window.settings.value("ui/language") == "fr"
    assert window.catalogue.get_setting("import.max_bytes") == str(12 * 1024 * 1024)
    from kbase.imports.pipeline import max_bytes_for

    assert max_bytes_for(window.catalogue) == 12 * 1024 * 1024
    again = SettingsDialog(window)
    qtbot.addWidget(again)
    assert again.windowTitle() == i18n.tr("Settings") != "Settings"
    assert again.max_mb.value() == 12


def test_settings_test_button_reports_a_missing_library(qtbot, window, tmp_path) -> None:
    dialog = SettingsDialog(window)
    qtbot.addWidget(dialog)
    dialog.location.setText(str(tmp_path / "nowhere"))
    task = dialog.test_location()
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert "Cannot open" in dialog.location_status.text()
    dialog.location.setText("mysql://somewhere/db")
    assert dialog.problems()


def test_shortcuts_dialog_lists_the_common_actions(qtbot, window) -> None:
    rows = dict(shortcut_rows(window))
    keys = " ".join(rows.values())
    for key in ("Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+F", "Ctrl+N", "Ctrl+E", "Ctrl+I", "Alt+Left"):
        assert key in keys, key
    dialog = ShortcutsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == len(rows)
    dialog.filter.setText("Ctrl+Z")
    visible = [r for r in range(dialog.table.rowCount()) if not dialog.table.isRowHidden(r)]
    assert 1 <= len(visible) < len(rows)


def test_batch_edit_sets_and_undoes(qtbot, window) -> None:
    cat = window.catalogue
    pubs = [p.id for p in cat.all(m.Publication)[:4]]
    before = {pid: read_state(cat, "publication", pid) for pid in pubs}
    project = cat.all(m.Project)[0]
    dialog = BatchEditDialog(window, pubs)
    qtbot.addWidget(dialog)
    dialog.enabled["visibility"].setChecked(True)
    dialog.visibility.setCurrentIndex(dialog.visibility.findData("confidential"))
    dialog.enabled["project"].setChecked(True)
    dialog.pickers["project"].set_value(project.id)
    dialog.pickers["project"]._id = project.id
    assert dialog.apply()
    for pid in pubs:
        state = read_state(cat, "publication", pid)
        assert state.fields["visibility"] == "confidential"
        assert project.id in state.links["projects"]
    window.undo_stack.undo()
    for pid in pubs:
        state = read_state(cat, "publication", pid)
        assert state.fields["visibility"] == before[pid].fields["visibility"]
        assert state.links["projects"] == before[pid].links["projects"]


def test_batch_functions_remove_links_and_revert_exactly(demo) -> None:
    cat = demo
    linked = [p for p in cat.all(m.Publication) if read_state(cat, "publication", p.id).links["regions"]][:5]
    region = read_state(cat, "publication", linked[0].id).links["regions"][0]
    ids = [p.id for p in linked]
    before = {pid: read_state(cat, "publication", pid).links["regions"] for pid in ids}
    old, added, removed = apply_batch(cat, ids, {"series_id": None}, {}, {"region": [region]})
    assert all(region not in read_state(cat, "publication", pid).links["regions"] for pid in ids)
    assert (("region", linked[0].id, region)) in removed and not added
    changes = []
    cat.listeners.append(lambda kind, rid, op: changes.append((kind, rid)))
    revert_batch(cat, old, added, removed)
    assert {pid: read_state(cat, "publication", pid).links["regions"] for pid in ids} == before
    touched = set(old) | {pid for _, pid, _ in removed}
    assert sorted(rid for _, rid in changes) == sorted(touched)  # listeners hear of each changed one once


def test_merge_two_organisations_keeps_the_chosen_one(qtbot, window, monkeypatch) -> None:
    cat = window.catalogue
    keep = cat.add(m.Organisation, name="Field Research Network", acronym="FRN")
    lose = cat.add(m.Organisation, name="Field Research Netwrk", country="Belgium")
    project = cat.all(m.Project)[0]
    cat.link(m.ProjectOrganisation, project_id=project.id, organisation_id=lose.id, role="funder")
    dialog = MergeDialog(window, "organisation", [lose.id, keep.id])
    qtbot.addWidget(dialog)
    assert dialog.table.columnCount() == 2
    dialog.set_survivor(keep.id)
    assert dialog.merge(confirm=False)
    merged = cat.get(m.Organisation, keep.id)
    assert merged.country == "Belgium"
    assert [o.id for o in cat.lookup(m.Organisation, "Field Research Netwrk")] == [keep.id]
    assert keep.id in read_state(cat, "project", project.id).links["funders"]
    with pytest.raises(NotFound):
        cat.get(m.Organisation, lose.id)


def test_merge_offers_probable_duplicates(qtbot, window) -> None:
    cat = window.catalogue
    a = cat.add(m.Person, name="Hans Merket")
    b = cat.add(m.Person, name="H. Merket")
    dialog = MergeDialog(window, "person", [a.id])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.task is not None and dialog.task.done, timeout=30000)
    pairs = [dialog.candidates.item(i).data(0x0100) for i in range(dialog.candidates.count())]
    assert any(set(p) == {a.id, b.id} for p in pairs), dialog.candidates_label.text()
    row = next(i for i, p in enumerate(pairs) if set(p) == {a.id, b.id})
    dialog.candidates.setCurrentRow(row)
    assert sorted(dialog.ids) == sorted([a.id, b.id]) and dialog.merge_button.isEnabled()


def test_hooks_find_every_dialog(window) -> None:
    from ui import hooks

    for name in hooks.HOOKS:
        assert hooks.find(name) is not None, name
    assert QMessageBox  # the dialogs above never needed a modal box


def test_merge_action_works_from_one_selected_record(qtbot, window) -> None:
    """One record selected: Merge opens on it and looks for its probable duplicates."""
    from PySide6.QtWidgets import QApplication

    from ui.navigator import Target

    window.show_target(Target("person"))
    person = window.catalogue.all(m.Person)[0]
    window.table.select_ids([person.id])
    qtbot.waitUntil(lambda: window.selected_ids() == [person.id], timeout=5000)
    assert window.action_merge.isEnabled()
    window.action_merge.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MergeDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.task is not None and dialog.task.done, timeout=30000)
    assert dialog.ids[:1] == [person.id]
    dialog.close()
