"""Documents other than PDFs: Word, OpenDocument, spreadsheets, slides, EPUB, HTML, text, Markdown and RTF files
made here with their own libraries, read with their sections and metadata, imported and found by search; broken
and password-protected ones get a clear status."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from kbase.catalogue.records import Catalogue
from kbase.imports.extract import extract_file
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from kbase.ocr.queue import attachment_texts
from kbase.search.api import search


def make_docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.core_properties.title = "Gold trade in Ituri"
    doc.core_properties.author = "Ken Matthysen"
    doc.add_heading("Gold trade in Ituri", 1)
    doc.add_paragraph("The artisanal miners of Mongbwalu sell their gold to traders in Bunia.")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Site", "Kilomoto concession"
    doc.save(str(path))
    return path


def make_pptx(path: Path) -> Path:
    import pptx

    deck = pptx.Presentation()
    for title, body in (("Cobalt supply chains", "Refiners buying from Kolwezi"), ("Tin and tantalum", "Bisie mine")):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.core_properties.title = "Cobalt briefing"
    deck.save(str(path))
    return path


def make_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Sites"
    book.active.append(["Site", "Mineral"])
    book.active.append(["Kamituga", "gold"])
    book.create_sheet("Roadblocks").append(["Fizi", "toll"])
    book.save(str(path))
    return path


def make_odf(path: Path, kind: str) -> Path:
    from odf import dc, meta
    from odf.draw import Frame, Page, TextBox
    from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText
    from odf.style import MasterPage, PageLayout
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    if kind == "odt":
        doc = OpenDocumentText()
        doc.meta.addElement(dc.Title(text="Rapport sur les barrières routières"))
        doc.meta.addElement(meta.InitialCreator(text="Hans Merket"))
        doc.text.addElement(P(text="Les groupes armés prélèvent des taxes sur les commerçants de la région."))
    elif kind == "ods":
        doc = OpenDocumentSpreadsheet()
        for name, value in (("Taxes", "péage de Uvira"), ("Sites", "Nyabibwe")):
            table, row, cell = Table(name=name), TableRow(), TableCell()
            cell.addElement(P(text=value))
            row.addElement(cell)
            table.addElement(row)
            doc.spreadsheet.addElement(table)
    else:
        doc = OpenDocumentPresentation()
        layout = PageLayout(name="layout")
        doc.automaticstyles.addElement(layout)
        master = MasterPage(name="master", pagelayoutname=layout)
        doc.masterstyles.addElement(master)
        for text in ("Diapositive sur le cobalt de Likasi", "Diapositive sur l'or de Kamituga"):
            page = Page(masterpagename=master)
            frame = Frame(width="20cm", height="3cm", x="1cm", y="1cm")
            box = TextBox()
            box.addElement(P(text=text))
            frame.addElement(box)
            page.addElement(frame)
            doc.presentation.addElement(page)
    doc.save(str(path))
    return path


def make_epub(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:'
                   'tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type='
                   '"application/oebps-package+xml"/></rootfiles></container>')
        z.writestr("content.opf", '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
                   'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Voices '
                   'from Tanzania</dc:title><dc:creator>Mirjam Ruttinger</dc:creator><dc:identifier id="id">vt-1'
                   '</dc:identifier><dc:language>en</dc:language></metadata><manifest><item id="c1" href="c1.xhtml" '
                   'media-type="application/xhtml+xml"/><item id="c2" href="c2.xhtml" media-type="application/'
                   'xhtml+xml"/></manifest><spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>')
        for name, text in (("c1", "Small-scale miners in Geita"), ("c2", "Gold buyers along Lake Victoria")):
            z.writestr(f"{name}.xhtml", f'<html xmlns="http://www.w3.org/1999/xhtml"><body><h1>{name}</h1><p>{text}.'
                                        '</p></body></html>')
    return path


def make_plain(path: Path) -> Path:
    texts = {
        ".html": "<html><head><title>Mining map of eastern Congo</title><meta name='author' content='Peer Schouten'>"
                 "<style>p {color: red}</style></head><body><h1>Map</h1><p>Armed groups around Walikale &amp; "
                 "Lubero.</p><script>var hidden = 'scriptword';</script></body></html>",
        ".md": "# Field notes\n\nVisited the cassiterite mine at Bisie with the cooperative.\n",
        ".txt": "Notes de terrain\n\nLes creuseurs de Misisi vendent leur or à Uvira.\n",
        ".rtf": r"{\rtf1\ansi{\info{\title Arms Trade Bulletin}{\author Peter Danssaert}}\pard Small arms "
                r"trafficking through Goma and Rutshuru, Kisangani\'e9.\par}",
    }
    path.write_text(texts[path.suffix], encoding="utf-8")
    return path


def test_each_format_gives_its_sections_and_metadata(tmp_path: Path) -> None:
    docx = extract_file(make_docx(tmp_path / "trade.docx"))
    assert (docx.status, docx.page_count) == ("ok", 1) and "Mongbwalu" in docx.pages[0] and "Kilomoto" in docx.pages[0]
    assert docx.metadata["title"] == "Gold trade in Ituri" and docx.metadata["authors"] == ["Ken Matthysen"]
    assert docx.mime.endswith("wordprocessingml.document")
    slides = extract_file(make_pptx(tmp_path / "deck.pptx"))
    assert slides.page_count == 2 and "Kolwezi" in slides.pages[0] and "Bisie" in slides.pages[1]
    sheets = extract_file(make_xlsx(tmp_path / "sites.xlsx"))
    assert [p.splitlines()[0] for p in sheets.pages] == ["Sites", "Roadblocks"] and "Kamituga" in sheets.pages[0]
    odt = extract_file(make_odf(tmp_path / "rapport.odt", "odt"))
    assert "prélèvent" in odt.pages[0] and odt.metadata["title"] == "Rapport sur les barrières routières"
    assert odt.metadata["authors"] == ["Hans Merket"] and odt.metadata["language"] == "fr"
    ods = extract_file(make_odf(tmp_path / "taxes.ods", "ods"))
    assert ods.page_count == 2 and "Uvira" in ods.pages[0] and "Nyabibwe" in ods.pages[1]
    odp = extract_file(make_odf(tmp_path / "slides.odp", "odp"))
    assert odp.page_count == 2 and "Likasi" in odp.pages[0] and "Kamituga" in odp.pages[1]
    epub = extract_file(make_epub(tmp_path / "voices.epub"))
    assert epub.page_count == 2 and "Geita" in epub.pages[0] and "Lake Victoria" in epub.pages[1]
    assert epub.metadata["title"] == "Voices from Tanzania" and epub.metadata["authors"] == ["Mirjam Ruttinger"]
    html = extract_file(make_plain(tmp_path / "map.html"))
    assert "Walikale & Lubero" in html.pages[0] and "scriptword" not in html.pages[0] and "color" not in html.pages[0]
    assert html.metadata["title"] == "Mining map of eastern Congo" and html.metadata["authors"] == ["Peer Schouten"]
    assert "Bisie" in extract_file(make_plain(tmp_path / "notes.md")).pages[0]
    assert "Misisi" in extract_file(make_plain(tmp_path / "terrain.txt")).pages[0]
    rtf = extract_file(make_plain(tmp_path / "bulletin.rtf"))
    assert "Rutshuru, Kisangani" in rtf.pages[0] and "é" in rtf.pages[0]
    assert rtf.metadata["title"] == "Arms Trade Bulletin" and rtf.metadata["authors"] == ["Peter Danssaert"]


def _encrypted_odt(path: Path) -> Path:
    """An ODT as LibreOffice saves it with a password: the manifest says how content.xml was encrypted, and
    content.xml is the cipher text."""
    make_odf(path, "odt")
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["META-INF/manifest.xml"] = parts["META-INF/manifest.xml"].replace(
        b'manifest:full-path="content.xml" manifest:media-type="text/xml"/>', b'manifest:full-path="content.xml" '
        b'manifest:media-type="text/xml"><manifest:encryption-data '
        b'manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum='
        b'"AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" '
        b'manifest:initialisation-vector="AAAA"/></manifest:encryption-data></manifest:file-entry>')
    assert b"encryption-data" in parts["META-INF/manifest.xml"]
    parts["content.xml"] = bytes(range(256)) * 8
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def test_broken_encrypted_and_empty_documents_say_so(tmp_path: Path) -> None:
    cut = tmp_path / "cut.docx"
    cut.write_bytes(make_docx(tmp_path / "whole.docx").read_bytes()[:3000])
    damaged = extract_file(cut)
    assert damaged.status == "damaged" and damaged.message.startswith("damaged Word file:")
    assert str(tmp_path) not in damaged.message
    renamed = tmp_path / "notes.docx"
    renamed.write_text("plain text saved as .docx", encoding="utf-8")
    assert extract_file(renamed).message == "damaged Word file: it is not the ZIP archive it should be; not imported"
    locked = extract_file(_encrypted_odt(tmp_path / "locked.odt"))
    assert locked.status == "encrypted" and "protected by a password" in locked.message
    ole = tmp_path / "locked.docx"  # an encrypted Word file is a compound file holding the encrypted package
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptionInfo" + bytes(1000))
    assert extract_file(ole).status == "encrypted"
    import docx

    docx.Document().save(str(tmp_path / "blank.docx"))
    assert extract_file(tmp_path / "blank.docx").message == "no text in this Word file; not imported"
    (tmp_path / "bad.rtf").write_text("hello, no RTF here", encoding="utf-8")
    assert extract_file(tmp_path / "bad.rtf").message == "damaged RTF file: it does not start with {\\rtf; not imported"


@pytest.mark.parametrize("maker, name, word, section", [
    (make_docx, "trade.docx", "Mongbwalu", 1), (make_pptx, "deck.pptx", "Bisie", 2),
    (lambda p: make_odf(p, "odp"), "slides.odp", "Likasi", 1), (make_epub, "voices.epub", "Victoria", 2),
    (make_plain, "map.html", "Walikale", 1), (make_plain, "bulletin.rtf", "Rutshuru", 1),
])
def test_imported_and_found_by_search_in_their_section(cat: Catalogue, tmp_path: Path, maker, name, word,
                                                       section) -> None:
    result = import_paths(cat, [maker(tmp_path / name)]).files[0]
    assert result.status == "ok" and result.imported, result.message
    hits = search(cat, word)
    assert hits.total == 1 and [p.page for p in hits.hits[0].pages] == [section]
    texts = attachment_texts(cat, result.attachment_id)
    assert texts["mime"] != "application/pdf" and word in texts["pages"][section - 1]["text"]
    with cat.reading() as s:
        assert s.get(m.Attachment, result.attachment_id).has_thumbnail is False


def test_a_folder_takes_office_files_but_not_loose_notes(cat: Catalogue, tmp_path: Path) -> None:
    folder = tmp_path / "shelf"
    folder.mkdir()
    make_docx(folder / "trade.docx")
    make_odf(folder / "rapport.odt", "odt")
    make_plain(folder / "notes.md")
    report = import_paths(cat, [folder])
    assert sorted(Path(f.path).name for f in report.files) == ["rapport.odt", "trade.docx"]
    pub = cat.get(m.Publication, next(f for f in report.files if f.path.endswith(".odt")).publication_id)
    assert (pub.title, pub.language) == ("Rapport sur les barrières routières", "fr")
    broken = tmp_path / "broken.odt"
    broken.write_bytes(b"PK\x03\x04" + bytes(200))
    again = import_paths(cat, [broken, _encrypted_odt(tmp_path / "locked.odt")]).files
    assert [f.status for f in again] == ["damaged", "encrypted"]
    assert again[0].message.startswith("damaged OpenDocument text file:") and again[1].imported


def test_kbase_import_of_a_word_file_then_search(location: str, tmp_path: Path) -> None:
    import json

    from tests.cli_runner import run_cli

    path = make_docx(tmp_path / "trade.docx")
    out = run_cli(["import", str(path), "--json", "-L", location])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["files"][0]["status"] == "ok"
    found = json.loads(run_cli(["search", "Mongbwalu", "--json", "-L", location]).stdout)
    assert found["total"] == 1 and found["hits"][0]["title"] == "Gold trade in Ituri"


def test_a_document_attached_to_a_publication_is_read_and_found(cat: Catalogue, tmp_path: Path) -> None:
    from kbase.imports.attach import attach

    pub = cat.add(m.Publication, title="Artisanal gold", type="report", year=2022).id
    done = attach(cat, pub, str(make_docx(tmp_path / "trade.docx")))
    assert (done["kind"], done["status"], done["publication_id"]) == ("document", "ok", pub)
    hits = search(cat, "Mongbwalu").hits
    assert [(h.publication_id, [p.page for p in h.pages]) for h in hits] == [(pub, [1])]
    sheet = attach(cat, pub, str(make_xlsx(tmp_path / "sites.xlsx")))
    assert sheet["kind"] == "file"  # a named .xlsx is a publication list to the import: kept as it is


def test_a_password_protected_word_file_is_kept_without_text(cat: Catalogue, tmp_path: Path) -> None:
    ole = tmp_path / "locked.docx"  # what Word writes with a password: a compound file, not a ZIP
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptionInfo" + bytes(1000))
    result = import_paths(cat, [ole]).files[0]
    assert result.status == "encrypted" and result.imported, result.message
    assert "imported without text" in result.message
    with cat.reading() as s:
        att = s.get(m.Attachment, result.attachment_id)
        assert (att.status, att.mime.endswith("wordprocessingml.document")) == ("encrypted", True)
