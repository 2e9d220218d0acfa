"""Switching the interface to French changes the visible strings at once; every tr() string has a translation."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QLabel, QLineEdit, QMenu

from kbase import i18n as core_i18n
from kbase.library import models as m
from ui import i18n

UI = Path(__file__).resolve().parents[2] / "ui"


def _visible_strings(window) -> set[str]:
    out: set[str] = set()
    for action in window.findChildren(type(window.action_import)):
        if action.text():
            out.add(action.text())
    for menu in window.findChildren(QMenu):
        out.add(menu.title())
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text():
            out.add(label.text())
    for edit in window.findChildren(QLineEdit):
        if edit.placeholderText():
            out.add(edit.placeholderText())
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.text():
            out.add(button.text())
    model = window.table.model()
    out.update(model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount()))
    nav = window.navigator.model_
    out.update(nav.item(r).text().rsplit("  (", 1)[0] for r in range(nav.rowCount()))
    out.add(window.tabs.tabText(0))
    out.add(window.count_label.text())
    return {s for s in out if s}


def test_switching_to_french_changes_the_visible_strings(qtbot, window):
    window.navigator.select_kind("person")
    from ui.navigator import Target

    window.show_target(Target("person"))
    english = _visible_strings(window)
    assert {"&File", "&Import…", "People", "Name", "Role"} <= english
    assert window.action_import.text() == "&Import…"

    i18n.set_language("fr")
    french = _visible_strings(window)
    catalogue = i18n.load_catalogue("fr")
    assert {"&Fichier", "&Importer…", "Personnes", "Nom", "Rôle", "Bibliothèque"} <= french
    # no English string that has a different French translation is left on screen
    left = {s for s in french if s in catalogue and catalogue[s] != s}
    assert not left, left
    assert window.search_field.placeholderText().startswith("Rechercher")
    assert window.count_label.text().endswith("personnes")
    # the details pane follows too
    pub = sqlite_demo_pub(window)
    window.details.show_record("publication", pub.id)
    assert "Publication" in window.details.toPlainText()
    assert "Contributeurs" in window.details.toPlainText() or "Projets" in window.details.toPlainText()

    i18n.set_language("en")
    assert window.action_import.text() == "&Import…"
    assert window.menu_file.title() == "&File"
    assert "Contributors" in window.details.toPlainText() or "Projects" in window.details.toPlainText()


def sqlite_demo_pub(window) -> m.Publication:
    return next(p for p in window.catalogue.all(m.Publication) if p.series_id)


def test_qt_standard_buttons_follow_the_language(qtbot):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    i18n.set_language("fr")
    fresh = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(fresh)
    assert fresh.button(QDialogButtonBox.StandardButton.Cancel).text() == "Annuler"


def _tr_literals() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, []).append(f"{path.relative_to(UI.parent)}:{node.lineno}")
    return found


def test_every_interface_string_has_a_french_translation():
    from ui import details, navigator, search_models, table_model, window_actions
    from ui.dialogs import import_history, import_review

    catalogue = i18n.load_catalogue("fr")
    wanted = dict(_tr_literals())
    tables = ([a[1] for a in window_actions.ACTIONS] + [a[4] for a in window_actions.ACTIONS if a[4]]
              + [c.title for cols in table_model.COLUMNS.values() for c in cols]
              + list(details.LABELS.values()) + list(details.KIND_TITLES.values())
              + list(search_models.FACET_TITLES.values()) + [t for _k, t in navigator.KINDS]
              + [g[1] for g in navigator.GROUPS]
              + [t for pair in import_review._CHOICE_LABELS.values() for t in pair] + [r[1] for r in import_review.ROWS]
              + list(import_history.ImportHistoryModel.HEADERS) + list(import_history._STATUS.values())
              + list(m.PUBLICATION_TYPES + m.VISIBILITIES + m.ORG_KINDS + m.ORG_PART_KINDS + m.PERSON_ROLES
                     + m.REGION_LEVELS + m.EVENT_KINDS + m.ATTACHMENT_STATUSES))
    for text in tables:
        wanted.setdefault(text, ["(table)"])
    missing = {text: where for text, where in wanted.items() if text not in catalogue}
    assert not missing, "no French for: " + "; ".join(f"{t!r} ({w[0]})" for t, w in sorted(missing.items()))


def test_placeholders_survive_translation():
    import string

    catalogue = i18n.load_catalogue("fr")
    def fields(s: str) -> list[str]:
        try:
            return sorted(f for _, f, _, _ in string.Formatter().parse(s) if f)
        except ValueError:  # a message that is no template and shows a brace ("a `}` closes nothing")
            return ["(not a template)"]

    wrong = {en: fr for en, fr in catalogue.items() if fields(en) != fields(fr)}
    assert not wrong


def test_details_name_regions_in_french_in_the_french_interface(qtbot, window):
    from kbase.catalogue.records import Catalogue

    cat: Catalogue = window.catalogue
    drc = next(r for r in cat.all(m.Region) if r.name == "Democratic Republic of the Congo")
    window.details.show_record("region", drc.id)
    i18n.set_language("fr")
    assert "République démocratique du Congo" in window.details.toPlainText()
    south_kivu = next(r for r in cat.all(m.Region) if r.name == "South Kivu")
    window.details.show_record("region", south_kivu.id)  # its parent, a link
    assert "République démocratique du Congo" in window.details.toPlainText()
    i18n.set_language("en")
    assert "République démocratique du Congo" not in window.details.toPlainText()


def test_region_facets_use_french_names_in_the_french_interface(qtbot, window):
    from tests.ui.test_search_ui import _search

    i18n.set_language("fr")
    _search(qtbot, window, "cobalt")
    facets = window.search_panel.facets
    regions = next(values for name, values in facets.groups if name == "region")
    labels = {label for _v, label, _n in regions}
    assert "République démocratique du Congo" in labels and "Democratic Republic of the Congo" not in labels


def test_core_messages_are_said_in_french(qtbot, tmp_path) -> None:
    """Query errors and import statuses come from the core in English; the French interface says them in French."""
    import pytest as _pytest

    from kbase.catalogue.records import Catalogue
    from kbase.errors import QueryError
    from kbase.imports.pipeline import import_paths
    from kbase.library.db import open_library
    from kbase.search.api import search
    from tests import pdfs
    from ui.i18n import tr_message

    cat = Catalogue(open_library(str(tmp_path / "lib"), create=True))
    pdfs.batch(tmp_path / "in")  # good, scanned, encrypted, damaged, not a PDF, empty…
    report = import_paths(cat, [tmp_path / "in"], workers=1)
    messages = [f.message for f in report.files if f.message]
    assert len({f.status for f in report.files}) >= 6
    for query in ['"open', "(a", "cobalt AND", "NOT", "title:", "colour:red", "co*", "ab~", "type:novel", "year:soon"]:
        with _pytest.raises(QueryError) as caught:
            search(cat, query)
        messages.append(str(caught.value))
    i18n.set_language("fr")
    untranslated = [text for text in messages if not core_i18n.known(text)]  # "3 pages" reads the same
    assert not untranslated, untranslated
    assert tr_message("empty file (0 bytes); not imported") == "fichier vide (0 octet) ; non importé"
    i18n.set_language("en")
    assert tr_message("empty file (0 bytes); not imported") == "empty file (0 bytes); not imported"


def test_report_warnings_in_french() -> None:
    from ui.dialogs.report_dialog import _warning_text

    warning = "project 5 “Okapi and Itombwe: human activity”: no project page, no funder (Supported by)"
    assert _warning_text(warning) == warning  # English as the core wrote it
    i18n.set_language("fr")
    assert _warning_text(warning) == ("projet 5 « Okapi and Itombwe: human activity » : pas de page de projet, "
                                      "pas de bailleur (Soutenu par)")
    assert _warning_text("project 10 “Evaluating”: no client for 2020").endswith(": pas de client pour 2020")


def test_region_pickers_read_in_french(window) -> None:
    from ui.editors.pickers import label_of

    cat = window.catalogue
    fizi = next(r for r in cat.all(m.Region) if r.name == "Fizi")
    assert label_of(cat, "region", fizi.id) == "Fizi (South Kivu, Democratic Republic of the Congo)"
    i18n.set_language("fr")
    assert label_of(cat, "region", fizi.id) == "Fizi (Sud-Kivu, République démocratique du Congo)"
