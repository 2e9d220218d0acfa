"""A Zotero database (zotero.sqlite with its storage/ folder), read without ever writing to it, as plain data.

The file is opened through SQLite's URI with mode=ro and immutable=1: nothing is written (no journal, no
-shm file), and Zotero's own lock is not needed, so Zotero may stay open. The layouts of Zotero 5 (item types
and fields in the tables system.sql makes) and of Zotero 6 and 7 (the same tables filled from the global
schema, and their *Combined copies) are both read, by table and column names.

Nothing here touches the catalogue: kbase.formats.zotero_map turns items into publication records and
kbase.imports.zotero writes them, with the notes, collections, relations and files.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kbase.errors import ImportProblem
from kbase.i18n import N_, en_ngettext
from kbase.text import clean_line, clean_text

# itemAttachments.linkMode
IMPORTED_FILE, IMPORTED_URL, LINKED_FILE, LINKED_URL, EMBEDDED_IMAGE = range(5)
_NOT_ITEMS = {"note", "attachment", "annotation"}  # item types that are no publication
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZOTERO_TABLES = {"items", "itemData", "itemDataValues", "itemAttachments", "collections", "creators"}
_ITEM_URI = re.compile(r"^https?://zotero\.org/(users|groups)/([^/]+)/items/([A-Z0-9]{8})$")
_PREF = re.compile(r'^user_pref\("extensions\.zotero\.(baseAttachmentPath|dataDir)",\s*("(?:[^"\\]|\\.)*")\);', re.M)


@dataclass
class Creator:
    role: str  # Zotero's creator type: author, editor, seriesEditor, bookAuthor, director…
    first: str
    last: str
    single: bool  # fieldMode 1: one name (an organisation), in last


@dataclass
class Attachment:
    item_id: int
    key: str
    parent_id: int | None
    link_mode: int
    content_type: str
    path: str  # as stored: "storage:name.pdf", "attachments:sub/x.pdf", an absolute path, or ""
    title: str = ""
    url: str = ""
    file: Path | None = None  # where the file is, when found
    problem: str = ""  # why there is no file

    @property
    def is_pdf(self) -> bool:
        name = self.file.name if self.file else self.path
        return self.content_type == "application/pdf" or name.lower().endswith(".pdf")


@dataclass
class Note:
    item_id: int
    key: str
    parent_id: int | None
    html: str
    title: str = ""


@dataclass
class Item:
    item_id: int
    key: str
    library_id: int
    type: str
    fields: dict[str, str] = field(default_factory=dict)  # Zotero's field names, base names filled in too
    creators: list[Creator] = field(default_factory=list)
    primary_role: str = "author"  # the creator type Zotero shows first for this item type
    tags: list[str] = field(default_factory=list)
    collections: list[int] = field(default_factory=list)
    relations: list[tuple[str, str]] = field(default_factory=list)  # (predicate, object URI)
    notes: list[Note] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


@dataclass
class Collection:
    collection_id: int
    key: str
    name: str
    parent_id: int | None
    item_ids: list[int] = field(default_factory=list)  # publications
    other_ids: list[int] = field(default_factory=list)  # standalone notes and attachments filed in it


@dataclass
class ZoteroLibrary:
    """What one zotero.sqlite holds, sorted into what the import brings and what it counts."""

    path: Path
    schema_version: int | None = None
    items: list[Item] = field(default_factory=list)  # publications, not in the trash
    standalone_notes: list[Note] = field(default_factory=list)
    standalone_attachments: list[Attachment] = field(default_factory=list)
    collections: list[Collection] = field(default_factory=list)
    trashed: dict[str, int] = field(default_factory=dict)  # items, notes, attachments, collections in the trash
    annotations: int = 0  # PDF annotations of Zotero 6+ (kept in Zotero's reader, not in any file)
    feed_items: int = 0  # RSS feed items: no part of a library
    notes_in_attachments: int = 0  # an attachment's own note
    tags: dict[str, int] = field(default_factory=dict)  # distinct tag names by where they are used
    problems: list[str] = field(default_factory=list)  # about the file: items of an unknown type …
    base_dir: Path | None = None  # the base directory of linked files, as given or found in Zotero's preferences

    @property
    def tag_names(self) -> list[str]:
        return sorted({t for it in self.items for t in it.tags}, key=str.casefold)

    @property
    def all_notes(self) -> list[Note]:
        return [n for it in self.items for n in it.notes] + self.standalone_notes

    @property
    def all_attachments(self) -> list[Attachment]:
        return [a for it in self.items for a in it.attachments] + self.standalone_attachments


def is_zotero_db(path: str | Path) -> bool:
    """True for an SQLite file with Zotero's tables (read-only; a file that cannot be read is not one)."""
    p = Path(path)
    try:
        with open(p, "rb") as f:
            if f.read(16) != _SQLITE_MAGIC:
                return False
        con = _open(p)
    except (OSError, sqlite3.Error):
        return False
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return _ZOTERO_TABLES <= names


