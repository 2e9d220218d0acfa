"""The CSL-JSON reader: shapes, dates, names with particles, note extras, types both ways, lines, bad JSON."""

from __future__ import annotations

import json

import pytest

from kbase.formats.csljson import CSL_TYPES, csl_type, looks_like_csl_json, parse_name, read_csl_json
from kbase.formats.exporters import _CSL_TYPES
from kbase.library import models as m

ZOTERO = [{
    "id": "http://zotero.org/users/local/abc/items/ZX9Q", "type": "article-journal",
    "title": "Gold flows from Ituri", "container-title": "Review of African Political Economy",
    "container-title-short": "ROAPE", "volume": 46, "issue": "3", "page": "1-20", "ISSN": "0305-6244",
    "DOI": "10.1080/03056244.2019.1", "URL": "https://example.org/a", "language": "en", "abstract": "About gold.",
    "author": [{"family": "Kabila", "given": "Aline"}, {"family": "Beethoven", "given": "Ludwig",
                                                        "non-dropping-particle": "van"},
               {"family": "La Fontaine", "given": "Jean", "dropping-particle": "de"},
               {"family": "Mwamba", "given": "Joseph", "suffix": "Jr."}, {"literal": "World Bank"}],
    "editor": [{"family": "Trefon", "given": "Theodore"}],
    "translator": [{"family": "Doe", "given": "Jane"}],
    "issued": {"date-parts": [["2019", "5", "3"]]}, "accessed": {"date-parts": [[2020, 1, 2]]},
    "keyword": "gold, artisanal mining",
    "note": "PMID: 31234567\nCitation Key: kabila2019gold\noriginal-date: 1950\nRead twice.",
}]


def one(items, **kw):
    result = read_csl_json(json.dumps(items, **kw))
    assert not result.refused and not result.problems and len(result.records) == 1, result
    return result.records[0]


def test_a_zotero_item() -> None:
    d = one(ZOTERO)
    c = d.columns
    assert c["type"] == "article" and c["title"] == "Gold flows from Ituri"
    assert (c["year"], c["month"], c["day"]) == (2019, 5, 3)
    assert c["pages"] == "1–20" and c["number"] == "3" and c["doi"] == "10.1080/03056244.2019.1"
    assert c["container"] == "Review of African Political Economy" and c["abstract"] == "About gold."
    assert d.key == "kabila2019gold" and c["citekey"] == "kabila2019gold"  # Better BibTeX's key in the note
    assert d.extra["csl_id"] == "http://zotero.org/users/local/abc/items/ZX9Q"
    assert d.extra["csl_type"] == "article-journal"
    f = d.extra["fields"]
    assert f["volume"] == "46" and f["issn"] == "0305-6244" and f["shortjournal"] == "ROAPE"
    assert f["urldate"] == "2020-01-02" and f["pmid"] == "31234567" and f["origdate"] == "1950"
    assert f["note"] == "Read twice." and f["translator"] == "Jane Doe"
    assert [(r, n.kind, n.display, n.sortable) for r, n in d.contributors] == [
        ("author", "person", "Aline Kabila", "Kabila, Aline"),
        ("author", "person", "Ludwig van Beethoven", "van Beethoven, Ludwig"),
        ("author", "person", "Jean de La Fontaine", "de La Fontaine, Jean"),
        ("author", "person", "Joseph Mwamba Jr.", "Mwamba, Jr., Joseph"),
        ("author", "organisation", "World Bank", None),
        ("editor", "person", "Theodore Trefon", "Trefon, Theodore")]
    assert d.subjects == ["gold", "artisanal mining"]


def test_the_id_is_the_key_and_items_shape() -> None:
    d = one({"items": [{"id": "smith2019", "type": "book", "title": "A book", "publisher": "Zed",
                        "publisher-place": "London", "ISBN": "978-0-306-40615-7", "collection-title": "Series"}]})
    assert d.key == "smith2019" and d.columns["isbn"] == "978-0-306-40615-7" and d.publisher == "Zed"
    assert d.columns["place"] == "London" and d.series == "Series" and d.columns["type"] == "book"


@pytest.mark.parametrize("issued, year, month, day, flag", [
    ({"date-parts": [[2019]]}, 2019, None, None, None),
    ({"date-parts": [[2019, 6], [2019, 7]]}, 2019, 6, None, None),
    ({"date-parts": [[2019, 6, 1], [2020, 1]]}, 2019, 6, None, "approximate date"),
    ({"raw": "2019-05-03"}, 2019, 5, 3, None),
    ({"raw": "May 2019"}, 2019, None, None, "approximate date"),
    ({"literal": "Spring 2018"}, 2018, None, None, "approximate date"),
    ({"date-parts": [[2019]], "circa": True}, 2019, None, None, "approximate date"),
    ("2021-02", 2021, 2, None, None),
    ({"literal": "forthcoming"}, None, None, None, "forthcoming"),
])
def test_dates(issued, year, month, day, flag) -> None:
    d = one([{"id": "a", "type": "book", "title": "T", "issued": issued}])
    c = d.columns
    assert (c.get("year"), c.get("month"), c.get("day")) == (year, month, day)
    assert (flag in d.extra.get("flags", [])) if flag else not d.extra.get("flags")


