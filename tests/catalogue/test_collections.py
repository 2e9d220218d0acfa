"""Collections: nested, ordered by name, a record in several; a path made in one call; a filter of queries."""

from __future__ import annotations

import json

import pytest

from kbase.catalogue import collections as coll
from kbase.catalogue import query
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from tests.cli_runner import run_cli


def _pubs(cat: Catalogue, *titles: str) -> list[int]:
    return [cat.add(m.Publication, title=t, type="report", year=2021).id for t in titles]


def test_nested_collections_in_name_order(cat: Catalogue) -> None:
    thesis = coll.add_collection(cat, "Thesis")
    coll.add_collection(cat, "chapter 2", parent_id=thesis["id"])
    coll.add_collection(cat, "Chapter 1", parent_id=thesis["id"])
    coll.add_collection(cat, "Annual report 2021")
    rows = coll.collections(cat)
    assert [(r["path"], r["depth"]) for r in rows] == [
        ("Annual report 2021", 0), ("Thesis", 0), ("Thesis/Chapter 1", 1), ("Thesis/chapter 2", 1)]
    with pytest.raises(InvalidInput, match="already a collection 'THESIS'"):
        coll.add_collection(cat, "THESIS")
    coll.ensure_collection_path(cat, ["Book", "Chapter 1"])  # the same name elsewhere is fine
    with pytest.raises(InvalidInput, match="several collections are named 'Chapter 1'"):
        coll.find_collection(cat, "Chapter 1")
    assert coll.find_collection(cat, "thesis/chapter 1") == rows[2]["id"]
    assert coll.find_collection(cat, str(thesis["id"])) == thesis["id"]
    with pytest.raises(NotFound, match="no collection named 'Nope'"):
        coll.find_collection(cat, "Nope")


def test_ensure_collection_path_makes_only_what_is_missing(cat: Catalogue) -> None:
    leaf = coll.ensure_collection_path(cat, ["Thesis", "Chapter 2"])
    again = coll.ensure_collection_path(cat, ["thesis", "Chapter 2"])
    other = coll.ensure_collection_path(cat, ["Thesis", "Chapter 3", "Maps"])
    assert leaf == again != other
    assert [r["path"] for r in coll.collections(cat)] == [
        "Thesis", "Thesis/Chapter 2", "Thesis/Chapter 3", "Thesis/Chapter 3/Maps"]
    with pytest.raises(InvalidInput, match="needs a name"):
        coll.ensure_collection_path(cat, ["Thesis", "  "])


def test_a_record_in_several_collections_and_the_filter(cat: Catalogue) -> None:
    a, b, c = _pubs(cat, "Gold", "Cobalt", "Tin")
    gold = coll.ensure_collection_path(cat, ["Minerals", "Gold"])
    minerals = coll.find_collection(cat, "Minerals")
    reading = coll.add_collection(cat, "Reading list")["id"]
    assert coll.put(cat, gold, "publication", [a]) == 1
    assert coll.put(cat, minerals, "publication", [b, b]) == 1
    assert coll.put(cat, reading, "publication", [a, c]) == 2
    assert coll.put(cat, reading, "publication", [a]) == 0
    assert [r["path"] for r in coll.collections_of(cat, "publication", a)] == ["Minerals/Gold", "Reading list"]
    # a collection's filter takes in what its sub-collections hold
    assert sorted(query.find_ids(cat, "publication", query.Filter(collection="Minerals"))) == [a, b]
    assert query.find_ids(cat, "publication", query.Filter(collection="Minerals/Gold")) == [a]
    assert sorted(query.find_ids(cat, "publication", query.Filter(collection=str(reading)))) == [a, c]
    assert coll.remove(cat, reading, "publication", [a]) == 1
    assert query.find_ids(cat, "publication", query.Filter(collection="Reading list")) == [c]
    with pytest.raises(NotFound, match="no publication with ID 999"):
        coll.put(cat, reading, "publication", [999])
    counts = {r["path"]: r["count"] for r in coll.collections(cat)}
    assert counts == {"Minerals": 1, "Minerals/Gold": 1, "Reading list": 1}


