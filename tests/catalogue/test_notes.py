"""Notes: several per record, Markdown kept as typed, cleaned at the boundary, searchable, gone with their record."""

from __future__ import annotations

import json
import re

import pytest

from kbase.catalogue import notes
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from kbase.search import indexing
from kbase.search.api import search
from tests.cli_runner import run_cli


def test_several_notes_per_record_in_order(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Mapping artisanal mining sites", type="report", year=2021)
    person = cat.add(m.Person, name="Lotte Hoex")
    first = notes.add_note(cat, "publication", pub.id, "## To check\n\n- the *map* legend")
    second = notes.add_note(cat, "publication", pub.id, "Second thought")
    on_person = notes.add_note(cat, "person", person.id, "Met at the Goma workshop")
    got = notes.notes(cat, "publication", pub.id)
    assert [n["id"] for n in got] == [first["id"], second["id"]]
    assert got[0]["text"] == "## To check\n\n- the *map* legend"  # Markdown stays as typed
    assert [n["id"] for n in notes.notes(cat, "person")] == [on_person["id"]]
    assert len(notes.notes(cat)) == 3


def test_edit_updates_text_and_time(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Gold flows", type="report", year=2020)
    note = notes.add_note(cat, "publication", pub.id, "draft")
    edited = notes.edit_note(cat, note["id"], "final\x00 text\r\nline two")
    assert edited["text"] == "final text\nline two"  # NUL out, one kind of line end
    assert edited["updated"] >= note["updated"] and edited["created"] == note["created"]
    notes.delete_note(cat, note["id"])
    assert notes.notes(cat, "publication", pub.id) == []
    with pytest.raises(NotFound, match="no note with ID"):
        notes.edit_note(cat, note["id"], "again")


def test_bad_notes_are_refused_with_a_message(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Gold flows", type="report", year=2020)
    with pytest.raises(InvalidInput, match="needs some text"):
        notes.add_note(cat, "publication", pub.id, "  \n ")
    with pytest.raises(NotFound, match="no publication with ID 999"):
        notes.add_note(cat, "publication", 999, "text")
    with pytest.raises(InvalidInput, match="notes go on"):
        notes.add_note(cat, "spaceship", 1, "text")


def test_a_word_in_a_note_finds_the_publication(cat: Catalogue) -> None:
    pub = cat.add(m.Publication, title="Checkpoint economy", type="report", year=2021)
    other = cat.add(m.Publication, title="Roadblocks revisited", type="report", year=2021)
    indexing.sync(cat)
    assert [h.publication_id for h in search(cat, "zanzibarite").hits] == []
    note = notes.add_note(cat, "publication", pub.id, "Ask the author about **zanzibarite** samples")
    indexing.sync(cat)
    assert [h.publication_id for h in search(cat, "zanzibarite").hits] == [pub.id]
    notes.edit_note(cat, note["id"], "nothing special")
    notes.add_note(cat, "publication", other.id, "zanzibarite again")
    indexing.sync(cat)
    assert [h.publication_id for h in search(cat, "zanzibarite").hits] == [other.id]


def test_notes_go_and_come_back_with_their_record(cat: Catalogue) -> None:
    person = cat.add(m.Person, name="Hans Merket")
    notes.add_note(cat, "person", person.id, "board member since 2019")
    snapshot = cat.delete(m.Person, person.id)
    assert notes.notes(cat, "person", person.id) == []
    cat.restore(snapshot)
    assert [n["text"] for n in notes.notes(cat, "person", person.id)] == ["board member since 2019"]


def _kb(location: str, *args: str, ok: bool = True) -> str:
    proc = run_cli([*args, "--library", location])
    assert (proc.returncode == 0) == ok, proc.stderr
    return proc.stdout if ok else proc.stderr


def test_note_commands(location: str, tmp_path) -> None:
    _kb(location, "add", "publication", "title=Gold in Ituri", "type=report", "year=2021")
    assert _kb(location, "note", "add", "publication", "1", "First *look*").strip() == "added note 1 to publication 1"
    page = tmp_path / "note.md"
    page.write_text("# From a file\n\nwith gallium inside", encoding="utf-8")
    _kb(location, "note", "add", "pub", "1", "--file", str(page))
    listed = json.loads(_kb(location, "note", "list", "publication", "1", "--json"))
    assert [n["text"] for n in listed] == ["First *look*", "# From a file\n\nwith gallium inside"]
    assert json.loads(_kb(location, "list", "note", "--json")) == listed
    table = _kb(location, "note", "list")
    assert "publication 1" in table and "# From a file…" in table
    found = json.loads(_kb(location, "search", "gallium", "--json"))
    assert [h["publication_id"] for h in found["hits"]] == [1]
    _kb(location, "note", "edit", "1", "Second look")
    assert "Second look" in _kb(location, "show", "publication", "1")
    _kb(location, "note", "delete", "2")
    assert [n["id"] for n in json.loads(_kb(location, "note", "list", "--json"))] == [1]
    assert "no note with ID 7" in _kb(location, "note", "edit", "7", "x", ok=False)
    assert "no publication with ID 9" in _kb(location, "note", "add", "publication", "9", "x", ok=False)
    assert "give its text, or --file" in _kb(location, "note", "add", "publication", "1", ok=False)
    missing = str(tmp_path / "nope.md")
    assert "cannot read" in _kb(location, "note", "add", "publication", "1", "--file", missing, ok=False)


def test_notes_are_exported(cat: Catalogue) -> None:
    from kbase.formats.bibtex.export import export_bib
    from kbase.formats.exporters import export_csl_json, export_ris

    pub = cat.add(m.Publication, title="Gold flows", type="report", year=2020)
    notes.add_note(cat, "publication", pub.id, "First: check *Kamituga* figures")
    notes.add_note(cat, "publication", pub.id, "Second line one\nline two")
    csl = json.loads(export_csl_json(cat))
    assert csl[0]["note"] == "First: check *Kamituga* figures\n\nSecond line one\nline two"
    ris = export_ris(cat)
    assert "N1  - First: check *Kamituga* figures" in ris and "N1  - Second line one" in ris
    bib = export_bib(cat)
    assert re.search(r"annote\s*=\s*\{First: check \*Kamituga\* figures", bib), bib
