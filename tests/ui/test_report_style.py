"""The report dialog offers the citation styles and builds the report in the chosen one."""

from __future__ import annotations

import re

from kbase.catalogue.records import Catalogue
from ui.dialogs.report_dialog import build, open_report_dialog


def test_the_report_dialog_builds_in_the_chosen_style(make_window, sqlite_demo: Catalogue) -> None:
    window = make_window(sqlite_demo)
    dialog = open_report_dialog(window, "annual")
    try:
        styles = [dialog.style.itemData(i) for i in range(dialog.style.count())]
        assert styles == ["house", "apa", "chicago-author-date", "harvard", "iso690"]
        assert dialog.params()["style"] == "house"
        dialog.style.setCurrentIndex(dialog.style.findData("apa"))
        params = dict(dialog.params(), fmt="md", sections=["index"])
        assert params["style"] == "apa"
        md, _warnings = build(sqlite_demo.library, params)
        assert re.search(r"\(2021\)\. \*Misisi gold", md)  # APA: Author. (Year). *Title*
    finally:
        dialog.close()


def test_the_style_names_in_french(make_window, sqlite_demo: Catalogue) -> None:
    from ui import i18n

    i18n.set_language("fr")
    window = make_window(sqlite_demo)
    dialog = open_report_dialog(window, "annual")
    try:
        assert dialog.style.itemText(0) == "Style maison"
        assert dialog.style.itemText(dialog.style.findData("chicago-author-date")) == "Chicago (auteur-date)"
    finally:
        dialog.close()
