"""Real zotero.sqlite files for tests: Zotero's own schema (tests/data/zotero/), rows inserted as Zotero stores them."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from tests.pdfs import text_pdf

SCHEMAS = Path(__file__).parent / "data" / "zotero"
LAYOUTS = ("107", "124")  # userdata.sql versions: Zotero 5's layout, and Zotero 6 and 7's
# IDs and names as Zotero's system.sql (schema 107) numbers them; schema.json keeps these and appends new ones
ITEM_TYPES = {
    "note": 1, "book": 2, "bookSection": 3, "journalArticle": 4, "magazineArticle": 5, "newspaperArticle": 6,
    "thesis": 7, "letter": 8, "manuscript": 9, "interview": 10, "film": 11, "artwork": 12, "webpage": 13,
    "attachment": 14, "report": 15, "bill": 16, "case": 17, "hearing": 18, "patent": 19, "statute": 20,
    "email": 21, "map": 22, "blogPost": 23, "instantMessage": 24, "forumPost": 25, "audioRecording": 26,
    "presentation": 27, "videoRecording": 28, "tvBroadcast": 29, "radioBroadcast": 30, "podcast": 31,
    "computerProgram": 32, "conferencePaper": 33, "document": 34, "encyclopediaArticle": 35,
    "dictionaryEntry": 36, "annotation": 37, "preprint": 38, "dataset": 39,
}
FIELDS = {
    "url": 1, "rights": 2, "series": 3, "volume": 4, "issue": 5, "edition": 6, "place": 7, "publisher": 8,
    "pages": 10, "ISBN": 11, "publicationTitle": 12, "ISSN": 13, "date": 14, "section": 15, "callNumber": 18,
    "archiveLocation": 19, "extra": 22, "journalAbbreviation": 25, "DOI": 26, "accessDate": 27,
    "seriesTitle": 28, "seriesNumber": 30, "institution": 31, "reportType": 32, "numberOfVolumes": 45,
    "number": 60, "libraryCatalog": 62, "mapType": 67, "scale": 68, "thesisType": 69, "websiteType": 70,
    "presentationType": 74, "meetingName": 75, "runningTime": 77, "conferenceName": 84, "language": 87,
    "university": 89, "abstractNote": 90, "websiteTitle": 91, "reportNumber": 92, "type": 108, "medium": 109,
    "title": 110, "proceedingsTitle": 114, "bookTitle": 115, "shortTitle": 116, "numPages": 118, "genre": 122,
    "archive": 123, "videoRecordingFormat": 63, "studio": 76,
}
# (item type, type-specific field, base field), as Zotero's baseFieldMappings
BASE_FIELDS = [
    ("report", "institution", "publisher"), ("report", "reportNumber", "number"), ("report", "reportType", "type"),
    ("thesis", "university", "publisher"), ("thesis", "thesisType", "type"),
    ("bookSection", "bookTitle", "publicationTitle"), ("conferencePaper", "proceedingsTitle", "publicationTitle"),
    ("webpage", "websiteTitle", "publicationTitle"), ("webpage", "websiteType", "type"),
    ("map", "mapType", "type"), ("presentation", "presentationType", "type"),
    ("videoRecording", "studio", "publisher"), ("videoRecording", "videoRecordingFormat", "medium"),
]
CREATOR_TYPES = {
    "author": 1, "contributor": 2, "editor": 3, "translator": 4, "seriesEditor": 5, "interviewee": 6,
    "interviewer": 7, "director": 8, "scriptwriter": 9, "producer": 10, "castMember": 11, "sponsor": 12,
    "counsel": 13, "inventor": 14, "attorneyAgent": 15, "recipient": 16, "performer": 17, "composer": 18,
    "wordsBy": 19, "cartographer": 20, "programmer": 21, "artist": 22, "commenter": 23, "presenter": 24,
    "guest": 25, "podcaster": 26, "reviewedAuthor": 27, "cosponsor": 28, "bookAuthor": 29,
}
PRIMARY = {"interview": "interviewee", "film": "director", "videoRecording": "director", "map": "cartographer",
           "presentation": "presenter", "computerProgram": "programmer", "artwork": "artist", "patent": "inventor"}
_GLOBAL_107 = """
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE itemTypeFields (itemTypeID INT, fieldID INT, hide INT, orderIndex INT,
    PRIMARY KEY (itemTypeID, orderIndex), UNIQUE (itemTypeID, fieldID));
CREATE TABLE baseFieldMappings (itemTypeID INT, baseFieldID INT, fieldID INT,
    PRIMARY KEY (itemTypeID, baseFieldID, fieldID));
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE itemTypeCreatorTypes (itemTypeID INT, creatorTypeID INT, primaryField INT,
    PRIMARY KEY (itemTypeID, creatorTypeID));
