"""Extraction of single PDFs: statuses, messages, normalised text, metadata and thumbnails."""

from __future__ import annotations

from pathlib import Path

import pdfs
import pymupdf
import pytest

from kbase.imports.extract import THUMB_MAX, extract_pdf, thumbnail_png
from kbase.imports.pdfmeta import find_date, guess_language, info_metadata, is_junk_author, is_junk_title, split_authors
from kbase.textnorm import index_text, normalise_page_text


# -- text normalisation ---------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("e\ufb03cient \ufb01nance \ufb02ow", "efficient finance flow"),  # ligatures
    ("ＫＩＶＵ １２３", "KIVU 123"),  # full-width presentation forms
    ("ex\u00adample and soft\u00ad\nhyphen", "example and softhyphen"),  # soft hyphens, also at line end
    ("the interme-\ndiaries", "the intermediaries"),  # hyphenated across lines
    ("Franco-\nBelgian", "Franco-Belgian"),  # a real compound keeps its hyphen
    ("zero\u200bwidth  spaces\t\there", "zerowidth spaces here"),
    ("a\n\n\n\n b ", "a\n\nb"),
    ("", ""),
])
def test_normalise_page_text(raw: str, expected: str) -> None:
    assert normalise_page_text(raw) == expected


def test_index_text_makes_cjk_and_thai_findable_by_substring() -> None:
    indexed = index_text("中华人民共和国 and English")
    assert indexed.split() == ["中华", "华人", "人民", "民共", "共和", "和国", "and", "English"]
    query = index_text("人民")
    assert set(query.split()) <= set(indexed.split())
    thai = index_text("ภาษาไทยง่าย").split()
    assert set(index_text("ไทย").split()) <= set(thai)
    assert index_text("plain words") == "plain words"


# -- metadata -------------------------------------------------------------------------------
@pytest.mark.parametrize("title", [
    "Microsoft Word - draft.docx", "untitled", "report_final_v2.pdf", "C:\\Users\\me\\doc.doc",
    "ARRAY(0x55d5c8a1e2b8)", "123", "annual-report-2021",
])
def test_junk_titles(title: str) -> None:
    assert is_junk_title(title, "annual-report-2021.pdf")


def test_good_titles_are_kept() -> None:
    assert not is_junk_title("Mapping artisanal mining sites in eastern DRC", "x.pdf")
    assert not is_junk_title("Analyse des barrières routières", "y.pdf")


@pytest.mark.parametrize("author", ["ARRAY(0x55d5c8a1e2b8)", "user", "Administrator", "jdupont", "", "x@y.org"])
def test_junk_authors(author: str) -> None:
    assert is_junk_author(author)


def test_split_authors() -> None:
    assert split_authors("Ken Matthysen; Steven Spittaels") == ["Ken Matthysen", "Steven Spittaels"]
    assert split_authors("Matthysen, Ken") == ["Ken Matthysen"]
    assert split_authors("Anna Hoffmann and Lotte Hoex") == ["Anna Hoffmann", "Lotte Hoex"]
    assert split_authors("ARRAY(0x1234)") == []


def test_info_metadata_drops_junk_and_reads_dates() -> None:
    meta = info_metadata({"title": "Microsoft Word - x.docx", "author": "HASH(0xdeadbeef)",
                          "creationDate": "D:20190301090000+01'00'"}, "x.pdf")
    assert "title" not in meta and "authors" not in meta
    assert (meta["file_year"], meta["file_month"]) == (2019, 3)


def test_find_date_english_and_french() -> None:
    assert find_date("Antwerp, June 2021\nSomething") == (2021, 6)
    assert find_date("Anvers, 3 février 2020") == (2020, 2)
    assert find_date("published 2018-11-05") == (2018, 11)
    assert find_date("© 2017 IPIS") == (2017, None)
    assert find_date("no date here 12345") == (None, None)


def test_guess_language() -> None:
    assert guess_language(pdfs.EN_PAGES) == "en"
    assert guess_language(pdfs.FR_PAGES) == "fr"
    assert guess_language(["中华人民共和国"]) is None


# -- whole files ----------------------------------------------------------------------------
def test_english_pdf_with_info_metadata(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.english_pdf(tmp_path / "en.pdf", n_pages=4))
    assert ex.status == "ok" and ex.message == ""
    assert ex.page_count == 4 and len(ex.pages) == 4
    assert "Page marker en4" in ex.pages[3]
    assert ex.metadata["title"] == "Mapping artisanal mining sites in eastern DRC"
    assert ex.metadata["title_source"] == "info"
    assert ex.metadata["authors"] == ["Ken Matthysen", "Steven Spittaels"]
    assert (ex.metadata["year"], ex.metadata["month"]) == (2021, 6)
    assert ex.metadata["language"] == "en"


