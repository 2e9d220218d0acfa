"""Related publications read from both ends, in the inverse wording from the other one."""

from __future__ import annotations

import json

import pytest

from kbase.catalogue import relations
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from tests.cli_runner import run_cli


def _pubs(cat: Catalogue, *titles: str) -> list[int]:
    return [cat.add(m.Publication, title=t, type="report", year=2021).id for t in titles]


def _read(cat: Catalogue, pid: int) -> list[tuple[str, int]]:
    return [(r["relation"], r["id"]) for r in relations.related(cat, pid)]


def test_relations_read_from_both_ends(cat: Catalogue) -> None:
    book, chapter, french, summary = _pubs(cat, "Mineral supply chains", "Gold in Ituri", "Chaînes minières",
                                           "Supply chains in brief")
    assert relations.relate(cat, chapter, "chapter of", book)
    assert relations.relate(cat, french, "translation-of", book)
    assert relations.relate(cat, book, "has summary", summary)  # typed from the other end
    assert not relations.relate(cat, chapter, "chapter of", book)  # already there
    assert _read(cat, book) == [("has chapter", chapter), ("has summary", summary), ("has translation", french)]
    assert _read(cat, chapter) == [("chapter of", book)]
    assert _read(cat, summary) == [("summary of", book)]
    assert _read(cat, french) == [("translation of", book)]
    assert [r["label"] for r in relations.related(cat, chapter)] == ["Mineral supply chains"]


def test_see_also_is_one_relation_whichever_way(cat: Catalogue) -> None:
    a, b = _pubs(cat, "Cobalt", "Copper")
    assert relations.relate(cat, b, "see also", a)
    assert not relations.relate(cat, a, "see also", b)
    assert _read(cat, a) == [("see also", b)] and _read(cat, b) == [("see also", a)]
    assert relations.unrelate(cat, a, "see also", b)
    assert _read(cat, a) == [] and _read(cat, b) == []


def test_revised_edition_and_unrelate(cat: Catalogue) -> None:
    first, second = _pubs(cat, "Arms trade handbook", "Arms trade handbook (2nd ed.)")
    relations.relate(cat, second, "revised edition of", first)
    assert _read(cat, first) == [("has revised edition", second)]
    assert not relations.unrelate(cat, first, "revised edition of", second)  # not that way round
    assert relations.unrelate(cat, second, "revised edition of", first)
    assert _read(cat, first) == []


def test_bad_relations_are_refused(cat: Catalogue) -> None:
    a, = _pubs(cat, "Alone")
    with pytest.raises(InvalidInput, match="unknown relation 'cousin of'"):
        relations.relate(cat, a, "cousin of", a)
    with pytest.raises(InvalidInput, match="itself"):
        relations.relate(cat, a, "see also", a)
    with pytest.raises(NotFound, match="no publication with ID 999"):
        relations.relate(cat, a, "see also", 999)


def test_a_deleted_publication_takes_its_relations_and_restore_brings_them_back(cat: Catalogue) -> None:
    book, chapter = _pubs(cat, "Book", "Chapter")
    relations.relate(cat, chapter, "chapter of", book)
    snapshot = cat.delete(m.Publication, book)
    assert _read(cat, chapter) == []
    cat.restore(snapshot)
    assert _read(cat, chapter) == [("chapter of", book)]


def test_relate_commands_and_show(location: str) -> None:
    def kb(*args: str, ok: bool = True) -> str:
        proc = run_cli([*args, "--library", location])
        assert (proc.returncode == 0) == ok, proc.stderr
        return proc.stdout if ok else proc.stderr

    kb("add", "publication", "title=Mineral supply chains", "type=book", "year=2020")
    kb("add", "publication", "title=Gold in Ituri", "type=book chapter", "year=2020")
    assert kb("relate", "2", "chapter of", "1").strip() == "publication 2 is chapter of publication 1"
    assert "(already)" in kb("relate", "1", "has-chapter", "2")
    assert "has chapter: Gold in Ituri [publication 2]" in kb("show", "publication", "1")
    assert "chapter of: Mineral supply chains [publication 1]" in kb("show", "publication", "2")
    shown = json.loads(kb("show", "publication", "2", "--json"))
    assert [(r["relation"], r["id"]) for r in shown["related"]] == [("chapter of", 1)]
    assert "unknown relation 'sibling of'" in kb("relate", "1", "sibling of", "2", ok=False)
    kb("unrelate", "2", "chapter of", "1")
    assert "is not chapter of" in kb("unrelate", "2", "chapter of", "1", ok=False)
    assert json.loads(kb("show", "publication", "2", "--json"))["related"] == []