def _open(path: Path) -> sqlite3.Connection:
    uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def read_zotero(path: str | Path, base_dir: str | Path | None = None) -> ZoteroLibrary:
    """Read a zotero.sqlite; its storage/ folder is the one beside it. base_dir is Zotero's "Linked Attachment
    Base Directory" (Preferences → Advanced → Files and Folders), against which "attachments:" paths resolve;
    without it, such files are reported missing."""
    path = Path(path).expanduser()
    if not is_zotero_db(path):
        raise ImportProblem(N_("{path}: not a Zotero database (no Zotero tables in it, or not an SQLite file)").format(
            path=path))
    lib = ZoteroLibrary(path)
    lib.base_dir = Path(base_dir).expanduser() if base_dir else base_directory(path)
    con = _open(path)
    try:
        _read(con, lib, path.parent / "storage", lib.base_dir)
    except sqlite3.DatabaseError as exc:
        raise ImportProblem(N_("{path}: cannot read the Zotero database: {reason}").format(
            path=path, reason=exc)) from exc
    finally:
        con.close()
    if Path(f"{path}-wal").exists():
        lib.problems.append(N_("a zotero.sqlite-wal file lies beside the database: Zotero is open and has changes not "
                            "yet written into the file; they are not read (close Zotero and import again for them)"))
    return lib


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _names(con: sqlite3.Connection, tables: set[str], plain: str, combined: str, id_col: str,
           name_col: str) -> dict[int, str]:
    """itemTypes/fields by ID: the plain table, then its *Combined copy (custom types and fields) over it."""
    out: dict[int, str] = {}
    for table in (plain, combined):
        if table in tables:
            out.update((int(i), str(n)) for i, n in con.execute(f"SELECT {id_col}, {name_col} FROM {table}")
                       if i is not None and n)
    return out


def _read(con: sqlite3.Connection, lib: ZoteroLibrary, storage: Path, base_dir: Path | None) -> None:
    tables = _tables(con)
    if "version" in tables:
        row = con.execute("SELECT version FROM version WHERE schema = 'userdata'").fetchone()
        lib.schema_version = int(row[0]) if row and str(row[0]).isdigit() else None
    types = _names(con, tables, "itemTypes", "itemTypesCombined", "itemTypeID", "typeName")
    fields = _names(con, tables, "fields", "fieldsCombined", "fieldID", "fieldName")
    base_of = _base_fields(con, tables, fields)
    creator_types = {int(i): str(n) for i, n in con.execute("SELECT creatorTypeID, creatorType FROM creatorTypes")} \
        if "creatorTypes" in tables else {}
    primary: dict[int, str] = {}
    if "itemTypeCreatorTypes" in tables:
        for type_id, ct_id in con.execute("SELECT itemTypeID, creatorTypeID FROM itemTypeCreatorTypes "
                                          "WHERE primaryField = 1"):
            primary[int(type_id)] = creator_types.get(int(ct_id), "author")
    trashed = {int(r[0]) for r in con.execute("SELECT itemID FROM deletedItems")} if "deletedItems" in tables else set()
    feeds = {int(r[0]) for r in con.execute("SELECT itemID FROM feedItems")} if "feedItems" in tables else set()
    lib.feed_items = len(feeds)
    if "itemAnnotations" in tables:
        lib.annotations = con.execute("SELECT COUNT(*) FROM itemAnnotations").fetchone()[0]

    rows = con.execute("SELECT itemID, itemTypeID, key, libraryID FROM items ORDER BY itemID").fetchall()
    kind = {int(i): types.get(int(t), f"unknown type {t}") for i, t, _k, _l in rows}
    parents = _parents(con)
    items: dict[int, Item] = {}
    trash = {"items": 0, "notes": 0, "attachments": 0}
    unknown: dict[str, int] = {}
    for item_id, type_id, key, library_id in rows:
        item_id = int(item_id)
        name = kind[item_id]
        if item_id in feeds or name in _NOT_ITEMS:
            continue
        if item_id in trashed:
            trash["items"] += 1
            continue
        if name.startswith("unknown type"):
            unknown[name] = unknown.get(name, 0) + 1
        items[item_id] = Item(item_id, clean_line(str(key)), int(library_id or 0), name,
                              primary_role=primary.get(int(type_id), "author"))
    for name, n in sorted(unknown.items()):
        lib.problems.append(en_ngettext("{n} item of an {type} (not in this database's itemTypes): read as documents",
                                        "{n} items of an {type} (not in this database's itemTypes): read as documents",
                                        n).format(n=n, type=name))

    _read_fields(con, items, fields, base_of)
    _read_creators_tags_relations(con, items, tables, creator_types)

    _read_notes(con, lib, items, kind, trashed, feeds, parents, trash)
    _read_attachments(con, lib, items, trashed, feeds, trash, storage, base_dir)
    _read_collections(con, lib, items, tables)
    lib.items = list(items.values())
    _count_tags(con, lib, items, trashed)
    lib.trashed = {**trash, **lib.trashed}


