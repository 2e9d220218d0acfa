"""No count leaves its plural to the reader with a "(s)": every message that says a count has a singular and a
plural form in each language (French: 0 and 1 are singular), and the catalogs never bring one back."""

from __future__ import annotations

import re
from typing import Iterator

import pytest
from babel.messages.pofile import read_po

from kbase import i18n
from kbase.i18n import catalog_path, translate
from kbase.imports.zotero import _SAID, ZoteroReport
from kbase.ocr.queue import ocr_message

# a word with its plural (or its feminine plural) in brackets: "page(s)", "classé(s)", "ajouté(e)s", "box(es)",
# "bon(ne)s"; never an address's "http(s)://", nor a feminine alone ("connu(e)"), which says no count
PARENTHESISED = re.compile(r"[^\W\d_](?<!http)\((?:s|x|es|aux)\)|[^\W\d_]\((?:e|le|ne)\)s")


@pytest.fixture
def french() -> Iterator[None]:
    i18n.set_language("fr")
    try:
        yield
    finally:
        i18n.set_language("en")


def test_the_guard_knows_a_parenthesised_plural_when_it_sees_one() -> None:
    for said in ("2 page(s) missing", "{blank} blanche(s)", "ajouté(e)s", "classé(s)", "box(es)", "bon(ne)s"):
        assert PARENTHESISED.search(said), said
    for said in ("an http(s):// address", "une adresse http(s)://", "{record} connu(e)", "(s)", "2 pages (1 blank)"):
        assert not PARENTHESISED.search(said), said


def test_no_message_of_the_catalogs_says_a_plural_in_brackets() -> None:
    """Each msgid, msgid_plural and msgstr of every kbase.po: a count takes ngettext's forms instead."""
    for lang in i18n.LANGUAGES:
        if lang == "en":
            continue
        with catalog_path(lang).open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        found = []
        for entry in catalog:
            if not entry.id:
                continue
            ids = entry.id if isinstance(entry.id, (tuple, list)) else (entry.id,)
            strings = entry.string if isinstance(entry.string, (tuple, list)) else (entry.string,)
            found += [text for text in (*ids, *strings) if text and PARENTHESISED.search(text)]
        assert found == [], f"{lang}: a count's plural in brackets: {found}"


# -- OCR ---------------------------------------------------------------------------------------------------------------
def test_ocr_blank_pages_take_their_own_count_in_english() -> None:
    assert ocr_message(3, 1, "eng") == "text from OCR: 3 pages read in English, 1 blank"
    assert ocr_message(1, 2, "fra") == "text from OCR: 1 page read in French, 2 blank"
    assert ocr_message(2, 2, "eng+fra") == "text from OCR: 2 pages read in English and French, 2 blank"
    assert ocr_message(1, 0, "eng") == "text from OCR: 1 page read in English"


def test_ocr_blank_pages_take_their_own_count_in_french(french: None) -> None:
    """The message is stored in English and read back in the reader's language: each count its own form."""
    assert translate(ocr_message(3, 1, "eng")) == "texte issu de l’OCR : 3 pages lues en anglais, 1 blanche"
    assert translate(ocr_message(1, 2, "fra")) == "texte issu de l’OCR : 1 page lue en français, 2 blanches"
    assert translate(ocr_message(2, 1, "eng+fra")) == ("texte issu de l’OCR : 2 pages lues en anglais et en français, "
                                                      "1 blanche")
    assert translate(ocr_message(1, 3, "eng+fra")) == ("texte issu de l’OCR : 1 page lue en anglais et en français, "
                                                      "3 blanches")
    assert translate(ocr_message(0, 1, "eng")) == "aucun texte : 1 page blanche"


def test_stored_ocr_messages_still_read_back(french: None) -> None:
    """Rows written before the blank count became a message of its own say the same English."""
    assert translate("text from OCR: 12 pages read in French, 2 blank") == ("texte issu de l’OCR : 12 pages lues en "
                                                                           "français, 2 blanches")
    assert translate("cancelled with 4 pages to read") == "annulé avec 4 pages à lire"
    assert translate("cancelled with 1 page to read") == "annulé avec 1 page à lire"
    assert translate("cancelled with 0 pages to read") == "annulé avec 0 page à lire"