def test_rename_move_and_delete(cat: Catalogue) -> None:
    a, = _pubs(cat, "Gold")
    top = coll.add_collection(cat, "Top")["id"]
    sub = coll.add_collection(cat, "Sub", parent_id=top)["id"]
    other = coll.add_collection(cat, "Other")["id"]
    coll.put(cat, sub, "publication", [a])
    coll.rename_collection(cat, sub, "Renamed")
    with pytest.raises(InvalidInput, match="inside itself"):
        coll.move_collection(cat, top, sub)
    coll.move_collection(cat, sub, other)
    assert [r["path"] for r in coll.collections(cat)] == ["Other", "Other/Renamed", "Top"]
    assert coll.delete_collection(cat, other) == 2
    assert [r["path"] for r in coll.collections(cat)] == ["Top"]
    assert cat.get(m.Publication, a).title == "Gold"  # the records stay


def test_a_deleted_record_leaves_its_collections_and_comes_back_in_them(cat: Catalogue) -> None:
    a, = _pubs(cat, "Gold")
    box = coll.add_collection(cat, "Box")["id"]
    coll.put(cat, box, "publication", [a])
    snapshot = cat.delete(m.Publication, a)
    assert coll.collections(cat)[0]["count"] == 0
    cat.restore(snapshot)
    assert [r["id"] for r in coll.collections_of(cat, "publication", a)] == [box]


def test_collection_commands_and_filters(location: str, tmp_path) -> None:
    def kb(*args: str, ok: bool = True) -> str:
        proc = run_cli([*args, "--library", location])
        assert (proc.returncode == 0) == ok, proc.stderr
        return proc.stdout if ok else proc.stderr

    for title in ("Gold in Ituri", "Cobalt in Lualaba", "Arms in the Sahel"):
        kb("add", "publication", f"title={title}", "type=report", "year=2021")
    kb("add", "person", "name=Lotte Hoex")
    assert kb("collection", "add", "Chapter 2", "--parent", "Thesis").strip() == "added collection 2: Thesis/Chapter 2"
    kb("collection", "add", "Reading")
    kb("collection", "put", "Thesis/Chapter 2", "publication", "1", "2")
    kb("collection", "put", "Reading", "publication", "2", "3")
    kb("collection", "put", "Reading", "person", "1")
    listed = json.loads(kb("list", "collection", "--json"))
    assert [(c["path"], c["count"]) for c in listed] == [("Reading", 2), ("Thesis", 0), ("Thesis/Chapter 2", 2)]
    assert json.loads(kb("collection", "list", "--json")) == listed

    def ids(*args: str) -> list[int]:
        return sorted(r["id"] for r in json.loads(kb(*args, "--json")))

    assert ids("list", "publication", "--collection", "Thesis") == [1, 2]
    assert ids("list", "person", "--collection", "Reading") == [1]
    found = json.loads(kb("search", "cobalt OR gold OR arms", "--collection", "Reading", "--json"))
    assert sorted(h["publication_id"] for h in found["hits"]) == [2, 3]
    out = tmp_path / "reading.ris"
    kb("export", "ris", "--collection", "Reading", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert "Cobalt in Lualaba" in text and "Arms in the Sahel" in text and "Gold in Ituri" not in text
    assert "Thesis/Chapter 2 [collection 2]" in kb("show", "publication", "1")
    kb("collection", "remove", "Reading", "publication", "3")
    assert ids("list", "publication", "--collection", "Reading") == [2]
    kb("collection", "rename", "Reading", "To read")
    kb("collection", "move", "To read", "Thesis")
    assert [c["path"] for c in json.loads(kb("list", "collection", "--json"))] == [
        "Thesis", "Thesis/Chapter 2", "Thesis/To read"]
    assert "no collection named 'Nope'" in kb("list", "publication", "--collection", "Nope", ok=False)
    kb("collection", "delete", "Thesis")
    assert json.loads(kb("list", "collection", "--json")) == []


def test_a_merge_moves_notes_and_memberships_to_the_survivor(cat: Catalogue) -> None:
    from kbase.catalogue import notes, relations

    keep, lose = _pubs(cat, "Gold in Ituri", "Gold in Ituri (copy)")
    box = coll.add_collection(cat, "Box")["id"]
    other = coll.add_collection(cat, "Other")["id"]
    coll.put(cat, box, "publication", [keep, lose])
    coll.put(cat, other, "publication", [lose])
    notes.add_note(cat, "publication", lose, "from the copy")
    relations.relate(cat, lose, "see also", keep)
    cat.merge(m.Publication, keep, lose)
    assert [n["text"] for n in notes.notes(cat, "publication", keep)] == ["from the copy"]
    assert [c["path"] for c in coll.collections_of(cat, "publication", keep)] == ["Box", "Other"]
    assert relations.related(cat, keep) == []
