"""The History tab beside the details pane: who changed which fields, and Restore this version."""

from __future__ import annotations

from kbase.library import models as m
from ui.history_panel import DetailsTabs


def test_history_tab_shows_changes_and_restores_a_version(qtbot, window) -> None:
    cat = window.catalogue
    old_title = "Gold in Ituri"
    pid = cat.add(m.Publication, title=old_title, type="report", year=2021).id
    version = 1
    cat.update(m.Publication, pid, expected_version=version, title="Gold and armed groups in Ituri")
    window.details.show_record("publication", pid)
    tabs = window.findChild(DetailsTabs)
    panel = tabs.history_panel
    tabs.setCurrentWidget(panel)
    assert panel.current == ("publication", pid)
    newest = panel.tree.topLevelItem(0)
    assert newest.text(2).startswith("changed") and f"version {version + 1}" in newest.text(2)
    fields = [newest.child(i).text(2) for i in range(newest.childCount())]
    assert fields == [f"Title: {old_title} → Gold and armed groups in Ituri"]
    assert not panel.restore_button.isEnabled()  # the version shown now

    panel.tree.setCurrentItem(panel.tree.topLevelItem(1))
    assert panel.restore_button.isEnabled()
    # someone saves after the list was read: the restore is refused, nothing lost
    cat.update(m.Publication, pid, expected_version=version + 1, abstract="Seen by another desktop.")
    panel.shown_version = version + 1
    panel.restore_button.click()
    assert "in the meantime" in panel.message.text()
    assert cat.get(m.Publication, pid).abstract == "Seen by another desktop."

    created = panel.tree.topLevelItem(panel.tree.topLevelItemCount() - 1)
    assert created.text(2) == "new record · version 1"
    panel.tree.setCurrentItem(created.child(0))  # a field row selects its change
    assert panel.selected_version() == 1
    panel.restore_button.click()
    assert "Restored the fields of version" in panel.message.text()
    pub = cat.get(m.Publication, pid)
    assert pub.title == old_title and pub.abstract is None and pub.version == version + 3
    assert panel.tree.topLevelItem(0).text(2) == f"changed · version {version + 3}"
    assert panel.tree.topLevelItemCount() == 4