"""
KEY_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


def _key(n: int) -> str:
    """Eight characters of Zotero's key alphabet, one key per number."""
    out = ""
    for _ in range(8):
        n, digit = divmod(n, len(KEY_ALPHABET))
        out += KEY_ALPHABET[digit]
    return out


class ZoteroDB:
    """A Zotero data directory (zotero.sqlite and storage/) under folder, built row by row."""

    def __init__(self, folder: Path, layout: str = "124", local_user: str = "kB4se7Zt") -> None:
        self.folder = folder
        self.path = folder / "zotero.sqlite"
        self.storage = folder / "storage"
        folder.mkdir(parents=True, exist_ok=True)
        self.storage.mkdir(exist_ok=True)
        self.local_user = local_user
        self.layout = layout
        self._keys = (_key(n) for n in itertools.count(104729, 7919))
        self.con = sqlite3.connect(self.path)
        self.con.executescript((SCHEMAS / f"userdata-{layout}.sql").read_text(encoding="utf-8"))
        if layout == "107":
            self.con.executescript(_GLOBAL_107)
        self.con.execute("INSERT INTO version VALUES ('userdata', ?)", (int(layout),))
        self.con.execute("INSERT INTO libraries (libraryID, type, editable, filesEditable) VALUES (1, 'user', 1, 1)")
        self._fill_global(layout)

    def _fill_global(self, layout: str) -> None:
        c = self.con
        c.executemany("INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [(i, n) for n, i in ITEM_TYPES.items()])
        c.executemany("INSERT INTO fields VALUES (?, ?, NULL)", [(i, n) for n, i in FIELDS.items()])
        c.executemany("INSERT INTO creatorTypes VALUES (?, ?)", [(i, n) for n, i in CREATOR_TYPES.items()])
        c.executemany("INSERT INTO baseFieldMappings VALUES (?, ?, ?)",
                      [(ITEM_TYPES[t], FIELDS[b], FIELDS[f]) for t, f, b in BASE_FIELDS])
        for name, type_id in ITEM_TYPES.items():
            if name in ("note", "attachment", "annotation"):
                continue
            primary = PRIMARY.get(name, "author")
            roles = {primary, "contributor", "editor", "seriesEditor", "translator", "bookAuthor"}
            c.executemany("INSERT INTO itemTypeCreatorTypes VALUES (?, ?, ?)",
                          [(type_id, CREATOR_TYPES[r], int(r == primary)) for r in sorted(roles)])
        if layout != "107":  # Zotero 6+ fills the Combined copies at startup
            c.execute("INSERT INTO itemTypesCombined SELECT itemTypeID, typeName, display, 0 FROM itemTypes")
            c.execute("INSERT INTO fieldsCombined SELECT fieldID, fieldName, NULL, fieldFormatID, 0 FROM fields")
            c.execute("INSERT INTO baseFieldMappingsCombined SELECT * FROM baseFieldMappings")

    def key(self) -> str:
        return next(self._keys)

    def _item(self, type_name: str, key: str | None = None) -> tuple[int, str]:
        key = key or self.key()
        cur = self.con.execute("INSERT INTO items (itemTypeID, libraryID, key) VALUES (?, 1, ?)",
                               (ITEM_TYPES[type_name], key))
        return int(cur.lastrowid or 0), key

    def _value(self, value: str) -> int:
        row = self.con.execute("SELECT valueID FROM itemDataValues WHERE value = ?", (value,)).fetchone()
        if row:
            return int(row[0])
        return int(self.con.execute("INSERT INTO itemDataValues (value) VALUES (?)", (value,)).lastrowid or 0)

    def _set(self, item_id: int, name: str, value: str) -> None:
        self.con.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item_id, FIELDS[name], self._value(value)))

    def item(self, type_name: str, fields: dict[str, str], creators: list[tuple[str, ...]] = (),  # type: ignore[assignment]
             tags: list[str] = (), trashed: bool = False, key: str | None = None) -> int:  # type: ignore[assignment]
        """A regular item; creators are (role, first, last) or (role, single name); dates as Zotero stores
        them ("2019-03-00 March 2019")."""
        item_id, _key = self._item(type_name, key)
        for name, value in fields.items():
            self._set(item_id, name, value)
        for pos, creator in enumerate(creators):
            role, *name = creator
            first, last, mode = (name[0], name[1], 0) if len(name) == 2 else ("", name[0], 1)
            row = self.con.execute("SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ? "
                                   "AND fieldMode = ?", (first, last, mode)).fetchone()
            cid = row[0] if row else self.con.execute(
                "INSERT INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)", (first, last, mode)).lastrowid
            self.con.execute("INSERT INTO itemCreators VALUES (?, ?, ?, ?)", (item_id, cid, CREATOR_TYPES[role], pos))
        for tag in tags:
            self.tag(item_id, tag)
        if trashed:
            self.trash(item_id)
        return item_id

    def tag(self, item_id: int, name: str, automatic: bool = False) -> None:
        row = self.con.execute("SELECT tagID FROM tags WHERE name = ?", (name,)).fetchone()
        tid = row[0] if row else self.con.execute("INSERT INTO tags (name) VALUES (?)", (name,)).lastrowid
        self.con.execute("INSERT INTO itemTags VALUES (?, ?, ?)", (item_id, tid, int(automatic)))

    def trash(self, item_id: int) -> None:
        self.con.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))

    def note(self, html: str, parent: int | None = None, title: str = "", trashed: bool = False) -> int:
        item_id, _key = self._item("note")
        self.con.execute("INSERT INTO itemNotes VALUES (?, ?, ?, ?)", (item_id, parent, html, title))
        if trashed:
            self.trash(item_id)
        return item_id

    def _attachment(self, parent: int | None, mode: int, path: str, content_type: str, title: str,
                    key: str | None = None, url: str = "") -> tuple[int, str]:
        item_id, key = self._item("attachment", key)
        self.con.execute("INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                         "VALUES (?, ?, ?, ?, ?)", (item_id, parent, mode, content_type, path))
        self._set(item_id, "title", title)
        if url:
            self._set(item_id, "url", url)
        return item_id, key

    def stored_pdf(self, parent: int | None, filename: str = "report.pdf", pages: list[str] | None = None,
                   write: bool = True) -> int:
        """An imported PDF (linkMode 0) in storage/KEY/filename; write=False leaves the file out (not synced)."""
        key = self.key()
        if write:
            text_pdf(self.storage / key / filename, pages or [f"{filename} page one", f"{filename} page two"])
        item_id, _key = self._attachment(parent, 0, f"storage:{filename}", "application/pdf", "Full Text PDF", key)
        return item_id

    def stored_file(self, parent: int | None, filename: str, content: bytes, content_type: str) -> int:
        """An imported file that is no PDF (a web page snapshot, linkMode 1)."""
        key = self.key()
        (self.storage / key).mkdir(parents=True, exist_ok=True)
        (self.storage / key / filename).write_bytes(content)
        return self._attachment(parent, 1, f"storage:{filename}", content_type, "Snapshot", key)[0]

    def linked_file(self, parent: int | None, path: str, content_type: str = "application/pdf") -> int:
        """A linked file (linkMode 2): an absolute path, or "attachments:rel/path" under the base directory."""
        return self._attachment(parent, 2, path, content_type, Path(path).name)[0]

    def linked_url(self, parent: int | None, url: str) -> int:
        return self._attachment(parent, 3, "", "", "Web page", url=url)[0]

    def collection(self, name: str, parent: int | None = None, trashed: bool = False) -> int:
        cid = int(self.con.execute("INSERT INTO collections (collectionName, parentCollectionID, libraryID, key) "
                                   "VALUES (?, ?, 1, ?)", (name, parent, self.key())).lastrowid or 0)
        if trashed:
            self.con.execute("INSERT INTO deletedCollections (collectionID) VALUES (?)", (cid,))
        return cid

    def file(self, collection: int, *item_ids: int) -> None:
        for pos, item_id in enumerate(item_ids):
            self.con.execute("INSERT INTO collectionItems VALUES (?, ?, ?)", (collection, item_id, pos))

    def relate(self, a: int, b: int, predicate: str = "dc:relation") -> None:
        """Related items, both ways, as Zotero records them."""
        row = self.con.execute("SELECT predicateID FROM relationPredicates WHERE predicate = ?",
                               (predicate,)).fetchone()
        pid = row[0] if row else self.con.execute("INSERT INTO relationPredicates (predicate) VALUES (?)",
                                                  (predicate,)).lastrowid
        keys = dict(self.con.execute("SELECT itemID, key FROM items WHERE itemID IN (?, ?)", (a, b)).fetchall())
        for x, y in ((a, b), (b, a)):
            uri = f"http://zotero.org/users/local/{self.local_user}/items/{keys[y]}"
            self.con.execute("INSERT INTO itemRelations VALUES (?, ?, ?)", (x, pid, uri))

    def annotate(self, attachment: int, text: str) -> int:
        item_id, _key = self._item("annotation")
        self.con.execute("INSERT INTO itemAnnotations (itemID, parentItemID, type, text, sortIndex, position, "
                         "isExternal) VALUES (?, ?, 1, ?, '00000|000000|00000', '{}', 0)", (item_id, attachment, text))
        return item_id

    def close(self) -> Path:
        self.con.commit()
        self.con.close()
        return self.path
