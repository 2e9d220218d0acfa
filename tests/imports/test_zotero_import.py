"""`kbase import zotero.sqlite` on SQLite and PostgreSQL libraries: records, files, notes, collections, related
items, web links and tags, every one accounted for; dry run, undo, a second import, the file never changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import func, select

from kbase.catalogue.records import Catalogue
from kbase.imports.batches import undo_batch
from kbase.imports.pipeline import import_paths
from kbase.library import models as m
from tests.cli_runner import run_cli
from tests.pdfs import text_pdf
from tests.zotero_db import ZoteroDB

TABLES = (m.Publication, m.Attachment, m.Note, m.Collection, m.CollectionItem, m.PublicationRelation,
          m.PublicationLink, m.Subject, m.Person, m.Organisation)


def build(folder: Path, layout: str = "124") -> tuple[ZoteroDB, dict[str, int]]:
    """A small institute's Zotero library: reports with PDFs, an article, a chapter, notes, a nested
    collection, a related pair, a web link, a linked file, one missing file, a snapshot and the trash."""
    zdb = ZoteroDB(folder / "Zotero", layout)
    base = folder / "Papers"
    text_pdf(base / "briefings" / "tin.pdf", ["Tin and tantalum in Rubaya", "Trading houses in Goma"])
    ids = {}
    ids["gold"] = zdb.item("report", {"title": "Gold flows from eastern DRC", "date": "2019-06-00 June 2019",
                                      "institution": "IPIS", "reportNumber": "7", "language": "en",
                                      "extra": "Citation Key: ipis2019gold"},
                           [("author", "Ken", "Matthysen"), ("author", "Filip", "Hilgert")], tags=["gold", "DRC"])
    ids["tin"] = zdb.item("report", {"title": "Tin supply chains in North Kivu", "date": "2020-02-00 February 2020",
                                     "institution": "IPIS"}, [("author", "IPIS")], tags=["3T", "DRC"])
    ids["article"] = zdb.item("journalArticle", {"title": "Roadblocks and taxation",
                                                 "publicationTitle": "Resources Policy",
                                                 "date": "2017-00-00 2017", "DOI": "10.1016/j.resourpol.2017.01.001"},
                              [("author", "Peer", "Schouten"), ("editor", "Jane", "Doe")])
    ids["chapter"] = zdb.item("bookSection", {"title": "Cobalt and due diligence", "bookTitle": "Mining and society",
                                              "date": "2021-00-00 2021"}, [("author", "Aline", "Mwamba")])
    ids["binned"] = zdb.item("book", {"title": "An old draft"}, tags=["draft"], trashed=True)
    zdb.stored_pdf(ids["gold"], "gold.pdf", ["Gold from Kamituga", "Misisi and Lugushwa"])
    zdb.linked_file(ids["tin"], "attachments:briefings/tin.pdf")
    zdb.stored_pdf(ids["article"], "never-synced.pdf", write=False)
    zdb.stored_file(ids["article"], "snapshot.html", b"<html><body>abstract</body></html>", "text/html")
    zdb.linked_url(ids["gold"], "https://ipisresearch.be/gold")
    zdb.stored_pdf(None, "standalone-map.pdf", ["A map of mining sites"])
    zdb.note("<h1>Method</h1><p>Site visits in <strong>Kamituga</strong>.</p>", ids["gold"])
    zdb.note("<p>Check the figures &amp; the dates</p>", ids["tin"])
    zdb.note("<p>in the bin</p>", ids["gold"], trashed=True)
    reading = zdb.note("<p>Reading list for the Madini mission</p>")
    zdb.note("<p>a loose thought</p>")
    mining = zdb.collection("Mining")
    gold = zdb.collection("Gold", mining)
    zdb.file(gold, ids["gold"], reading)
    zdb.file(mining, ids["tin"], ids["article"], ids["binned"])
    zdb.relate(ids["gold"], ids["tin"])
    zdb.relate(ids["article"], ids["binned"])
    zdb.close()
    return zdb, ids


def counts(cat: Catalogue) -> dict[str, int]:
    with cat.reading() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}  # type: ignore[attr-defined]


def balanced(summary: dict[str, dict[str, int]]) -> None:
    """Each kind of thing: what was read is the sum of what became of it."""
    for what, c in summary.items():
        assert c["read"] == sum(v for k, v in c.items() if k != "read"), (what, c)


def test_a_zotero_library_comes_in_whole_and_the_file_is_unchanged(cat: Catalogue, tmp_path: Path) -> None:
    zdb, ids = build(tmp_path)
    before = hashlib.sha256(zdb.path.read_bytes()).hexdigest()
    empty = counts(cat)
    report = import_paths(cat, [zdb.path], sheet_options={"zotero_base": str(tmp_path / "Papers")})
    assert hashlib.sha256(zdb.path.read_bytes()).hexdigest() == before
    (f,) = report.files
    assert f.status == "zotero" and (f.created, f.matched, f.refused) == (4, 0, 0)
    z = f.zotero
    balanced(z)
    assert z["items"] == {"read": 5, "created": 4, "matched": 0, "refused": 0, "in the trash, skipped": 1}
    assert z["attachments"] == {"read": 6, "imported": 3, "web links (below)": 1, "not a PDF, not imported": 1,
                                "file missing": 1}
    assert z["notes"] == {"read": 5, "added": 3, "standalone, not imported": 1, "in the trash, skipped": 1}
    assert z["collections"] == {"read": 2, "created": 2}
    assert z["collection links"] == {"read": 4, "filed": 3, "standalone notes (notes of the collection)": 1}
    assert z["related"] == {"read": 3, "created": 1, "other end not imported": 1, "one record for both ends": 1}
    assert z["web links"] == {"read": 1, "added": 1}
    assert z["tags"] == {"read": 4, "subjects of publications": 3, "only on items in the trash, skipped": 1}
    missing = [n["note"] for n in f.notes if "never-synced.pdf" in n["note"]]
    assert missing and "file not found" in missing[0]

    with cat.reading() as s:
        gold = s.scalar(select(m.Publication).where(m.Publication.citekey == "ipis2019gold"))
        assert gold.type == "report" and gold.year == 2019 and gold.month == 6 and gold.number == "7"
        assert json.loads(gold.extra)["zotero"]["type"] == "report"
        authors = s.scalars(select(m.Person.name).join(m.Contributor, m.Contributor.person_id == m.Person.id)
                            .where(m.Contributor.publication_id == gold.id).order_by(m.Contributor.position)).all()
        assert authors == ["Ken Matthysen", "Filip Hilgert"]
        subjects = set(s.scalars(select(m.Subject.name).join(m.PublicationSubject).where(
            m.PublicationSubject.publication_id == gold.id)))
        assert subjects == {"gold", "DRC"}
        pages = s.scalars(select(m.PageText.text).join(m.Attachment).where(m.Attachment.publication_id == gold.id)
                          .order_by(m.PageText.page)).all()
        assert pages and "Kamituga" in pages[0]
        tin = s.scalar(select(m.Publication).where(m.Publication.title == "Tin supply chains in North Kivu"))
        assert s.scalar(select(m.Attachment.filename).where(m.Attachment.publication_id == tin.id)) == "tin.pdf"
        notes = {n.record_id: n.text for n in s.scalars(select(m.Note).where(m.Note.kind == "publication"))}
        assert notes[gold.id] == "# Method\n\nSite visits in **Kamituga**."
        assert notes[tin.id] == "Check the figures & the dates"
        cols = {c.name: c for c in s.scalars(select(m.Collection))}
        assert cols["Gold"].parent_id == cols["Mining"].id and cols["Mining"].parent_id is None
        filed = set(s.scalars(select(m.CollectionItem.record_id)
                              .where(m.CollectionItem.collection_id == cols["Gold"].id)))
        assert filed == {gold.id}
        assert s.scalar(select(m.Note.text).where(m.Note.kind == "collection", m.Note.record_id == cols["Gold"].id)) \
            == "Reading list for the Madini mission"
        rel = s.scalar(select(m.PublicationRelation))
        assert {rel.publication_id, rel.other_id} == {gold.id, tin.id} and rel.relation == "see also"
        assert s.scalar(select(m.PublicationLink.url).where(m.PublicationLink.publication_id == gold.id)) \
            == "https://ipisresearch.be/gold"
        standalone = s.scalar(select(m.Attachment).where(m.Attachment.filename == "standalone-map.pdf"))
        assert standalone.publication_id is not None  # a PDF with no parent item is a publication of its own

    undone = undo_batch(cat, report.batch)
    assert counts(cat) == empty, undone.summary()
    assert hashlib.sha256(zdb.path.read_bytes()).hexdigest() == before


def test_dry_run_writes_nothing_and_a_second_import_adds_nothing(cat: Catalogue, tmp_path: Path) -> None:
    zdb, _ids = build(tmp_path, "107")
    empty = counts(cat)
    plan = import_paths(cat, [zdb.path], dry_run=True)
    assert counts(cat) == empty
    (f,) = plan.files
    assert (f.created, f.refused) == (4, 0) and f.zotero["items"]["read"] == 5
    assert f.zotero["attachments"] == {"read": 6, "imported": 2, "web links (below)": 1, "not a PDF, not imported": 1,
                                       "file missing": 2}  # the planned records' files count as theirs
    assert f.message.startswith("plan (nothing written): items: 5 (4 created, 1 in the trash, skipped)")
    assert {r["action"] for r in f.records} == {"new"}

    first = import_paths(cat, [zdb.path])
    after_first = counts(cat)
    second = import_paths(cat, [zdb.path])
    assert counts(cat) == after_first  # matched records: no second copy of a note, collection, relation or link
    (g,) = second.files
    assert (g.created, g.matched) == (0, 4)
    assert g.zotero["notes"]["already there"] == 3 and g.zotero["collections"] == {"read": 2, "already there": 2}
    assert g.zotero["related"]["already there"] == 1 and g.zotero["web links"] == {"read": 1, "already there": 1}
    assert g.zotero["attachments"]["already in the library"] == 2
    balanced(g.zotero)
    undo_batch(cat, second.batch)
    assert counts(cat) == after_first
    undo_batch(cat, first.batch)
    assert counts(cat) == empty


def test_cli_json_and_undo(location: str, tmp_path: Path) -> None:
    zdb, _ids = build(tmp_path)
    out = run_cli(["import", "--library", location, "--json", "--zotero-base", str(tmp_path / "Papers"), str(zdb.path)])
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["created"] == 4 and result["files"][0]["zotero"]["attachments"]["imported"] == 3
    listed = run_cli(["imports", "--library", location, "--json"])
    assert json.loads(listed.stdout)[0]["publications_created"] == 5  # four items and the standalone PDF
    undo = run_cli(["imports", "--library", location, "undo", str(result["batch"])])
    assert undo.returncode == 0, undo.stderr
    assert "2 collections" in undo.stdout and "3 notes" in undo.stdout


def test_a_folder_that_is_a_zotero_data_directory(cat: Catalogue, tmp_path: Path) -> None:
    """`kbase import ~/Zotero`: the database, not its storage/ PDFs a second time as loose documents."""
    zdb, _ids = build(tmp_path)
    report = import_paths(cat, [zdb.folder], dry_run=True)
    assert [(Path(f.path).name, f.status) for f in report.files] == [("zotero.sqlite", "zotero")]


def test_not_a_zotero_database_is_said(cat: Catalogue, tmp_path: Path) -> None:
    bad = tmp_path / "zotero.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    other = tmp_path / "places.sqlite"
    zdb, _ids = build(tmp_path / "good")
    other.write_bytes(b"just bytes")
    report = import_paths(cat, [bad, other, zdb.path])
    assert [(f.status, f.refused) for f in report.files[:2]] == [("failed", 1), ("failed", 1)]
    assert all("not a Zotero database" in f.message for f in report.files[:2])
    assert report.files[2].status == "zotero" and report.files[2].created == 4  # the rest of the batch goes on


def test_annotations_and_an_attachments_own_note_are_counted(cat: Catalogue, tmp_path: Path) -> None:
    zdb = ZoteroDB(tmp_path / "Zotero", "124")
    item = zdb.item("report", {"title": "Annotated report"})
    pdf = zdb.stored_pdf(item, "a.pdf")
    zdb.annotate(pdf, "a highlighted sentence")
    zdb.con.execute("INSERT INTO itemNotes VALUES (?, NULL, '<p>on the PDF itself</p>', '')", (pdf,))
    zdb.note("<p>on the report</p>", item)
    zdb.close()
    (f,) = import_paths(cat, [zdb.path]).files
    balanced(f.zotero)
    assert f.zotero["notes"] == {"read": 2, "added": 1, "an attachment's own note, not imported": 1}
    assert f.zotero["annotations"] == {"read": 1, "not imported (kept in Zotero's PDF reader)": 1}