def test_french_pdf_without_info_takes_the_first_page(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.french_pdf(tmp_path / "fr.pdf"))
    assert ex.status == "ok"
    assert ex.metadata["title"] == "Analyse des barrières routières au Sud-Kivu"
    assert ex.metadata["title_source"] == "first page"
    assert ex.metadata["authors"] == ["Claude Iguma Wakenge", "Yannick Weyns"]
    assert (ex.metadata["year"], ex.metadata["month"]) == (2021, 6)
    assert ex.metadata["language"] == "fr"
    assert "prélèvent des taxes" in ex.pages[1]


def test_junk_info_metadata_gives_way_to_the_first_page(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.junk_metadata_pdf(tmp_path / "junk.pdf"))
    assert ex.metadata["title"] == "Cobalt supply chains and child labour"
    assert ex.metadata["authors"] == ["Anna Hoffmann", "Lotte Hoex"]
    assert not any("ARRAY" in a for a in ex.metadata["authors"])


def test_first_page_authors_one_per_line_and_a_heading_is_no_title(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.text_pdf(tmp_path / "a.pdf", list(pdfs.EN_PAGES), title_page=(
        "Gold and conflict in Ituri*", "Jean-François Lamy\nAlexander Holt", "August 1994")))
    assert ex.metadata["title"] == "Gold and conflict in Ituri"  # footnote mark dropped
    assert ex.metadata["authors"] == ["Jean-François Lamy", "Alexander Holt"]
    contents = extract_pdf(pdfs.text_pdf(tmp_path / "b.pdf", list(pdfs.EN_PAGES), title_page=("Contents", None, None)))
    assert "title" not in contents.metadata


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.scanned_pdf(tmp_path / "scan.pdf", n_pages=3))
    assert ex.status == "no text layer"
    assert "no text layer" in ex.message and "3 pages" in ex.message
    assert ex.page_count == 3 and ex.pages == ["", "", ""]
    assert ex.thumbnail  # a scan still gets its picture


def test_one_scanned_page_among_text_pages_is_noted(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.mixed_scan_pdf(tmp_path / "mixed.pdf"))
    assert ex.status == "ok"
    assert ex.message == "page 2 without text (scanned or images only); queued for OCR"
    assert ex.scanned == [2]


def test_encrypted_pdf_needs_its_password(tmp_path: Path) -> None:
    path = pdfs.encrypted_pdf(tmp_path / "enc.pdf", user_password="secret")
    locked = extract_pdf(path)
    assert locked.status == "encrypted"
    assert "password" in locked.message and "--password" in locked.message
    assert locked.pages == [] and locked.page_count == 3
    wrong = extract_pdf(path, password="nope")
    assert wrong.status == "encrypted" and "does not open it" in wrong.message
    opened = extract_pdf(path, password="secret")
    assert opened.status == "ok" and "Page marker en3" in opened.pages[2]


def test_empty_user_password_opens_normally(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.encrypted_pdf(tmp_path / "open.pdf", user_password=""))
    assert ex.status == "ok" and ex.message == ""
    assert "Page marker en1" in ex.pages[0]
    assert b"/Encrypt" in (tmp_path / "open.pdf").read_bytes()  # really encrypted, yet not "protected"


def test_truncated_pdf_is_damaged(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.truncated_pdf(tmp_path / "cut.pdf", keep=0.5))
    assert ex.status == "damaged"
    assert ex.message.startswith("damaged PDF:") and ex.message.endswith("not imported")
    assert str(tmp_path) not in ex.message


def test_text_file_renamed_pdf(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.text_renamed_pdf(tmp_path / "notes.pdf"))
    assert ex.status == "not a pdf"
    assert ex.message == "not a PDF (text starting 'These are meeting notes '); not imported"


def test_empty_file(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.empty_file(tmp_path / "empty.pdf"))
    assert (ex.status, ex.message) == ("empty", "empty file (0 bytes); not imported")


def test_ligatures_and_hyphenation_in_a_real_pdf(tmp_path: Path) -> None:
    text = extract_pdf(pdfs.typography_pdf(tmp_path / "typo.pdf")).pages[0]
    assert "financial flows were efficiently traced by KIVU" in text
    assert "intermediaries" in text and "\ufb01" not in text