def _read_fields(con: sqlite3.Connection, items: dict[int, Item], fields: dict[int, str],
                base_of: dict[tuple[str, str], str]) -> None:
    """Each item's field values, under the base field's name where its type names it otherwise."""
    for item_id, field_id, value in con.execute(
            "SELECT d.itemID, d.fieldID, v.value FROM itemData d JOIN itemDataValues v ON v.valueID = d.valueID"):
        it = items.get(int(item_id))
        if it is None or value is None:
            continue
        fname = fields.get(int(field_id), f"field{field_id}")
        text = clean_text(str(value)).strip()
        if text:
            it.fields[fname] = text
    for it in items.values():
        for fname in list(it.fields):
            base = base_of.get((it.type, fname)) or base_of.get(("", fname))
            if base and base not in it.fields:  # one name for one value: institution is the report's publisher
                it.fields[base] = it.fields.pop(fname)


def _read_creators_tags_relations(con: sqlite3.Connection, items: dict[int, Item], tables: set[str],
                                  creator_types: dict[int, str]) -> None:
    for item_id, first, last, mode, ct_id in con.execute(
            "SELECT ic.itemID, c.firstName, c.lastName, c.fieldMode, ic.creatorTypeID FROM itemCreators ic "
            "JOIN creators c ON c.creatorID = ic.creatorID ORDER BY ic.itemID, ic.orderIndex"):
        it = items.get(int(item_id))
        if it is not None:
            it.creators.append(Creator(creator_types.get(int(ct_id), "author"), clean_line(first or "").strip(),
                                       clean_line(last or "").strip(), bool(mode)))

    for item_id, tag in con.execute("SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID "
                                    "ORDER BY it.itemID, t.name"):
        it = items.get(int(item_id))
        name = clean_line(tag or "").strip()
        if it is not None and name and name not in it.tags:
            it.tags.append(name)

    if "itemRelations" in tables and "relationPredicates" in tables:
        for item_id, predicate, obj in con.execute(
                "SELECT r.itemID, p.predicate, r.object FROM itemRelations r "
                "JOIN relationPredicates p ON p.predicateID = r.predicateID ORDER BY r.itemID"):
            it = items.get(int(item_id))
            if it is not None:
                it.relations.append((str(predicate), str(obj)))


def _parents(con: sqlite3.Connection) -> dict[int, int | None]:
    return {int(i): (int(p) if p is not None else None)
            for i, p in con.execute("SELECT itemID, parentItemID FROM itemAttachments")}


def _base_fields(con: sqlite3.Connection, tables: set[str], fields: dict[int, str]) -> dict[tuple[str, str], str]:
    """(item type, type-specific field) → base field (bookTitle → publicationTitle, institution → publisher …)."""
    types = _names(con, tables, "itemTypes", "itemTypesCombined", "itemTypeID", "typeName")
    out: dict[tuple[str, str], str] = {}
    for table in ("baseFieldMappings", "baseFieldMappingsCombined"):
        if table in tables:
            for type_id, base_id, field_id in con.execute(f"SELECT itemTypeID, baseFieldID, fieldID FROM {table}"):
                base, specific = fields.get(int(base_id)), fields.get(int(field_id))
                if base and specific:
                    out[(types.get(int(type_id), ""), specific)] = base
    return out