def test_month_range() -> None:
    c = one([{"id": "a", "type": "book", "title": "T", "issued": {"date-parts": [[2019, 6], [2019, 7]]}}]).columns
    assert c["month_end"] == 7


@pytest.mark.parametrize("ctype, genre, ours", [
    ("article-journal", "", "article"), ("article-newspaper", "", "article"), ("book", "", "book"),
    ("chapter", "", "book chapter"), ("paper-conference", "", "book chapter"), ("report", "", "report"),
    ("report", "Briefing", "briefing"), ("report", "Policy brief", "briefing"), ("map", "", "static maps"),
    ("map", "Webmap", "webmap"), ("webpage", "Dashboard", "dashboard"), ("motion_picture", "", "video"),
    ("thesis", "", "other"), ("document", "", "other"), ("dataset", "", "other"), ("nonsense", "", "other"),
])
def test_types(ctype: str, genre: str, ours: str) -> None:
    assert csl_type(ctype, genre)[0] == ours


def test_types_both_ways() -> None:
    """Every type of ours is exported as a CSL type (with its genre) that reads back as that type."""
    for t in m.PUBLICATION_TYPES:
        ctype = _CSL_TYPES.get(t, "report")
        genre = t[:1].upper() + t[1:] if t not in ("article", "book", "book chapter", "other") else ""
        assert csl_type(ctype, genre)[0] == t, t
    assert set(_CSL_TYPES.values()) <= set(CSL_TYPES)


def test_names() -> None:
    assert parse_name({"literal": "Médecins Sans Frontières"}).kind == "organisation"
    assert parse_name({"family": "Plato"}).display == "Plato"
    assert parse_name("Smith, John").sortable == "Smith, John"
    assert parse_name({"given": ""}) is None and parse_name(3) is None


def test_lines_of_items_and_refused_ones() -> None:
    items = [{"id": "a", "type": "book", "title": "A"}, "not an object", {"id": "b", "type": "book"},
             {"id": "c", "type": "book", "title": "C"}]
    text = json.dumps(items, indent=2)
    result = read_csl_json(text)
    lines = text.split("\n")
    assert [d.key for d in result.records] == ["a", "c"]
    assert [lines[d.line - 1].strip() for d in result.records] == ["{", "{"]
    assert result.records[1].line == text[:text.index('"c"')].count("\n")
    assert [(k, r.split(":")[0]) for _l, k, r in result.refused] == [("", "item 1 is not an object but str"),
                                                                      ("b", "item 2")]
    assert lines[result.refused[1][0] - 1].strip() == "{"


def test_invalid_json_is_one_problem_with_line_and_column() -> None:
    result = read_csl_json('[\n  {"id": "a", "title": "A"},\n  {"id": "b" "title": "B"}\n]')
    assert not result.records and not result.refused
    assert result.problems == [(3, "", "not valid JSON: Expecting ',' delimiter (line 3, column 14)")]
    assert read_csl_json('{"hello": 1}').problems[0][2].startswith("not CSL-JSON")


def test_control_characters_and_nfc() -> None:
    d = one([{"id": "a", "type": "book", "title": "Socie\u0301te\u0301\u0000 civile\ttab", "abstract": "x\u0007y"}])
    assert d.columns["title"] == "Société civile tab" and d.columns["abstract"] == "xy"
    text = '[{"id": "a", "type": "book", "title": "raw\ttab in a string"}]'  # invalid strictly, read anyway
    assert read_csl_json(text).records[0].columns["title"] == "raw tab in a string"


def test_sniffing() -> None:
    assert looks_like_csl_json(json.dumps(ZOTERO, indent=2)) and looks_like_csl_json('{"items": [')
    assert looks_like_csl_json("[]")
    assert not looks_like_csl_json('{"name": "package", "version": "1.0"}') and not looks_like_csl_json("[1, 2]")


def test_unknown_variables_are_kept() -> None:
    d = one([{"id": "a", "type": "book", "title": "T", "edition": 2, "number-of-pages": "300", "custom-thing": "x",
              "event-date": {"date-parts": [[2018, 3]]}, "genre": "Handbook"}])
    f = d.extra["fields"]
    assert f["edition"] == "2" and f["pagetotal"] == "300" and f["custom-thing"] == "x"
    assert f["eventdate"] == "2018-03" and f["type"] == "Handbook"


def test_an_issn_never_goes_to_the_isbn_and_placeholder_ids_are_no_keys() -> None:
    d = one([{"id": "temp_id_22912835835647827", "type": "article-journal", "title": "T", "ISBN": "1755-5345",
              "ISSN": "00175749 (ISSN)", "author": [{"family": "Batley", "given": "Richard"}], "issued": "2012"}])
    assert "isbn" not in d.columns and d.extra["fields"]["issn"] == "1755-5345; 0017-5749"
    assert d.key == "batley2012t" and d.extra["csl_id"] == "temp_id_22912835835647827"
    d = one([{"id": "7", "type": "book", "title": "T", "ISBN": "978-0-306-40615-7, 0306406152"}])
    assert d.columns["isbn"] == "978-0-306-40615-7" and d.extra["fields"]["isbns"] == "978-0-306-40615-7; 0306406152"
    assert d.key == "anonndt"
