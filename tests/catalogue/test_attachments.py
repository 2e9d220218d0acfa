"""Attachments that are not PDFs: files kept as they are, and links; `kbase attach`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kbase.catalogue import trash
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.imports import attach
from kbase.library import models as m
from tests.cli_runner import run_cli
from tests.pdfs import text_pdf


def _docx(folder: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Field notes from Kamituga")
    path = folder / "field notes.docx"
    doc.save(str(path))
    return path


def test_files_and_links_are_attached_and_listed(cat: Catalogue, tmp_path: Path) -> None:
    pub = cat.add(m.Publication, title="Gold in Kamituga", type="report", year=2021).id
    docx = attach.attach(cat, pub, str(_docx(tmp_path)))
    png = tmp_path / "map.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    image = attach.attach(cat, pub, str(png))
    link = attach.attach(cat, pub, "https://ipisresearch.be/mapping/", title="Interactive map")
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert (docx["kind"], docx["mime"], docx["status"]) == ("document", word, "ok")  # imported with its text
    assert (image["kind"], image["mime"]) == ("file", "image/png")
    assert link["kind"] == "link"
    listed = attach.attachments(cat, pub)
    assert [(a["kind"], a.get("filename") or a.get("url")) for a in listed] == [
        ("file", "field notes.docx"), ("file", "map.png"), ("link", "https://ipisresearch.be/mapping/")]
    copy = attach.local_copy(cat, docx["id"])
    assert copy.name == "field notes.docx" and copy.read_bytes() == (tmp_path / "field notes.docx").read_bytes()
    with pytest.raises(InvalidInput, match="attached to publication .* already"):
        attach.attach(cat, pub, str(png))
    with pytest.raises(NotFound, match="no such file"):
        attach.attach(cat, pub, str(tmp_path / "missing.xlsx"))
    with pytest.raises(InvalidInput, match="not a web address"):
        attach.add_link(cat, pub, "javascript:alert(1)")
    attach.remove_link(cat, link["id"])
    assert [a["kind"] for a in attach.attachments(cat, pub)] == ["file", "file"]


def test_trash_keeps_the_files_and_links(cat: Catalogue, tmp_path: Path) -> None:
    pub = cat.add(m.Publication, title="Gold in Kamituga", type="report", year=2021).id
    attach.attach(cat, pub, str(_docx(tmp_path)))
    attach.attach(cat, pub, "https://example.org/page")
    trash.move_to_trash(cat, "publication", pub)
    with cat.reading() as s:
        assert s.scalar(select(func.count()).select_from(m.Attachment)) == 0
        assert s.scalar(select(func.count()).select_from(m.PublicationLink)) == 0
    trash.restore_from_trash(cat, "publication", pub)
    assert [a["kind"] for a in attach.attachments(cat, pub)] == ["file", "link"]


def test_attach_command(location: str, tmp_path: Path) -> None:
    def kb(*args: str, ok: bool = True) -> str:
        proc = run_cli([*args, "--library", location])
        assert (proc.returncode == 0) == ok, proc.stderr
        return proc.stdout if ok else proc.stderr

    kb("add", "publication", "title=Gold in Kamituga", "type=report", "year=2021")
    sheet = tmp_path / "sites.xlsx"
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["site", "workers"])
    wb.save(str(sheet))
    assert "attached sites.xlsx" in kb("attach", "1", str(sheet))
    assert "linked https://example.org/map" in kb("attach", "1", "https://example.org/map", "--title", "Map")
    pdf = tmp_path / "report.pdf"
    text_pdf(pdf, ["Kamituga gold page one"])
    assert "attached report.pdf to publication 1" in kb("attach", "1", str(pdf))
    shown = kb("show", "publication", "1")
    assert "Map: https://example.org/map" in shown
    hits = json.loads(kb("search", "Kamituga", "--json"))["hits"]
    assert [h["publication_id"] for h in hits] == [1]
    assert "no such file" in kb("attach", "1", str(tmp_path / "nope.docx"), ok=False)
    assert "no publication with ID 5" in kb("attach", "5", "https://example.org", ok=False)


def test_emptying_the_trash_lets_go_of_files_no_one_holds(cat: Catalogue, tmp_path: Path) -> None:
    from kbase.files.store import orphans

    kept = cat.add(m.Publication, title="Kept", type="report", year=2021).id
    binned = cat.add(m.Publication, title="Binned", type="report", year=2021).id
    shared = tmp_path / "shared.csv"
    shared.write_text("a,b\n1,2\n", encoding="utf-8")
    attach.attach(cat, kept, str(shared))
    attach.attach(cat, binned, str(shared))
    attach.attach(cat, binned, str(_docx(tmp_path)))
    trash.move_to_trash(cat, "publication", binned)
    assert orphans(cat.library) == []  # in the trash, its files stay
    assert trash.empty_trash(cat) == 1
    with cat.reading() as s:
        stored = s.scalar(select(func.count()).select_from(m.StoredFile))
    assert stored == 1  # the CSV the kept publication holds; the DOCX is let go
    assert len([p for p in orphans(cat.library) if p.startswith("files")]) == 1