def _read_notes(con: sqlite3.Connection, lib: ZoteroLibrary, items: dict[int, Item], kind: dict[int, str],
                trashed: set[int], feeds: set[int], parents: dict[int, int | None], trash: dict[str, int]) -> None:
    keys = dict(con.execute("SELECT itemID, key FROM items"))
    for item_id, parent_id, html, title in con.execute(
            "SELECT itemID, parentItemID, note, title FROM itemNotes ORDER BY itemID"):
        item_id = int(item_id)
        if kind.get(item_id) != "note":
            lib.notes_in_attachments += bool((html or "").strip())  # an attachment's own note
            continue
        if item_id in feeds:
            continue
        parent = int(parent_id) if parent_id is not None else None
        if item_id in trashed or (parent is not None and parent in trashed):
            trash["notes"] += 1
            continue
        note = Note(item_id, str(keys.get(item_id, "")), parent, str(html or ""), clean_line(title or "").strip())
        if parent is not None and parent in items:
            items[parent].notes.append(note)
        elif parent is None:
            lib.standalone_notes.append(note)
        else:  # a note under an attachment or a feed item: kept standalone, so it is not lost
            lib.standalone_notes.append(note)


def _read_attachments(con: sqlite3.Connection, lib: ZoteroLibrary, items: dict[int, Item], trashed: set[int],
                      feeds: set[int], trash: dict[str, int], storage: Path, base_dir: Path | None) -> None:
    titles: dict[int, str] = {}
    urls: dict[int, str] = {}
    for item_id, fname, value in con.execute(
            "SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN itemDataValues v ON v.valueID = d.valueID "
            "JOIN itemAttachments a ON a.itemID = d.itemID "
            f"JOIN ({_field_table(con)}) f ON f.fieldID = d.fieldID WHERE f.fieldName IN ('title', 'url')"):
        (titles if fname == "title" else urls)[int(item_id)] = clean_line(str(value or "")).strip()
    for item_id, key, parent_id, mode, ctype, path in con.execute(
            "SELECT a.itemID, i.key, a.parentItemID, a.linkMode, a.contentType, a.path FROM itemAttachments a "
            "JOIN items i ON i.itemID = a.itemID ORDER BY a.itemID"):
        item_id = int(item_id)
        if item_id in feeds:
            continue
        parent = int(parent_id) if parent_id is not None else None
        if item_id in trashed or (parent is not None and parent in trashed):
            trash["attachments"] += 1
            continue
        att = Attachment(item_id, str(key), parent, int(mode if mode is not None else -1), str(ctype or ""),
                         clean_line(str(path or "")), titles.get(item_id, ""), urls.get(item_id, ""))
        _locate(att, storage, base_dir)
        if parent is not None and parent in items:
            items[parent].attachments.append(att)
        elif parent is None:
            lib.standalone_attachments.append(att)
        else:  # an image inside a note (Zotero 7), or under a feed item
            lib.standalone_attachments.append(att)


def _field_table(con: sqlite3.Connection) -> str:
    tables = _tables(con)
    parts = [f"SELECT fieldID, fieldName FROM {t}" for t in ("fields", "fieldsCombined") if t in tables]
    return " UNION ".join(parts) or "SELECT NULL AS fieldID, NULL AS fieldName"


def _locate(att: Attachment, storage: Path, base_dir: Path | None) -> None:
    """Where the attachment's file is, or why it has none."""
    if att.link_mode == LINKED_URL:
        att.problem = "a link to a web page, not a file"
        return
    path = att.path
    if att.link_mode in (IMPORTED_FILE, IMPORTED_URL, EMBEDDED_IMAGE) or path.startswith("storage:"):
        name = path.removeprefix("storage:")
        candidate = storage / att.key / name if name else None
    elif path.startswith("attachments:"):
        rel = path.removeprefix("attachments:").replace("\\", "/")
        if base_dir is None:
            att.problem = (N_("linked file {file} is relative to Zotero's base directory, which was not given "
                              "(--zotero-base DIR)").format(file=repr(rel)))
            return
        candidate = base_dir / rel
    elif path:
        candidate = Path(path)
    else:
        candidate = None
    if candidate is None:
        att.problem = "no file name in the database"
    elif candidate.is_file():
        att.file = candidate
    else:
        att.problem = N_("file not found: {path}").format(path=candidate)