def test_cjk_text_is_kept(tmp_path: Path) -> None:
    text = extract_pdf(pdfs.cjk_pdf(tmp_path / "cjk.pdf")).pages[0]
    assert "中华人民共和国的矿产资源" in text
    assert "日本語のテキストを検索する" in text
    assert "人民" in index_text(text).split()


def test_no_cap_on_pages(tmp_path: Path) -> None:
    ex = extract_pdf(pdfs.big_pdf(tmp_path / "big.pdf", 150))  # Zotero stops at 100
    assert ex.page_count == 150 and "zq150x" in ex.pages[149]


def test_thumbnail_is_a_small_png(tmp_path: Path) -> None:
    path = pdfs.english_pdf(tmp_path / "en.pdf")
    png = thumbnail_png(path)
    assert png is not None and png.startswith(b"\x89PNG")
    pix = pymupdf.Pixmap(png)
    assert pix.width <= THUMB_MAX[0] and pix.height <= THUMB_MAX[1]
    assert thumbnail_png(pdfs.truncated_pdf(tmp_path / "cut.pdf")) is None


def test_page_text_is_what_get_text_gives(tmp_path: Path) -> None:
    """extract reads a page's text past PyMuPDF's get_text wrapper: the same text, on every kind of page."""
    from kbase.imports.extract import _page_text

    for path in (pdfs.typography_pdf(tmp_path / "t.pdf"), pdfs.cjk_pdf(tmp_path / "c.pdf"),
                 pdfs.english_pdf(tmp_path / "e.pdf"), pdfs.mixed_scan_pdf(tmp_path / "m.pdf")):
        with pymupdf.open(path) as doc:
            texts = [(_page_text(page), page.get_text("text")) for page in doc]
        assert all(mine == theirs for mine, theirs in texts), path.name
        assert any(mine.strip() for mine, _ in texts), path.name


def _edge_pdf(path: Path) -> Path:
    """Lines whose glyphs cross the page's edges, where a character's box decides whether it is on the page."""
    doc = pymupdf.open()
    page = doc.new_page(width=300, height=200)
    page.insert_text((4, 9), "Ascenders Klmb above the top edge", fontsize=18)
    page.insert_text((-30, 80), "Beyond the left edge: the start of this line", fontsize=14)
    page.insert_text((180, 120), "Beyond the right edge of the page", fontsize=14)
    page.insert_text((10, 198), "Descenders gjpqy below the bottom edge", fontsize=18)
    page.insert_text((10, 230), "Wholly below the page", fontsize=12)
    doc.save(path)
    return path


def test_page_text_near_the_edges_and_pymupdfs_setting_left_as_it_was(tmp_path: Path) -> None:
    """The plain text is read with PyMuPDF's glyph-height corrections off (they cost 70% of its time):
    characters crossing the edges are kept or dropped as get_text does, and the setting, which is
    the process's, is the caller's again afterwards (a viewer's highlight boxes depend on it)."""
    from kbase.imports.extract import _page_text

    path = _edge_pdf(tmp_path / "edges.pdf")
    with pymupdf.open(path) as doc:
        page = doc[0]
        expected = page.get_text("text")
        assert "Ascenders" in expected and "Wholly" not in expected
        for setting in (False, True):
            pymupdf.TOOLS.unset_quad_corrections(setting)
            try:
                assert _page_text(page) == expected
                assert pymupdf.TOOLS.unset_quad_corrections() is setting
            finally:
                pymupdf.TOOLS.unset_quad_corrections(False)


@pytest.mark.parametrize("info, title, authors", [
    ({"title": "Gold from the east", "author": "Ken Matthysen"}, "Gold from the east", ["Ken Matthysen"]),
    ({"title": "Gold from the east"}, "Gold from the east", ["Anna Hoffmann", "Lotte Hoex"]),
    ({"author": "Ken Matthysen"}, "Cobalt supply chains and child labour", ["Ken Matthysen"]),
])
def test_the_first_page_layout_is_read_when_the_info_lacks_something(tmp_path: Path, info, title, authors) -> None:
    """The first page's layout (its title and authors) is skipped only where the file's information
    dictionary gives both: whatever the info lacks still comes from the page; its date always does."""
    path = pdfs.text_pdf(tmp_path / "t.pdf", list(pdfs.EN_PAGES), metadata=info, title_page=(
        "Cobalt supply chains and child labour", "Anna Hoffmann\nLotte Hoex", "March 2019"))
    ex = extract_pdf(path)
    assert (ex.metadata["title"], ex.metadata["authors"]) == (title, authors)
    assert (ex.metadata["year"], ex.metadata["month"]) == (2019, 3)
