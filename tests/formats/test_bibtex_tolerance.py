"""The BibTeX reader keeps every entry it can split: what it cannot read is kept raw, flagged and noted."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from kbase.catalogue.quality import check_catalogue
from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex.mapping import PubData, to_publication
from kbase.formats.bibtex.names import parse_names, read_names
from kbase.formats.bibtex.parse import BadValue, parse_text
from kbase.imports.records import import_bib
from tests.bibtex_helpers import snapshot


def _one(text: str) -> PubData:
    parsed = parse_text(text)
    assert parsed.problems == [] and len(parsed.entries) == 1, (parsed.problems, parsed.entries)
    return to_publication(parsed.entries[0])


def _all(text: str) -> dict[str, PubData]:
    parsed = parse_text(text)
    assert parsed.problems == []
    return {d.key: d for d in map(to_publication, parsed.entries)}


def _flags(d: PubData) -> list[str]:
    return d.extra.get("flags", [])


def _raw(d: PubData) -> dict[str, str]:
    return d.extra.get("raw", {})


# -- 1. macros --------------------------------------------------------------------------------

def test_undefined_macro_is_kept_as_its_name() -> None:
    d = _one("@article{a, title = {Gold} # nosuch, journal = jgr, year = 2020}")
    assert d.columns["title"] == "Goldnosuch" and d.columns["container"] == "jgr"
    assert "field journal: undefined macro jgr kept as text" in d.notes
    assert "field title: undefined macro nosuch kept as text" in d.notes
    assert _flags(d) == ["undefined macro"]


def test_macros_redefined_and_undefined_in_strings() -> None:
    parsed = parse_text('@string{pub = "A"}\n@string{pub = "B" # other}\n@misc{a, title = pub}\n')
    assert parsed.entries[0].fields["title"] == "Bother"
    assert [(line, note) for line, _k, note in parsed.notes] == [
        (2, "@string: undefined macro other kept as text"),
        (2, "@string pub defined again (first at line 1); the last definition kept")]


# -- 2. dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, cols, raw, flags", [
    ("year = {2019a}", {"year": 2019}, {"year": "2019a"}, []),
    ("year = {c. 1998}", {"year": 1998}, {"year": "c. 1998"}, ["approximate date"]),
    ("year = {1998/99}", {"year": 1998}, {"year": "1998/99"}, ["approximate date"]),
    ("year = {[2004]}", {"year": 2004}, {"year": "[2004]"}, ["approximate date"]),
    ("year = {2004-2005}", {"year": 2004}, {"year": "2004-2005"}, ["approximate date"]),
    ("year = {forthcoming}", {}, {"year": "forthcoming"}, ["forthcoming"]),
    ("year = {in press}", {}, {"year": "in press"}, ["forthcoming"]),
    ("year = {n.d.}", {}, {"year": "n.d."}, ["unreadable date"]),
    ("year = {2021-05-03}", {"year": 2021, "month": 5, "day": 3}, {}, []),
    ("date = {2019-05/2021-02}", {"year": 2019, "month": 5}, {"date": "2019-05/2021-02"}, ["approximate date"]),
    ("date = {2021-13}", {"year": 2021}, {"date": "2021-13"}, ["unreadable date"]),
    ("date = {2021-02-30}", {"year": 2021, "month": 2}, {"date": "2021-02-30"}, ["unreadable date"]),
    ("date = {2021-06/2021-08}", {"year": 2021, "month": 6, "month_end": 8}, {}, []),
    ("date = {2021-02-03T10:00:00}", {"year": 2021, "month": 2, "day": 3}, {}, []),
    ("date = {2021~}", {"year": 2021}, {"date": "2021~"}, ["approximate date"]),
    ("date = {2020/..}", {"year": 2020}, {"date": "2020/.."}, ["approximate date"]),
    ("year = 2020, month = {Jan.}", {"year": 2020, "month": 1}, {}, []),
    ("year = 2020, month = {January 5}", {"year": 2020, "month": 1, "day": 5}, {}, []),
    ("year = 2020, month = {5 jan}", {"year": 2020, "month": 1, "day": 5}, {}, []),
    ("year = 2020, month = jan # {~5}", {"year": 2020, "month": 1, "day": 5}, {}, []),
    ("year = 2020, month = {winter}", {"year": 2020}, {"month": "winter"}, ["approximate date"]),
    ("year = 2020, month = {Smarch}", {"year": 2020}, {"month": "Smarch"}, ["unreadable date"]),
    ("year = 2020, month = 13", {"year": 2020}, {"month": "13"}, ["unreadable date"]),
    ("year = 2021, month = feb, day = 29", {"year": 2021, "month": 2}, {"day": "29"}, ["unreadable date"]),
    ("year = 2020, month = feb, day = 29", {"year": 2020, "month": 2, "day": 29}, {}, []),
    ("year = 2021, day = 3", {"year": 2021}, {"day": "3"}, ["unreadable date"]),
])
def test_dates_read_what_can_be_read(fields: str, cols: dict[str, Any], raw: dict[str, str], flags: list[str]) -> None:
    d = _one(f"@misc{{a, title = {{T}}, {fields}}}")
    got = {k: d.columns[k] for k in ("year", "month", "month_end", "day") if d.columns.get(k) is not None}
    assert (got, _raw(d), _flags(d)) == (cols, raw, flags)
    if raw:  # every value kept raw is named in a note
        assert any(repr(v) in n for v in raw.values() for n in d.notes), d.notes


# -- 3. names and other links ----------------------------------------------------------------

def test_unreadable_names_are_kept_raw_and_the_readable_ones_used() -> None:
    field = "{,} and Doe, Jane and {{???}} and Doe, John, Jr, Extra and and {UN Panel}"
    d = _one(f"@book{{a, title = {{T}}, author = {{{field}}}, editor = {{and and}}}}")
    assert [(r, n.kind, n.display) for r, n in d.contributors] == [
        ("author", "person", "Jane Doe"), ("author", "organisation", "UN Panel")]
    assert _raw(d) == {"author": field, "editor": "and and"} and _flags(d) == ["unreadable names"]
    assert any(n.startswith("author: ") and "'{,}'" in n and "Too many commas" in n for n in d.notes)
    assert all(n.display for _r, n in d.contributors)


@pytest.mark.parametrize("text", ["{,}", "{{???}}", "and and", "and", "{}", "--", "Smith and", "A and {B"])
def test_no_name_is_ever_empty(text: str) -> None:
    names, _others, _bad = read_names(text)
    assert all(any(c.isalnum() for c in n.display) for n in names)
    try:
        assert all(n.display for n in parse_names(text)[0])
    except ValueError:
        pass  # parse_names still refuses what the name parser cannot split


def test_empty_organisations_series_and_keywords_are_left_out() -> None:
    d = _one("@techreport{a, title = {T}, publisher = {~}, institution = {IPIS}, series = {{}},"
             " keywords = {mining, {-}, gold}}")
    assert d.publisher == "IPIS" and d.series is None and d.subjects == ["mining", "gold"]
    assert _raw(d) == {"publisher": "~", "series": "{}", "keywords": "mining, {-}, gold"}
    assert _flags(d) == ["unreadable names"]
    assert len(d.notes) == 3


# -- 4. keys ----------------------------------------------------------------------------------

def test_duplicate_keys_are_renamed() -> None:
    parsed = parse_text("@misc{k, title={1}}\n@misc{k, title={2}}\n@misc{K, title={3}}\n@misc{k-2, title={4}}\n")
    keys = [(e.key, e.fields["title"]) for e in parsed.entries]
    assert keys == [("k", "1"), ("k-3", "2"), ("K-4", "3"), ("k-2", "4")]
    assert parsed.entries[1].notes == ["citation key k already used at line 1; renamed k-3"]
    assert parsed.entries[2].notes == ["citation key K already used at line 1; renamed K-4"]


def test_empty_keys_are_generated() -> None:
    parsed = parse_text("@book{, author = {van Beethoven, Ludwig}, title = {The Symphony}, year = 1808}\n"
                        "@book{, author = {van Beethoven, Ludwig}, title = {The Symphony}, year = 1808}\n"
                        "@book{author = {{IPIS}}, title = {Gold}, year = 2020}\n@misc{}\n")
    assert [e.key for e in parsed.entries] == ["vanbeethoven1808symphony", "vanbeethoven1808symphony-2",
                                               "ipis2020gold", "entry4"]
    assert parsed.entries[0].notes == ["no citation key; generated vanbeethoven1808symphony"]


# -- 5. fields given twice --------------------------------------------------------------------

def test_a_field_given_twice_keeps_the_last() -> None:
    d = _one("@book{a, title = {First}, year = 2001, Title = {Second}, title = {Third}}")
    assert d.columns["title"] == "Third" and d.columns["year"] == 2001
    assert d.notes == ["field title given twice; the last value kept (the one before: 'First')",
                       "field title given twice; the last value kept (the one before: 'Second')"]


# -- 6. entry types ---------------------------------------------------------------------------

@pytest.mark.parametrize("etype", ["webpage", "patent", "standard", "jurisdiction", "phdthesis", "mastersthesis",
                                   "thesis", "unpublished", "booklet", "Some-Thing"])
def test_unknown_entry_types_are_kept_as_other(etype: str) -> None:
    d = _one(f"@{etype}{{a, title = {{T}}, year = 2020}}")
    assert d.columns["type"] == "other" and d.extra["entrytype"] == etype.lower()


def test_known_types_keep_their_mapping() -> None:
    got = _all("@online{o, title={O}}\n@misc{m, title={M}, howpublished={Interactive map}}\n@manual{r, title={R}}\n"
               "@webpage{w, title={W}, howpublished={Dashboard}}\n")
    assert {k: d.columns["type"] for k, d in got.items()} == {"o": "other", "m": "webmap", "r": "report",
                                                              "w": "dashboard"}


# -- 7. titles --------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, title, flag", [
    ("booktitle = {The Book}", "The Book", "title from booktitle"),
    ("journal = {Whole Issue Review}", "Whole Issue Review", "title from journal"),
    ("journaltitle = {J. Issue}", "J. Issue", "title from journaltitle"),
    ("howpublished = {Radio talk}", "Radio talk", "title from howpublished"),
    ("title = {{ }}, note = {A note}", "A note", "title from note"),
    ("file = {:papers/Some report.pdf:PDF}", "Some report", "title from file"),
    ("url = {https://example.org/x}", "https://example.org/x", "title from url"),
    ("year = 2020", "[untitled]", "untitled"),
    ("title = {}", "[untitled]", "untitled"),
])
def test_missing_titles(fields: str, title: str, flag: str) -> None:
    d = _one(f"@misc{{a, {fields}}}")
    assert d.columns["title"] == title and _flags(d) == [flag] and d.notes and "no title" in d.notes[0]


# -- 8. broken syntax -------------------------------------------------------------------------

def test_unbalanced_brace_in_one_field() -> None:
    got = _all("@article{bad, author = {Gamma, Gus}, title = {Unbalanced {braces, year = 2020}\n"
               "@misc{good, title = {Good}}\n")
    bad = got["bad"]
    assert bad.columns["title"] == "Unbalanced braces" and bad.columns["year"] == 2020
    assert [n.display for _r, n in bad.contributors] == ["Gus Gamma"]
    assert _raw(bad) == {"title": "{Unbalanced {braces"} and _flags(bad) == ["malformed field"]
    assert "read by the fallback reader" in bad.notes[0]
    assert got["good"].notes == []


def test_unclosed_quote() -> None:
    got = _all('@misc{q, title = "Never closed, year = "2023", note = "x"}\n@misc{next, title = {N}}\n')
    q = got["q"]
    assert (q.columns["title"], q.columns["year"], q.extra["fields"]) == ("Never closed", 2023, {"note": "x"})
    assert _flags(q) == ["malformed field"] and _raw(q) == {"title": '"Never closed'}
    assert "next" in got


def test_quoted_value_with_an_unpaired_brace() -> None:
    d = _one('@misc{q, title = "a {b", year = 2020}')
    assert d.columns["title"] == "a b" and _flags(d) == ["malformed field"] and _raw(d) == {"title": '"a {b"'}


def test_entry_never_closed_at_the_end_of_the_file() -> None:
    d = _one("@book{eof, title = {Never closed, year = 2023\n")
    assert d.columns["title"] == "Never closed" and d.columns["year"] == 2023
    assert any("not closed" in n for n in d.notes)


def test_parenthesis_entries() -> None:
    got = _all("@article(p1, title = {Paren (x)}, year = 2020)\n@string(pub = {IPIS})\n"
               "@techreport(p2, title = \"Q (y)\", institution = pub)\n")
    assert got["p1"].columns["title"] == "Paren (x)" and got["p2"].publisher == "IPIS"


def test_missing_comma_between_fields() -> None:
    d = _one("@misc{a, title = {A} year = 2020 month = jan}")
    assert (d.columns["title"], d.columns["year"], d.columns["month"]) == ("A", 2020, 1)
    assert d.notes == ["a comma is missing between the fields title and year",
                       "a comma is missing between the fields year and month"]


def test_fields_after_an_early_closing_brace() -> None:
    got = _all("@misc{a, title = {A}}, year = 2020}\n@misc{b, title = {B}}\n")
    assert got["a"].columns["year"] == 2020 and "year" in got["a"].notes[0]
    assert set(got) == {"a", "b"}


def test_stray_text_and_entry_starts_bibtex_does_not_know() -> None:
    got = _all("@misc{a, title = {A}, garbage, year = 2020}\n@misc-foo{b, title = {B}}\n@ misc{c, title = {C}}\n"
               "@book{author = {Doe, J.}, title = {No key}}\n")
    assert got["a"].columns["year"] == 2020 and "text 'garbage' without a field name ignored" in got["a"].notes
    assert got["b"].extra["entrytype"] == "misc-foo" and "'@misc-foo{'" in got["b"].notes[0]
    assert got["c"].columns["title"] == "C"
    assert got["doekey"].columns["title"] == "No key"


def test_broken_string_and_comment_blocks() -> None:
    parsed = parse_text("@string{pub = {IPIS}\n@misc{a, publisher = pub, title = {T}}\n@comment{open\n"
                        "@misc{b, title = {B}}\n")
    assert [(e.key, e.fields.get("publisher")) for e in parsed.entries] == [("a", "IPIS"), ("b", None)]
    assert parsed.problems == [] and [(line, note.split(" (")[0]) for line, _k, note in parsed.notes] == [
        (1, "@string not well formed"), (3, "@comment not closed")]


def test_hopeless_blocks_stay_problems_with_their_line() -> None:
    parsed = parse_text("@misc{a, title = {A}}\n@misc{broken\n@misc{c, title = {C}}\n")
    assert [e.key for e in parsed.entries] == ["a", "c"]
    assert [(line, key) for line, key, _r in parsed.problems] == [(2, "broken")]


def test_line_endings_and_control_characters() -> None:
    parsed = parse_text("@misc{a,\r title={A\x00}}\r\r@misc{b,\r\n title={B\x07}}\r\n@misc{c, title={C\x1b}}")
    assert [(e.key, e.line) for e in parsed.entries] == [("a", 1), ("b", 4), ("c", 6)]


def test_nothing_escapes_but_bad_value_on_any_truncation_or_damage() -> None:
    text = (Path(__file__).parent.parent / "data" / "bib" / "constructs.bib").read_text(encoding="utf-8")
    samples = [text[:i] for i in range(0, len(text), 7)]
    rng = random.Random(7)
    for _ in range(150):
        chars = list(text)
        for _ in range(5):
            chars[rng.randrange(len(chars))] = rng.choice('{}"#,=@()\\\x00\n%~ ')
        samples.append("".join(chars))
    for sample in samples:
        for entry in parse_text(sample).entries:
            try:
                d = to_publication(entry)
            except BadValue:
                continue
            assert d.columns["title"] and all(n.display for _r, n in d.contributors)


# -- through the importer and the librarian's check ---------------------------------------------

def test_import_keeps_every_entry_and_the_check_names_the_flags(cat: Catalogue, tmp_path: Path) -> None:
    bib = tmp_path / "real.bib"
    bib.write_bytes((
        "% Encoding: UTF-8\n"
        "@article{zot1, author = {Kasongo, Jean-Marie and {,}}, title = {Gold}, journal = jgr, year = {c. 1998}}\n"
        "@article{zot1, title = {Gold again}, year = 2001, month = {winter}}\n"
        "@book{, author = {Müller, Hans}, title = {Société civile}, year = 2005}\n"
        "@webpage{w1, url = {https://example.org/page}, date = {2021-13}}\n"
        "@misc{b1, title = {Unbalanced {braces, year = 2020}\n"
        "@misc{ok, title = {Fine}, year = 2019, title = {Fine indeed}}\n").encode("utf-8"))
    report = import_bib(cat, bib)
    assert report.problems == [] and len(report.created) == 6
    recs = snapshot(cat)
    assert set(recs) == {"zot1", "zot1-2", "muller2005societe", "w1", "b1", "ok"}
    assert recs["zot1"]["year"] == 1998 and recs["zot1"]["container"] == "jgr"
    assert recs["zot1"]["contributors"] == [("author", "person", "Jean-Marie Kasongo")]
    assert recs["zot1"]["extra"]["flags"] == ["undefined macro", "approximate date", "unreadable names"]
    assert recs["zot1"]["extra"]["raw"] == {"year": "c. 1998", "author": "Kasongo, Jean-Marie and {,}"}
    assert recs["zot1-2"]["extra"]["raw"] == {"month": "winter"}
    assert recs["w1"]["title"] == "https://example.org/page" and recs["w1"]["type"] == "other"
    assert recs["w1"]["extra"]["entrytype"] == "webpage" and recs["w1"]["year"] == 2021
    assert recs["b1"]["title"] == "Unbalanced braces" and recs["ok"]["title"] == "Fine indeed"
    noted = {(line, key) for line, key, _n in report.notes}
    assert {(2, "zot1"), (3, "zot1-2"), (4, "muller2005societe"), (5, "w1"), (6, "b1"), (7, "ok")} <= noted
    ids = {k: i for k, i in report.created}
    flagged = {f.id: f.message for f in check_catalogue(cat) if "imported with flags" in f.message}
    assert flagged == {
        ids["zot1"]: "“Gold”: imported with flags: undefined macro, approximate date, unreadable names",
        ids["zot1-2"]: "“Gold again”: imported with flags: approximate date",
        ids["w1"]: "“https://example.org/page”: imported with flags: title from url, unreadable date",
        ids["b1"]: "“Unbalanced braces”: imported with flags: malformed field",
    }
