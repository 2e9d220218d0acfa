"""PDF passwords tried as typed and SASLprep-normalised; damaged PDFs MuPDF repairs; blank pages are no scans."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from kbase.catalogue.records import Catalogue
from kbase.imports.extract import extract_pdf, passwords_to_try, saslprep
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from tests import pdfs


def _locked(path: Path, password: str) -> Path:
    """An AES-256 (PDF 2.0, revision 6) PDF locked with `password` exactly as given, as MuPDF writes it."""
    doc = pymupdf.open(str(pdfs.english_pdf(path.with_suffix(".plain.pdf"))))
    doc.save(str(path), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=password, owner_pw="owner-pass")
    doc.close()
    path.with_suffix(".plain.pdf").unlink()
    return path


def test_saslprep_maps_as_rfc_4013_says() -> None:
    assert saslprep("I\u00adX") == "IX"  # soft hyphen: mapped to nothing
    assert saslprep("\u2168") == "IX"  # Roman numeral nine: NFKC
    assert saslprep("user\u00a0name") == "user name"  # no-break space: a space
    assert saslprep("cafe\u0301") == "caf\u00e9"
    assert saslprep("a\u0007b") == "a\u0007b"  # prohibited (a control character): left as typed
    assert passwords_to_try("secret") == ["secret"]
    assert passwords_to_try("I\u00adX") == ["I\u00adX", "IX"]


@pytest.mark.parametrize("typed", ["\u2168", "I\u00adX"])
def test_a_password_is_opened_in_its_saslprep_form(tmp_path: Path, typed: str) -> None:
    # a conforming writer hashed the SASLprep form "IX"; the reader types what the author typed
    path = _locked(tmp_path / "locked.pdf", "IX")
    ex = extract_pdf(path, password=typed)
    assert ex.status == "ok" and "Page marker en2" in ex.pages[1]


def test_a_password_is_tried_as_given_first(tmp_path: Path) -> None:
    # an older writer hashed the decomposed form as typed: SASLprep alone would miss it
    path = _locked(tmp_path / "decomposed.pdf", "cafe\u0301")
    assert extract_pdf(path, password="cafe\u0301").status == "ok"
    assert extract_pdf(path, password="caf\u00e9").status == "encrypted"  # NFC is another password here


def test_saslprep_password_through_the_import(cat: Catalogue, tmp_path: Path) -> None:
    path = _locked(tmp_path / "locked.pdf", "IX")
    first = import_paths(cat, [path], index=False).files[0]
    assert first.status == "encrypted"
    second = import_paths(cat, [path], password="I\u00adX", index=False).files[0]
    assert second.status == "ok" and second.message == "opened with the password: 3 pages read"
    one = pymupdf.open()
    one.new_page().insert_text((72, 72), "A single page of text behind a password.")
    one.save(str(tmp_path / "one.pdf"), encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="IX", owner_pw="o")
    one.close()
    assert import_paths(cat, [tmp_path / "one.pdf"], index=False).files[0].status == "encrypted"
    again = import_paths(cat, [tmp_path / "one.pdf"], password="IX", index=False).files[0]
    assert again.message == "opened with the password: 1 page read"
    with cat.reading() as s:
        assert s.get(m.Attachment, first.attachment_id).status == "ok"


def _headless(path: Path) -> Path:
    """A PDF whose first bytes were lost (a bad copy): no %PDF- header, its objects intact."""
    data = pymupdf.open(str(pdfs.english_pdf(path))).tobytes()
    path.write_bytes(b"\x00" * 2000 + data[data.index(b"1 0 obj"):])
    return path


def _without_xref(path: Path) -> Path:
    data = pymupdf.open(str(pdfs.english_pdf(path))).tobytes()
    path.write_bytes(data[:data.rindex(b"xref")])  # the cross-reference table and trailer cut off
    return path


@pytest.mark.parametrize("damage", [_headless, _without_xref])
def test_a_damaged_pdf_mupdf_repairs_is_imported_as_repaired(cat: Catalogue, tmp_path: Path, damage) -> None:
    path = damage(tmp_path / "damaged.pdf")
    ex = extract_pdf(path)
    assert ex.status == "repaired", ex.message
    assert "repaired" in ex.message and "Page marker en3" in ex.pages[2]
    result = import_paths(cat, [path], index=False).files[0]
    assert result.status == "repaired" and result.imported and result.pages == 3
    assert "MuPDF rebuilt" in result.message


def test_a_file_of_no_pdf_at_all_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"\x00\x01binary junk " * 500)
    assert extract_pdf(path).status == "not a pdf"


def test_blank_pages_are_not_scans(tmp_path: Path) -> None:
    empty = extract_pdf(pdfs.blank_pdf(tmp_path / "empty.pdf", 3))
    assert empty.status == "empty" and empty.message == "no content: 3 pages blank; not imported"
    sheets = extract_pdf(pdfs.blank_pdf(tmp_path / "sheets.pdf", 2, scanned=True))
    assert sheets.status == "empty" and sheets.scanned == []
    mixed = extract_pdf(pdfs.blank_pdf(tmp_path / "mixed.pdf", 2, scanned=True, text_pages=2))
    assert (mixed.status, mixed.message, mixed.scanned) == ("ok", "", [])
    scan = extract_pdf(pdfs.scanned_pdf(tmp_path / "scan.pdf", 2))
    assert scan.status == "no text layer" and scan.scanned == [1, 2]
