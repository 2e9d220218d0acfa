"""The record editor's Notes tab: a demo publication's notes added, edited and deleted there."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLabel

from kbase.catalogue import notes
from kbase.library import models as m
from ui.editors import make_editor
from ui.editors.notes_tab import NotePreviewDialog, NotesTab, first_line
from ui.notes_panel import Ask


@pytest.fixture
def demo_window(qtbot, demo):  # type: ignore[no-untyped-def]
    """A main window on the demo library of each backend, closed with its tasks done before the library is."""
    from ui import tasks
    from ui.app import settings
    from ui.main_window import MainWindow

    window = MainWindow(demo, settings())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.undo_stack.clear()
    window.close()
    tasks.wait_all()


def _notes_tab(dialog) -> NotesTab:  # type: ignore[no-untyped-def]
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    dialog.tabs.setCurrentIndex(titles.index("Notes"))
    tab = dialog.tabs.currentWidget()
    assert isinstance(tab, NotesTab)
    return tab


def _texts(tab: NotesTab) -> list[str]:
    return [tab.list.topLevelItem(i).text(0) for i in range(tab.list.topLevelItemCount())]


def test_notes_added_edited_and_deleted_in_the_editor(qtbot, demo_window, demo) -> None:
    window = demo_window
    pub = demo.all(m.Publication)[0]
    window.details.show_record("publication", pub.id)
    dialog = make_editor(window, "publication", pub.id)
    qtbot.addWidget(dialog)
    dialog.show()
    tab = _notes_tab(dialog)
    start = notes.notes(demo, "publication", pub.id)
    assert tab.note_ids() == [n["id"] for n in start]

    # add: the Markdown is previewed as it is typed, then saved through the catalogue
    tab.add_button.click()
    added = tab.dialog
    assert isinstance(added, NotePreviewDialog) and added.isVisible()
    added.editor.setPlainText("# Field visit\n\nSamples from **Kamituga**, see the map")
    assert "Kamituga" in added.preview.toPlainText()
    assert "font-weight" in added.preview.toHtml()  # the bold is rendered, not shown as asterisks
    added.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save).click()
    after_add = notes.notes(demo, "publication", pub.id)
    assert len(after_add) == len(start) + 1
    new = after_add[-1]
    assert new["text"] == "# Field visit\n\nSamples from **Kamituga**, see the map"
    assert tab.current_id() == new["id"]
    assert tab.list.currentItem().text(0) == "Field visit"
    assert tab.list.currentItem().text(1) == new["updated"].isoformat()[:16].replace("T", " ")
    assert "Samples from Kamituga" in window.details.toPlainText()  # the pane beside shows it too

    # edit the selected note: the box starts with its text
    edited = tab.edit()
    assert edited is not None and edited.text().startswith("# Field visit")
    edited.editor.setPlainText("Samples sent to the lab")
    assert edited.preview.toPlainText().strip() == "Samples sent to the lab"
    edited.accept()
    assert notes.get_note(demo, new["id"])["text"] == "Samples sent to the lab"
    assert tab.list.currentItem().text(0) == "Samples sent to the lab"

    # an empty note is refused with a message, the note stays as it was
    empty = tab.edit()
    empty.editor.setPlainText("   ")
    empty.accept()
    box = [b for b in tab.findChildren(Ask) if b.isVisible()][0]
    assert "needs some text" in box.label.text()
    box.accept()
    assert notes.get_note(demo, new["id"])["text"] == "Samples sent to the lab"

    # delete after confirmation
    tab.delete().ok_button.click()
    assert [n["id"] for n in notes.notes(demo, "publication", pub.id)] == [n["id"] for n in start]
    assert not any(t.startswith("Samples sent") for t in _texts(tab))
    assert "Samples sent to the lab" not in window.details.toPlainText()
    # the record's own fields were not touched: Cancel closes without a save
    dialog.reject()
    assert window.undo_stack.count() == 0


def test_new_record_says_notes_come_after_saving(qtbot, window) -> None:
    dialog = make_editor(window, "organisation", None)
    qtbot.addWidget(dialog)
    tab = _notes_tab(dialog)
    assert tab.list is None
    assert "once the record is saved" in tab.findChild(QLabel, "notes_unsaved").text()
    assert dialog.tabs.tabBar().isVisibleTo(dialog)  # a one-form editor now shows its tabs


def test_first_line_of_a_note() -> None:
    assert first_line("\n\n## Sources\nmore") == "Sources"
    assert first_line("- item one\n- item two") == "item one"
    assert first_line("x" * 100, limit=10) == "xxxxxxxxx…"
