"""The `file` fields exporters write: Zotero, JabRef and Mendeley's escapes."""

from __future__ import annotations

from kbase.formats.bibtex.files import file_paths


def test_mendeley_writes_accents_in_file_names_as_latex() -> None:
    value = r":C$\backslash$:/Users/a/Mendeley/Sch{\"{o}}nauer et al. - 2014.pdf:pdf"
    assert file_paths(value) == ["C:/Users/a/Mendeley/Schönauer et al. - 2014.pdf"]


def test_plain_and_zotero_forms_are_left_alone() -> None:
    assert file_paths("files/12/report {draft}.pdf") == ["files/12/report {draft}.pdf"]
    assert file_paths("Full Text:files/12/a.pdf:application/pdf") == ["files/12/a.pdf"]
