"""The Zotero reader on databases made with Zotero's own schema (5's layout and 6/7's): items, creators and
roles, dates, Extra, tags, attachments, notes, collections, relations, the trash, and the file left untouched."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from kbase.errors import ImportProblem
from kbase.formats.zotero import base_directory, is_zotero_db, item_key_of, read_zotero
from kbase.formats.zotero_map import csl_item, note_markdown, note_title, to_record
from tests.zotero_db import LAYOUTS, ZoteroDB


@pytest.fixture(params=LAYOUTS)
def zdb(request: pytest.FixtureRequest, tmp_path: Path) -> ZoteroDB:
    return ZoteroDB(tmp_path / "Zotero", request.param)


def _by_title(lib, title):
    return next(it for it in lib.items if it.fields.get("title") == title)


def test_items_creators_dates_extra_and_tags(zdb: ZoteroDB) -> None:
    zdb.item("report", {"title": "Mapping artisanal mining sites in eastern DRC", "date": "2019-06-00 June 2019",
                        "institution": "IPIS", "reportNumber": "12", "reportType": "Briefing",
                        "extra": "Citation Key: ipis2019map\nPMID: 42", "language": "en"},
             [("author", "Ken", "Matthysen"), ("author", "IPIS"), ("seriesEditor", "Filip", "Hilgert")],
             tags=["gold", "DRC"])
    zdb.item("film", {"title": "Voices from Tanzania", "date": "2021-00-00 2021"},
             [("director", "Aline", "Mwamba"), ("producer", "Joseph", "Kabila")])
    zdb.item("bookSection", {"title": "Cobalt", "bookTitle": "Supply chains", "date": "0000-00-00 spring 2018"},
             [("author", "Jean", "de La Fontaine"), ("editor", "Ludwig", "van Beethoven")])
    lib = read_zotero(zdb.close())
    assert lib.schema_version == int(zdb.layout)
    report = _by_title(lib, "Mapping artisanal mining sites in eastern DRC")
    # type-specific fields read under their base names, as Zotero's baseFieldMappings say
    assert report.fields["publisher"] == "IPIS" and report.fields["number"] == "12"
    assert report.fields["type"] == "Briefing"
    assert "institution" not in report.fields
    assert [(c.role, c.first, c.last, c.single) for c in report.creators] == [
        ("author", "Ken", "Matthysen", False), ("author", "", "IPIS", True),
        ("seriesEditor", "Filip", "Hilgert", False)]
    assert report.tags == ["DRC", "gold"]

    rec = to_record(report, 0)
    assert not isinstance(rec, str)
    assert rec.key == "ipis2019map" and rec.line == report.item_id
    assert rec.columns["type"] == "briefing" and rec.columns["year"] == 2019 and rec.columns["month"] == 6
    assert rec.publisher == "IPIS" and rec.subjects == ["DRC", "gold"]
    assert [(r, n.kind, n.display) for r, n in rec.contributors] == [
        ("author", "person", "Ken Matthysen"), ("author", "organisation", "IPIS")]
    assert rec.extra["zotero"]["key"] == report.key and rec.extra["zotero"]["type"] == "report"
    assert rec.extra["fields"]["pmid"] == "42" and rec.extra["fields"]["serieseditor"] == "Filip Hilgert"
    assert rec.extra["zotero_creators"] == [{"name": "Filip Hilgert", "role": "seriesEditor"}]

    film = to_record(_by_title(lib, "Voices from Tanzania"), 1)
    assert film.columns["type"] == "video" and film.columns["year"] == 2021
    assert [(r, n.display) for r, n in film.contributors] == [("author", "Aline Mwamba")]  # the film's primary creator
    assert film.extra["fields"]["producer"] == "Joseph Kabila"

    chapter = to_record(_by_title(lib, "Cobalt"), 2)
    assert chapter.columns["type"] == "book chapter" and chapter.columns["container"] == "Supply chains"
    assert chapter.contributors[0][1].sortable == "de La Fontaine, Jean"
    assert chapter.contributors[1][0] == "editor"
    assert chapter.columns["year"] == 2018 and chapter.notes == ["issued 'spring 2018' read as 2018"]  # typed date


def test_attachments_found_missing_linked_and_not_pdf(zdb: ZoteroDB, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no Zotero preferences to find the base directory in
    base = tmp_path / "Papers"
    from tests.pdfs import text_pdf

    text_pdf(base / "drc" / "linked.pdf", ["linked page"])
    text_pdf(tmp_path / "elsewhere.pdf", ["absolute page"])
    item = zdb.item("journalArticle", {"title": "Gold"})
    stored = zdb.stored_pdf(item, "gold.pdf")
    zdb.stored_pdf(item, "never-synced.pdf", write=False)
    zdb.linked_file(item, "attachments:drc/linked.pdf")
    zdb.linked_file(item, str(tmp_path / "elsewhere.pdf"))
    zdb.linked_file(item, "/nowhere/lost.pdf")
    zdb.linked_url(item, "https://ipisresearch.be/gold")
    zdb.stored_file(item, "snapshot.html", b"<html><body>page</body></html>", "text/html")
    trashed = zdb.stored_pdf(item, "binned.pdf")
    zdb.trash(trashed)
    loose = zdb.stored_pdf(None, "standalone.pdf")
    path = zdb.close()

    without = read_zotero(path)
    atts = {a.item_id: a for a in without.all_attachments}
    assert len(without.items[0].attachments) == 7 and without.trashed["attachments"] == 1
    assert atts[stored].file == zdb.storage / atts[stored].key / "gold.pdf" and atts[stored].is_pdf
    problems = sorted(a.problem.split(":")[0] for a in without.items[0].attachments if a.file is None)
    assert problems == ["a link to a web page, not a file", "file not found", "file not found",
                        "linked file 'drc/linked.pdf' is relative to Zotero's base directory, which was not given "
                        "(--zotero-base DIR)"]
    snapshot = next(a for a in without.all_attachments if a.file and a.file.name == "snapshot.html")
    assert not snapshot.is_pdf
    assert [a.item_id for a in without.standalone_attachments] == [loose]
    web = next(a for a in without.all_attachments if a.url)
    assert web.url == "https://ipisresearch.be/gold"

    with_base = read_zotero(path, base_dir=base)
    linked = [a.file for a in with_base.items[0].attachments if a.file and "linked" in a.file.name]
    assert linked == [base / "drc" / "linked.pdf"]


def test_the_base_directory_comes_from_zotero_preferences(zdb: ZoteroDB, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pdfs import text_pdf

    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    text_pdf(tmp_path / "Shared papers" / "tin.pdf", ["tin"])
    item = zdb.item("report", {"title": "Tin"})
    zdb.linked_file(item, "attachments:tin.pdf")
    path = zdb.close()
    other = home / ".zotero" / "zotero" / "a1b2.default"  # another profile, another data directory: not this one
    other.mkdir(parents=True)
    (other / "prefs.js").write_text('user_pref("extensions.zotero.baseAttachmentPath", "/elsewhere");\n'
                                    'user_pref("extensions.zotero.dataDir", "/other/Zotero");\n')
    assert base_directory(path) is None and read_zotero(path).items[0].attachments[0].file is None
    mine = home / ".zotero" / "zotero" / "c3d4.work"
    mine.mkdir()
    (mine / "prefs.js").write_text('user_pref("extensions.zotero.useDataDir", true);\n'
                                   f'user_pref("extensions.zotero.dataDir", {json.dumps(str(path.parent))});\n'
                                   'user_pref("extensions.zotero.baseAttachmentPath", '
                                   f'{json.dumps(str(tmp_path / "Shared papers"))});\n')
    assert base_directory(path) == tmp_path / "Shared papers"
    assert read_zotero(path).items[0].attachments[0].file == tmp_path / "Shared papers" / "tin.pdf"


def test_notes_collections_relations_and_the_trash(zdb: ZoteroDB) -> None:
    a = zdb.item("report", {"title": "A"})
    b = zdb.item("report", {"title": "B"})
    gone = zdb.item("book", {"title": "In the bin"}, tags=["binned-only"])
    zdb.trash(gone)
    zdb.note("<p>about A</p>", a)
    zdb.note("<p>about the bin</p>", gone)
    zdb.note("<p>thrown away</p>", a, trashed=True)
    loose = zdb.note("<h1>Reading list</h1><p>for the mission</p>")
    top = zdb.collection("Mining")
    sub = zdb.collection("Gold", top)
    zdb.file(sub, a, gone, loose)
    zdb.file(top, b)
    zdb.relate(a, b)
    zdb.relate(a, gone)
    lib = read_zotero(zdb.close())
    assert [it.fields["title"] for it in lib.items] == ["A", "B"]
    assert lib.trashed == {"items": 1, "notes": 2, "attachments": 0}
    item_a = _by_title(lib, "A")
    assert [n.html for n in item_a.notes] == ["<p>about A</p>"]
    assert [n.item_id for n in lib.standalone_notes] == [loose]
    cols = {c.name: c for c in lib.collections}
    assert cols["Gold"].parent_id == cols["Mining"].collection_id and cols["Mining"].parent_id is None
    assert cols["Gold"].item_ids == [a] and cols["Gold"].other_ids == [loose]  # the trashed item is not filed
    keys = {it.item_id: it.key for it in lib.items}
    related = [item_key_of(o) for p, o in item_a.relations]
    assert ("users", "local-" + zdb.local_user, keys[b]) in related and len(related) == 2  # one end is in the trash
    assert lib.tags == {"on items": 0, "only on notes or attachments": 0, "only on items in the trash": 1}


def test_a_trashed_collection_and_those_under_it_are_counted_not_read(tmp_path: Path) -> None:
    zdb = ZoteroDB(tmp_path / "Zotero", "124")  # deletedCollections came with Zotero 6's layout
    top = zdb.collection("Old projects", trashed=True)
    zdb.collection("Kufatilia", top)
    zdb.collection("Madini")
    lib = read_zotero(zdb.close())
    assert [c.name for c in lib.collections] == ["Madini"] and lib.trashed["collections"] == 2


def test_annotations_and_attachment_notes_are_counted(tmp_path: Path) -> None:
    zdb = ZoteroDB(tmp_path / "Zotero", "124")
    item = zdb.item("report", {"title": "Annotated"})
    pdf = zdb.stored_pdf(item, "a.pdf")
    zdb.annotate(pdf, "a highlighted sentence")
    zdb.con.execute("INSERT INTO itemNotes VALUES (?, NULL, '<p>on the PDF</p>', '')", (pdf,))
    lib = read_zotero(zdb.close())
    assert lib.annotations == 1 and lib.notes_in_attachments == 1 and lib.items[0].notes == []


def test_the_file_is_read_only_and_may_be_locked_by_zotero(tmp_path: Path) -> None:
    zdb = ZoteroDB(tmp_path / "Zotero", "124")
    zdb.item("report", {"title": "Locked"})
    path = zdb.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    files_before = sorted(p.name for p in path.parent.iterdir())
    zotero = sqlite3.connect(path)  # Zotero running: it keeps an exclusive lock on its database
    zotero.execute("PRAGMA locking_mode = EXCLUSIVE")
    zotero.execute("BEGIN EXCLUSIVE")
    try:
        lib = read_zotero(path)
    finally:
        zotero.rollback()
        zotero.close()
    assert [it.fields["title"] for it in lib.items] == ["Locked"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in path.parent.iterdir()) == files_before  # no journal, no -shm left behind


def test_what_is_not_a_zotero_database(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE items (id INTEGER)")
    con.close()
    fake = tmp_path / "zotero.sqlite"
    fake.write_text("not a database")
    assert not is_zotero_db(other) and not is_zotero_db(fake) and not is_zotero_db(tmp_path / "missing.sqlite")
    with pytest.raises(ImportProblem, match="not a Zotero database"):
        read_zotero(fake)


def test_note_html_to_markdown() -> None:
    html = ('<div data-schema-version="8"><h2>Findings</h2><p>Gold from <em>Kamituga</em> &amp; '
            '<strong>Misisi</strong>, see <a href="https://ipisresearch.be">IPIS</a>.</p>'
            '<ol><li>first</li><li>second</li></ol><ul><li>a point</li></ul><p>line<br>break</p>'
            '<style>p {color: red}</style></div>')
    md = note_markdown(html)
    assert md == ("## Findings\n\nGold from *Kamituga* & **Misisi**, see [IPIS](https://ipisresearch.be).\n\n"
                  "1. first\n2. second\n\n- a point\n\nline\nbreak")
    assert note_title(md) == "Findings" and note_title(md, "Stored title") == "Stored title"
    assert note_markdown("plain &lt;text&gt;\x00") == "plain <text>"


def test_csl_item_names_dates_and_untouched_fields(zdb: ZoteroDB) -> None:
    zdb.item("webpage", {"title": "Kufatilia", "websiteTitle": "IPIS", "accessDate": "2020-01-31 10:00:00",
                         "date": "2020-01-00 January 2020", "rights": "CC BY"}, [("contributor", "Anna", "Smith")])
    lib = read_zotero(zdb.close())
    csl = csl_item(lib.items[0])
    assert csl["type"] == "webpage" and csl["container-title"] == "IPIS"
    assert csl["issued"] == {"date-parts": [[2020, 1]]} and csl["accessed"] == {"date-parts": [[2020, 1, 31]]}
    assert csl["contributor"] == [{"family": "Smith", "given": "Anna"}]
    assert csl["_zotero_fields"] == {"rights": "CC BY"}


def test_odd_rows_are_read_or_said_never_a_crash(tmp_path: Path) -> None:
    """What a long-lived Zotero database may hold: a type this schema does not know, creators without names,
    control characters, an untitled item, a loop of parent collections, an attachment without a path."""
    zdb = ZoteroDB(tmp_path / "Zotero", "124")
    odd = zdb.item("report", {"title": "Tin\x00 in \x07Maniema", "extra": "note\x1b line"}, [("author", "", "")])
    untitled = zdb.item("document", {"date": "2020-00-00 2020"}, [("author", "Aline", "Mwamba")])
    zdb.con.execute("UPDATE items SET itemTypeID = 999 WHERE itemID = ?", (untitled,))
    zdb.note("<p>bell\x07 and NUL\x00</p>", odd)
    zdb.con.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                    "SELECT itemID, ?, NULL, NULL, NULL FROM items WHERE itemID = ?", (odd, zdb._item("attachment")[0]))
    a = zdb.collection("A")
    b = zdb.collection("B", a)
    zdb.con.execute("UPDATE collections SET parentCollectionID = ? WHERE collectionID = ?", (b, a))
    zdb.file(a, odd)
    zdb.con.execute("INSERT INTO relationPredicates (predicate) VALUES ('dc:relation')")
    zdb.con.execute("INSERT INTO itemRelations VALUES (?, 1, 'https://example.org/not-zotero')", (odd,))
    lib = read_zotero(zdb.close())
    assert lib.problems == ["1 item of an unknown type 999 (not in this database's itemTypes): read as documents"]
    item = _by_title(lib, "Tin in Maniema")  # NUL and control characters are gone at the boundary
    assert item.fields["extra"] == "note line" and item.attachments[0].problem == "no file name in the database"
    assert note_markdown(item.notes[0].html) == "bell and NUL"
    assert item_key_of(item.relations[0][1]) is None
    records = [to_record(it, i) for i, it in enumerate(lib.items)]
    assert all(not isinstance(r, str) for r in records)
    assert {r.columns["title"] for r in records} == {"Tin in Maniema", "[untitled]"}
    assert records[0].contributors == []  # a creator with no name is no contributor
    assert sorted(c.name for c in lib.collections) == ["A", "B"]  # the loop of parents is read, not followed forever


def test_a_two_field_name_is_a_person_even_with_one_field_empty(zdb: ZoteroDB) -> None:
    zdb.item("book", {"title": "Politics"}, [("author", "", "Aristotle"), ("author", "Plato", ""),
                                             ("editor", "World Bank")])
    rec = to_record(read_zotero(zdb.close()).items[0], 0)
    assert [(role, n.kind, n.display) for role, n in rec.contributors] == [
        ("author", "person", "Aristotle"), ("author", "person", "Plato"), ("editor", "organisation", "World Bank")]
