"""The details pane says what an import kept by name, in the interface's language, and hides its bookkeeping."""

from __future__ import annotations

import json

from kbase.library import models as m

EXTRA = {"imported_from": "misisi-gold.pdf", "title_from": "file name", "ris_type": "RPRT", "ris_id": "17",
         "fields": {"volume": "3", "issn": "2033-3439"}}


def test_details_show_useful_import_fields_and_hide_internal_keys(window, qtbot):
    from ui import i18n

    pub = window.catalogue.add(m.Publication, title="Misisi gold", type="report", year=2021,
                               extra=json.dumps(EXTRA))
    window.details.show_record("publication", pub.id)
    text = window.details.toPlainText()
    assert "Imported from\tmisisi-gold.pdf" in text or "Imported from misisi-gold.pdf" in text.replace("\n", " ")
    assert "Volume" in text and "ISSN" in text and "2033-3439" in text
    for internal in ("imported_from", "title_from", "Title from", "file name", "ris_type", "RPRT", "Ris id",
                     "Other fields", "False"):
        assert internal not in text, internal
    i18n.set_language("fr")
    french = window.details.toPlainText()
    assert "Importé de" in french and "Imported from" not in french