# -- Zotero's summary ----------------------------------------------------------------------------------------------
def _summary(zotero: dict[str, dict[str, int]]) -> str:
    report = ZoteroReport("zotero.sqlite", False)
    report.zotero = zotero
    return report.lines()[-1].removeprefix("zotero.sqlite: ")


ONE = {"items": {"read": 2, "created": 1, "in the trash, skipped": 1},
       "attachments": {"read": 3, "imported": 1, "web links (below)": 1, "images in notes, not imported": 1},
       "notes": {"read": 2, "added": 1, "already there": 1},
       "collections": {"read": 1, "created": 1},
       "collection links": {"read": 2, "filed": 1, "standalone notes (notes of the collection)": 1},
       "web links": {"read": 1, "added": 1},
       "tags": {"read": 1, "subjects of publications": 1}}
TWO = {what: {k: 2 * n for k, n in counts.items()} for what, counts in ONE.items()}


def test_zotero_counts_in_english() -> None:
    assert _summary(ONE) == (
        "items: 2 (1 created, 1 in the trash, skipped); attachments: 3 (1 imported, 1 web link (below), "
        "1 image in a note, not imported); notes: 2 (1 added, 1 already there); collections: 1 (1 created); "
        "collection links: 2 (1 filed, 1 standalone note (a note of the collection)); web links: 1 (1 added); "
        "tags: 1 (1 subject of publications)")
    assert _summary(TWO) == (
        "items: 4 (2 created, 2 in the trash, skipped); attachments: 6 (2 imported, 2 web links (below), "
        "2 images in notes, not imported); notes: 4 (2 added, 2 already there); collections: 2 (2 created); "
        "collection links: 4 (2 filed, 2 standalone notes (notes of the collection)); web links: 2 (2 added); "
        "tags: 2 (2 subjects of publications)")


def test_zotero_counts_in_french_agree_with_what_they_count(french: None) -> None:
    assert _summary(ONE) == (
        "documents : 2 (1 créé, 1 à la corbeille, ignoré) ; pièces jointes : 3 (1 importée, 1 lien web (voir plus "
        "loin), 1 image de note, non importée) ; notes : 2 (1 ajoutée, 1 déjà présente) ; collections : 1 (1 créée) ; "
        "classements en collections : 2 (1 classé, 1 note isolée (une note de la collection)) ; liens web : 1 "
        "(1 ajouté) ; marqueurs : 1 (1 devenu sujet des publications)")
    assert _summary(TWO) == (
        "documents : 4 (2 créés, 2 à la corbeille, ignorés) ; pièces jointes : 6 (2 importées, 2 liens web (voir "
        "plus loin), 2 images de notes, non importées) ; notes : 4 (2 ajoutées, 2 déjà présentes) ; collections : 2 "
        "(2 créées) ; classements en collections : 4 (2 classés, 2 notes isolées (notes de la collection)) ; liens "
        "web : 2 (2 ajoutés) ; marqueurs : 2 (2 devenus sujets des publications)")


def test_every_zotero_count_has_its_french_forms(french: None) -> None:
    """Each outcome of each thing counted: its pair is in the catalog under the context the summary asks for (a
    context that does not match would say the English), with a singular and a plural."""
    with catalog_path("fr").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    for what, outcomes in _SAID.items():
        for outcome, (singular, plural) in outcomes.items():
            entry = catalog.get(singular, context=f"Zotero {what}")
            assert entry is not None and entry.id == (singular, plural), (what, outcome)
            assert all(entry.string) and len(entry.string) == 2, (what, outcome)
            one = _summary({what: {"read": 1, outcome: 1}})
            assert one.endswith(f"({entry.string[0].format(n=1)})") and "(s)" not in one, one
            none_said = _summary({what: {"read": 0}})
            assert none_said.endswith(" : 0"), none_said