def _read_collections(con: sqlite3.Connection, lib: ZoteroLibrary, items: dict[int, Item], tables: set[str]) -> None:
    """Collections with their items (those imported); a collection in the trash (Zotero 6+) and those under it
    are counted, not read."""
    gone = {int(r[0]) for r in con.execute("SELECT collectionID FROM deletedCollections")} \
        if "deletedCollections" in tables else set()
    rows = [(int(i), str(k), clean_line(str(n or "")).strip() or "(unnamed)", int(p) if p is not None else None)
            for i, k, n, p in con.execute("SELECT collectionID, key, collectionName, parentCollectionID "
                                          "FROM collections ORDER BY collectionID")]
    parent_of = {i: p for i, _k, _n, p in rows}

    def trashed(cid: int | None, depth: int = 0) -> bool:
        while cid is not None and depth < 100:  # a loop of parents cannot hang the import
            if cid in gone:
                return True
            cid, depth = parent_of.get(cid), depth + 1
        return False

    by_id: dict[int, Collection] = {}
    for cid, key, name, parent in rows:
        if trashed(cid):
            lib.trashed["collections"] = lib.trashed.get("collections", 0) + 1
            continue
        by_id[cid] = Collection(cid, key, name, parent)
    loose = {n.item_id for n in lib.standalone_notes} | {a.item_id for a in lib.standalone_attachments}
    for cid, item_id in con.execute("SELECT collectionID, itemID FROM collectionItems "
                                    "ORDER BY collectionID, orderIndex"):
        col = by_id.get(int(cid))
        if col is not None and int(item_id) in items:
            col.item_ids.append(int(item_id))
            items[int(item_id)].collections.append(int(cid))
        elif col is not None and int(item_id) in loose:
            col.other_ids.append(int(item_id))
    for col in by_id.values():  # a parent that is gone or missing: the collection stands at the top
        if col.parent_id is not None and col.parent_id not in by_id:
            col.parent_id = None
    lib.collections = list(by_id.values())


def item_key_of(uri: str) -> tuple[str, str, str] | None:
    """("users"|"groups", library, KEY) of a Zotero item URI (http://zotero.org/users/local/abc/items/KEY)."""
    found = _ITEM_URI.match(uri.replace("/users/local/", "/users/local-").strip())
    return (found.group(1), found.group(2), found.group(3)) if found else None


def _count_tags(con: sqlite3.Connection, lib: ZoteroLibrary, items: dict[int, Item], trashed: set[int]) -> None:
    """Every tag name used, by where: on publications (they become subjects), only on notes or attachments,
    only on items in the trash."""
    where: dict[str, set[str]] = {}
    for item_id, name in con.execute("SELECT it.itemID, t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID"):
        name = clean_line(name or "").strip()
        if name:
            place = "items" if int(item_id) in items else "trash" if int(item_id) in trashed else "other"
            where.setdefault(name, set()).add(place)
    lib.tags = {"on items": sum("items" in w for w in where.values()),
                "only on notes or attachments": sum("items" not in w and "other" in w for w in where.values()),
                "only on items in the trash": sum(w == {"trash"} for w in where.values())}


def profile_folders(home: Path | None = None) -> list[Path]:
    """Where Zotero keeps its profiles (prefs.js) on Linux, macOS and Windows."""
    home = home or Path.home()
    roots = [home / ".zotero" / "zotero", home / "Library" / "Application Support" / "Zotero" / "Profiles"]
    if os.environ.get("APPDATA"):
        roots.append(Path(os.environ["APPDATA"]) / "Zotero" / "Zotero" / "Profiles")
    return [p for root in roots if root.is_dir() for p in sorted(root.iterdir()) if (p / "prefs.js").is_file()]


def base_directory(db: Path, home: Path | None = None) -> Path | None:
    """Zotero's "Linked Attachment Base Directory" for this database, from the preferences of the Zotero profile
    whose data directory holds it (a profile without a data directory of its own uses ~/Zotero)."""
    home = home or Path.home()
    folder = db.resolve().parent
    for profile in profile_folders(home):
        try:
            text = (profile / "prefs.js").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        prefs = {}
        for name, quoted in _PREF.findall(text):
            try:
                prefs[name] = json.loads(quoted)
            except ValueError:
                continue
        data_dir = Path(prefs["dataDir"]).expanduser() if prefs.get("dataDir") else home / "Zotero"
        if prefs.get("baseAttachmentPath") and data_dir.resolve() == folder:
            return Path(prefs["baseAttachmentPath"]).expanduser()
    return None
