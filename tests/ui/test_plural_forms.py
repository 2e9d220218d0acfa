"""Counts in the interface take their language's plural forms (English: 1 is singular; French: 0 and 1 are),
never a "(s)" that leaves the reader to choose."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Iterator

import pytest

from ui import i18n
from ui.dialogs.import_history import confirm_text, deleted_text, undo_summary
from ui.dialogs.import_results import summary_text


@pytest.fixture
def french() -> Iterator[None]:
    i18n.set_language("fr")
    try:
        yield
    finally:
        i18n.set_language("en")


def _batch(created: int, changed: int = 0) -> dict:
    return {"id": 4, "started": None, "publications_created": created, "publications_changed": changed,
            "status": "done"}


def _report(imported: int, pages: int, cancelled: int = 0) -> SimpleNamespace:
    return SimpleNamespace(files=[], imported=imported, pages=pages, elapsed=0.5, counts={"cancelled": cancelled},
                           index_message=None)


UNDONE = {"batch": 4, "deleted": {"publications": 1, "people": 0, "series": 2}, "reverted": 1, "unlinked": 2,
          "files_removed": 1}


def test_english_says_one_in_the_singular() -> None:
    assert "1 publication it created will be removed, with its files" in confirm_text(_batch(1))
    assert "0 publications it created will be removed, with their files" in confirm_text(_batch(0))
    assert "2 existing publications it updated will be put back as they were." in confirm_text(_batch(3, 2))
    assert summary_text(_report(1, 1, cancelled=2)).startswith("1 file imported (1 page), 0 need attention, in ")
    assert "2 not imported (cancelled)." in summary_text(_report(1, 1, cancelled=2))
    said = undo_summary(UNDONE)
    assert "Removed: 1 publication, 2 series." in said and "1 existing record put back as it was." in said
    assert "2 links removed." in said and "1 stored file removed." in said


def test_french_says_zero_and_one_in_the_singular(french: None) -> None:
    assert "0 publication qu’il a créée sera retirée, avec ses fichiers" in confirm_text(_batch(0))
    assert "Les 3 publications qu’il a créées seront retirées, avec leurs fichiers" in confirm_text(_batch(3))
    assert deleted_text("people", 1) == "1 personne" and deleted_text("people", 2) == "2 personnes"
    summary = summary_text(_report(1, 0))
    assert summary.startswith("1 fichier importé (0 page), 0 à vérifier, en ")
    assert summary_text(_report(2, 5)).startswith("2 fichiers importés (5 pages), 0 à vérifier, en ")
    said = undo_summary(UNDONE)
    assert "1 fiche existante rétablie telle qu’elle était." in said and "2 liens retirés." in said
    assert "1 fichier stocké retiré." in said and "2 séries" in said
    for text in (confirm_text(_batch(1, 1)), summary_text(_report(1, 1, cancelled=1)), said):
        assert "(s)" not in text, text
