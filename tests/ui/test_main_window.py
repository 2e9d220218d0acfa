"""The main window over the demo library: browsing, sorting, filtering, details links, layout memory."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from kbase.catalogue import query
from kbase.files import store
from kbase.library import models as m


def test_window_lists_publications_sorted_by_title(window, sqlite_demo):
    expected = query.find_ids(sqlite_demo, "publication", sort="title")
    assert window.model.ids == expected
    assert window.current_kind() == "publication"
    first = window.model.index(0, 0).data()
    assert first == sqlite_demo.get(m.Publication, expected[0]).title


def _click_link(qtbot, details, kind: str, record_id: int) -> None:
    """Click the anchor of (kind, id) in the details pane like a user would."""
    from PySide6.QtCore import QUrl

    from ui.details import link_url

    assert link_url(kind, record_id) in details.toHtml()
    details.anchorClicked.emit(QUrl(link_url(kind, record_id)))


def test_details_links_navigate_with_back_and_forward(qtbot, window, sqlite_demo):
    from kbase.catalogue import views

    pub_id = next(p.id for p in sqlite_demo.all(m.Publication)
                  if views.describe(sqlite_demo, "publication", p.id)["projects"])
    row = window.model.row_of(pub_id)
    window.table.selectRow(row)
    assert window.details.current == ("publication", pub_id)
    info = views.describe(sqlite_demo, "publication", pub_id)
    project = info["projects"][0]
    assert project["label"] in window.details.toPlainText()
    _click_link(qtbot, window.details, "project", project["id"])
    assert window.details.current == ("project", project["id"])
    assert sqlite_demo.get(m.Project, project["id"]).title in window.details.toPlainText()
    funder = views.describe(sqlite_demo, "project", project["id"])
    org = (funder["funders"] or funder["partners"])[0]
    _click_link(qtbot, window.details, "organisation", org["id"])
    assert window.details.current == ("organisation", org["id"])
    assert window.action_back.isEnabled() and not window.action_forward.isEnabled()

    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    qtbot.keyClick(window, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)  # Back
    assert window.details.current == ("project", project["id"])
    window.action_back.trigger()
    assert window.details.current == ("publication", pub_id)
    assert not window.action_back.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # Forward
    assert window.details.current == ("project", project["id"])
    # a new link after going back drops the forward history, like a browser
    window.action_back.trigger()
    region = info["regions"][0]
    _click_link(qtbot, window.details, "region", region["id"])
    assert not window.action_forward.isEnabled()


def test_details_show_attachments_with_status(qtbot, make_window, sqlite_demo, tmp_path):
    from tests.ui.conftest import import_pdfs

    atts = import_pdfs(sqlite_demo, tmp_path / "pdfs", {"notes": ["First page.", "Second page."]})
    att = sqlite_demo.get(m.Attachment, atts["notes"])
    window = make_window(sqlite_demo)
    window.details.show_record("publication", att.publication_id)
    text = window.details.toPlainText()
    assert "notes.pdf" in text and "ok · 2 pages" in text
    # the first-page picture is drawn when first shown, off the GUI thread, then appears
    assert att.has_thumbnail
    qtbot.waitUntil(lambda: "<img" in window.details.toHtml(), timeout=10000)
    assert store.thumbnail_path(sqlite_demo.library, att.sha256).exists()
    # the attachment link opens the viewer
    from PySide6.QtCore import QUrl

    window.details.anchorClicked.emit(QUrl(f"kbase:attachment/{att.id}"))
    qtbot.waitUntil(lambda: window.viewers and window.viewers[0].document.pageCount() == 2, timeout=20000)


def test_navigator_narrows_the_table_through_the_core(qtbot, window, sqlite_demo):
    from ui.navigator import ROLE_TARGET

    nav = window.navigator
    qtbot.waitUntil(lambda: nav.loaded, timeout=20000)
    subjects = next(nav.model_.item(r) for r in range(nav.model_.rowCount())
                    if nav.model_.item(r).data(ROLE_TARGET)[0] == ("group", "subject"))
    item = subjects.child(0)
    target = item.data(ROLE_TARGET)[1]
    nav.setExpanded(subjects.index(), True)
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualRect(item.index()).center())
    expected = query.find_ids(sqlite_demo, "publication", target.filter, sort="title")
    assert window.model.ids == expected
    assert window.count_label.text().startswith(str(len(expected)))
    # the kind entries switch the table
    people = next(nav.model_.item(r) for r in range(nav.model_.rowCount())
                  if nav.model_.item(r).data(ROLE_TARGET)[0] == ("kind", "person"))
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualRect(people.index()).center())
    assert window.current_kind() == "person"
    assert window.model.rowCount() == query.count(sqlite_demo, "person")


def test_quick_filter_and_multi_select(qtbot, window, sqlite_demo):
    qtbot.keyClicks(window.filter_field, "diamond")
    expected = query.find_ids(sqlite_demo, "publication", query.Filter(text="diamond"), sort="title")
    qtbot.waitUntil(lambda: window.model.ids == expected)
    window.table.selectAll()
    assert window.selected_ids() == expected
    assert str(len(expected)) + " selected" in window.count_label.text()


def test_columns_sort_and_layout_are_remembered(qtbot, make_window, sqlite_demo):
    first = make_window(sqlite_demo)
    header = first.table.horizontalHeader()
    keys = [c.key for c in first.model.columns]
    date_col, series_col, id_col = keys.index("date"), keys.index("series"), keys.index("id")
    # the column chooser hides Series and shows ID
    menu = first.column_menu()
    actions = {a.text(): a for a in menu.actions()}
    actions["Series"].trigger()
    actions["ID"].trigger()
    assert header.isSectionHidden(series_col) and not header.isSectionHidden(id_col)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=header.rect().center().__class__(header.sectionViewportPosition(date_col) + 10, 5))
    assert first.model.sort_column == date_col
    clicked_order = first.model.sort_order
    assert first.model.ids == query.find_ids(sqlite_demo, "publication", sort="year",
                                             descending=clicked_order == Qt.SortOrder.DescendingOrder)
    first.splitter.setSizes([300, 500, 300])
    sizes = first.splitter.sizes()
    first.search_panel.splitter.setSizes([400, 300])
    search_state = first.search_panel.splitter.saveState()
    first.close()

    second = make_window(sqlite_demo)
    header2 = second.table.horizontalHeader()
    assert header2.isSectionHidden(series_col) and not header2.isSectionHidden(id_col)
    assert (second.model.sort_column, second.model.sort_order) == (date_col, clicked_order)
    assert second.model.ids == first.model.ids
    # the side panes keep their widths (the middle one takes what the restored window width leaves)
    assert [second.splitter.sizes()[i] for i in (0, 2)] == [sizes[0], sizes[2]]
    assert second.search_panel.splitter.saveState() == search_state  # the facets' width too
    assert not second.settings.value("window/geometry").isEmpty()


def test_unsortable_column_keeps_the_order(qtbot, window):
    header = window.table.horizontalHeader()
    authors = [c.key for c in window.model.columns].index("authors")
    before = list(window.model.ids)
    header.setSortIndicator(authors, Qt.SortOrder.DescendingOrder)
    assert window.model.ids == before
    assert header.sortIndicatorSection() == window.model.sort_column == 0


def _drop(window, paths) -> object:
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(QPoint(200, 200).toPointF(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    return event


def test_dropping_a_folder_imports_it_and_lists_the_damaged_file(qtbot, window, sqlite_demo, tmp_path):
    from PySide6.QtWidgets import QApplication

    from tests.pdfs import english_pdf, truncated_pdf
    from ui.dialogs.import_dialog import ImportDialog

    folder = tmp_path / "incoming"
    english_pdf(folder / "good.pdf")
    truncated_pdf(folder / "broken.pdf")
    (tmp_path / "notes.txt").write_text("not importable")
    before = query.count(sqlite_demo, "publication")

    refused = _drop(window, [tmp_path / "notes.txt"])
    assert not refused.isAccepted()
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog)]

    event = _drop(window, [folder])
    assert event.isAccepted()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ImportDialog) and w.isVisible())
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=60000)
    by_name = {Path(f.path).name: f for f in dialog.report.files}
    assert by_name["good.pdf"].status == "ok"
    assert by_name["broken.pdf"].status == "damaged"
    assert query.count(sqlite_demo, "publication") == before + 1
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 1, timeout=5000)  # the table refreshed itself
    dialog.close()


def test_details_name_people_by_name_not_position(qtbot, window, sqlite_demo):
    people = {p.id: p for p in sqlite_demo.all(m.Person) if p.title and p.title != p.name}
    contributor = next(c for c in sqlite_demo.all(m.Contributor) if c.person_id in people)
    person, pub_id = people[contributor.person_id], contributor.publication_id
    window.details.show_record("publication", pub_id)
    assert person.name in window.details.toPlainText()
    window.details.show_record("person", person.id)
    text = window.details.toPlainText()
    assert person.name in text and "Position" in text and person.title in text


def test_an_empty_list_leaves_no_stale_record_in_the_details(qtbot, window, sqlite_demo):
    from kbase.catalogue.query import Filter
    from ui.navigator import Target

    pub = sqlite_demo.all(m.Publication)[0]
    window.details.show_record("publication", pub.id)
    assert pub.title in window.details.toPlainText()
    window.show_target(Target("publication", Filter(text="zzzz-no-such-title")))
    assert window.model.rowCount() == 0
    assert pub.title not in window.details.toPlainText()
