"""The report texts dialog (Markdown with a live preview, stored per year and language) and the
report dialog's language choice, on real widgets over the demo library."""

from __future__ import annotations

from kbase.report.texts import get_text, set_text
from ui import i18n
from ui.dialogs.report_dialog import open_report_dialog
from ui.dialogs.report_texts import ReportTextsDialog


def _keys(dialog: ReportTextsDialog) -> list[str]:
    return [dialog.keys.item(i).data(0x0100) for i in range(dialog.keys.count())]


def test_texts_are_written_previewed_and_stored(qtbot, window) -> None:
    cat = window.catalogue
    set_text(cat, "annual", 2019, "preface", "fr", "Une année de terrain.")
    dialog = ReportTextsDialog(cat, 2019, "en")  # the demo's own texts are for 2021
    qtbot.addWidget(dialog)
    dialog.show()
    keys = _keys(dialog)
    assert keys[:3] == ["chair", "preface", "mission"]
    assert any(k.startswith("programme-") for k in keys) and any(k.startswith("project-") for k in keys)
    dialog.select("chair")
    dialog.editor.setPlainText("The Board met **four** times.\n\n<script>alert(1)</script>")
    qtbot.waitUntil(lambda: "four" in dialog.preview.toPlainText(), timeout=3000)
    assert "<script>" in dialog.preview.toPlainText()  # shown as text, never run as markup
    assert "four" in dialog.preview.toHtml() and "font-weight" in dialog.preview.toHtml()  # bold
    dialog.select("preface")  # moving on stores the chair's word
    assert get_text(cat, "annual", 2019, "chair", "en").startswith("The Board met **four** times.")
    assert dialog.keys.item(0).text().startswith("✓")
    assert dialog.editor.toPlainText() == ""  # no English preface yet
    dialog.lang.setCurrentIndex(dialog.lang.findData("fr"))
    assert dialog.editor.toPlainText() == "Une année de terrain."
    dialog.editor.setPlainText("Une année charnière.")
    dialog.close()  # closing stores too
    assert get_text(cat, "annual", 2019, "preface", "fr") == "Une année charnière."


def test_report_dialog_builds_in_the_chosen_language_and_opens_the_texts(qtbot, window) -> None:
    dialog = open_report_dialog(window, "annual")
    qtbot.addWidget(dialog)
    dialog.year.setValue(2021)
    for sid, box in dialog.sections.items():
        box.setChecked(sid in ("programmes", "contact"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("fr"))
    dialog.format.setCurrentIndex(dialog.format.findData("html"))
    dialog.preview()
    qtbot.waitUntil(lambda: dialog.output is not None, timeout=120000)
    text = dialog.browser.toPlainText()
    assert "Programmes de recherche" in text and "Rapport annuel 2021" in text
    assert dialog.suggested_name(dialog.output_params) == "annual-report-2021-fr.html"
    texts = dialog.edit_texts()
    qtbot.addWidget(texts)
    assert texts.year.value() == 2021 and texts.lang.currentData() == "fr"
    texts.close()
    dialog.close()


def test_texts_dialog_in_french(qtbot, window) -> None:
    i18n.set_language("fr")
    dialog = ReportTextsDialog(window.catalogue, 2021)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Textes du rapport"
    assert dialog.lang.currentData() == "fr"
    labels = [dialog.keys.item(i).text().strip(" ✓") for i in range(3)]
    assert labels == ["Le mot du président", "Préface", "Mission"]
    assert any(dialog.keys.item(i).text().strip(" ✓").startswith("Projet : ") for i in range(dialog.keys.count()))
    dialog.close()


def test_missing_text_warnings_in_french() -> None:
    from ui.dialogs.report_dialog import _warning_text

    i18n.set_language("fr")
    assert _warning_text("report text “chair”: none for 2019 (kbase text set annual 2019 chair --lang fr FILE.md)") \
        == "texte du rapport « chair » : aucun pour 2019"
    assert _warning_text("report text “mission”: no French text for 2021, the English text is used") \
        == "texte du rapport « mission » : repris d'une autre langue ou d'une autre année"
