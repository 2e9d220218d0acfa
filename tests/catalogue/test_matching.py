"""Matching incoming records against the catalogue and against each other never merges different works."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kbase.catalogue.dedupe import (
    PublicationIndex,
    WorkKey,
    candidates,
    compatible_types,
    drop_shared_identifiers,
    same_entry,
    valid_isbn,
    work_key_from_columns,
)
from kbase.catalogue.records import Catalogue
from kbase.library import models as m

ISSN = "0028-0836"  # Nature's
ISBN10, ISBN13 = "90-382-2900-3", "978-90-382-2900-3"


def _pub(cat: Catalogue, title: str, *, type: str = "article", year: int | None = 2020,
         authors: tuple[str, ...] = ("Jean Kasongo",), volume: str | None = None, issn: str | None = None,
         **kw: Any) -> int:
    kept = {k: v for k, v in (("volume", volume), ("issn", issn)) if v}
    extra = json.dumps({"fields": kept}) if kept else None
    pid = cat.add(m.Publication, title=title, type=type, year=year, extra=extra, **kw).id
    people = []
    for name in authors:
        people.append(("author", "person", cat.add(m.Person, name=name).id))
    cat.set_contributors(pid, people)
    return pid


def _key(title: str, *, type: str = "article", year: int | None = 2020, authors: tuple[str, ...] = ("kasongo",),
         volume: str | None = None, issn: str | None = None, shas: tuple[str, ...] = (), **cols: Any) -> WorkKey:
    kept = {k: v for k, v in (("volume", volume), ("issn", issn)) if v}
    return work_key_from_columns({"title": title, "type": type, "year": year, **cols},
                                 {"fields": kept} if kept else {}, list(authors), shas)


def _match(cat: Catalogue, key: WorkKey) -> tuple[int, str] | None:
    return PublicationIndex.load(cat).match(key)


def test_valid_isbn() -> None:
    assert valid_isbn(ISBN10) == valid_isbn(ISBN13) == "9789038229003"
    assert valid_isbn("ISBN-13: 978-90-382-2900-3 (pbk.)") == "9789038229003"
    assert valid_isbn("90-382-2900-4") is None and valid_isbn("978-90-382-2900-4") is None  # checksums
    assert valid_isbn(ISSN) is None and valid_isbn("9770028083009") is None  # ISSN, and ISSN as EAN-13
    assert valid_isbn("0-8044-2957-X") == "9780804429573"
    assert valid_isbn("") is None and valid_isbn(None) is None and valid_isbn("n/a") is None


def test_issn_in_isbn_is_not_matched(cat: Catalogue) -> None:
    _pub(cat, "Gold in Kamituga", isbn=ISSN, issn=ISSN, volume="12", pages="1-10")
    assert _key("Artisanal mining in Ituri", isbn=ISSN, issn=ISSN).isbn is None
    assert _match(cat, _key("Artisanal mining in Ituri", isbn=ISSN, issn=ISSN, volume="12", pages="11-20")) is None
    # an ISSN that happens to look like nothing else is still never an identifier, even on a "book"
    assert _match(cat, _key("Artisanal mining in Ituri", type="book", isbn=ISSN)) is None


def test_chapters_sharing_the_books_isbn_are_not_matched(cat: Catalogue) -> None:
    _pub(cat, "Roadblocks in Fizi", type="book chapter", isbn=ISBN13, pages="1-20", container="Conflict minerals")
    key = _key("Taxation in Uvira", type="book chapter", isbn=ISBN13, pages="21-40", container="Conflict minerals")
    assert _match(cat, key) is None
    # a paper of a proceedings volume (inproceedings is a "book chapter" too) against the volume itself
    _pub(cat, "Conflict minerals", type="book", isbn=ISBN13, authors=("Anne Peeters",))
    assert _match(cat, key) is None


def test_books_with_the_same_valid_isbn_match_across_spellings(cat: Catalogue) -> None:
    pid = _pub(cat, "Conflict minerals in eastern Congo", type="book", isbn=ISBN10)
    hit = _match(cat, _key("Conflict Minerals: Eastern DRC", type="book", isbn=ISBN13, year=2021))
    assert hit == (pid, "same ISBN 9789038229003")
    assert _match(cat, _key("Conflict minerals report", type="report", isbn="9789038229003")) == hit


def test_invalid_isbn_is_not_matched(cat: Catalogue) -> None:
    _pub(cat, "Conflict minerals in eastern Congo", type="book", isbn="978-90-382-2900-4")
    assert _match(cat, _key("Another book", type="book", isbn="978-90-382-2900-4")) is None


def test_multi_volume_isbn_needs_the_same_volume(cat: Catalogue) -> None:
    _pub(cat, "History of Kivu, volume one", type="book", isbn=ISBN13, volume="1")
    assert _match(cat, _key("History of Kivu, volume two", type="book", isbn=ISBN13, volume="2")) is None


@pytest.mark.parametrize("differs", [{"number": "4"}, {"pages": "31-40"}, {"year": 2023}, {"volume": "13"}])
def test_recurring_column_is_not_matched(cat: Catalogue, differs: dict[str, Any]) -> None:
    _pub(cat, "Letter from Kinshasa", volume="12", number="3", pages="11-20", year=2020)
    base = {"volume": "12", "number": "3", "pages": "11-20", "year": 2020}
    assert _match(cat, _key("Letter from Kinshasa", **base)) is not None  # the control: the same column
    assert _match(cat, _key("Letter from Kinshasa", **{**base, **differs})) is None


def test_same_title_authors_and_year_match_when_types_are_compatible(cat: Catalogue) -> None:
    pid = _pub(cat, "Roadblocks & taxation in Fizi", type="report", year=2019,
               authors=("Jean Kasongo", "Anne Peeters"), number="No. 04", pages="pp. 1--24")
    hit = (pid, "same title, authors and year")
    key = _key("Roadblocks and taxation in Fizi", type="briefing", year=2020, authors=("kasongo", "peeters"),
               number="4", pages="1–24")
    assert _match(cat, key) == hit  # report-like types, "&" = "and", issue and pages spelt otherwise
    assert _match(cat, _key("Roadblocks and taxation in Fizi", type="other", year=2019,
                            authors=("kasongo", "peeters"))) == hit
    # every author counts, in order, not only the first
    assert _match(cat, _key("Roadblocks and taxation in Fizi", type="report", year=2019, authors=("kasongo",))) is None
    assert _match(cat, _key("Roadblocks and taxation in Fizi", type="report", year=2019,
                            authors=("peeters", "kasongo"))) is None


def test_article_and_chapter_are_not_matched(cat: Catalogue) -> None:
    _pub(cat, "Gold in Kamituga", type="article", container="Review of African Political Economy")
    assert _match(cat, _key("Gold in Kamituga", type="book chapter", container="Gold in Africa")) is None
    assert not compatible_types("article", "book chapter") and compatible_types("article", "other")
    assert compatible_types("report", "workshop report") and not compatible_types("book", "article")


def test_same_doi_matches_across_spellings(cat: Catalogue) -> None:
    pid = _pub(cat, "Gold in Kamituga", doi="10.1000/ABC.123")
    for spelling in ("https://doi.org/10.1000/abc.123", "doi:10.1000/Abc.123.", "http://dx.doi.org/10.1000/ABC.123",
                     "DOI: 10.1000/abc.123"):
        assert _match(cat, _key("Other title entirely", doi=spelling)) == (pid, "same DOI 10.1000/abc.123")


def test_a_doi_or_file_held_by_several_publications_names_none_alone(cat: Catalogue) -> None:
    a = _pub(cat, "Chapter one", type="book chapter", doi="10.1/volume")
    _pub(cat, "Chapter two", type="book chapter", doi="10.1/volume")
    assert _match(cat, _key("Chapter three", type="book chapter", doi="10.1/volume")) is None
    assert _match(cat, _key("Chapter one", type="book chapter", doi="10.1/volume")) == (a, "same DOI 10.1/volume")


def test_same_file_matches(cat: Catalogue) -> None:
    pid = _pub(cat, "Gold in Kamituga")
    with cat.transaction() as s:
        s.add(m.StoredFile(sha256="ab" * 32, size=10))
    cat.add(m.Attachment, publication_id=pid, sha256="ab" * 32, filename="a.pdf", status="ok")
    assert _match(cat, _key("Whatever", shas=("ab" * 32,))) == (pid, "same file")


def test_index_keeps_what_is_added(cat: Catalogue) -> None:
    idx = PublicationIndex.load(cat)
    first = _key("Gold in Kamituga", doi="10.1/x")
    assert idx.match(first) is None
    idx.add(-1, first)
    assert idx.match(_key("Gold", doi="doi:10.1/X")) == (-1, "same DOI 10.1/x")


def test_a_doi_shared_by_entries_of_one_file_is_dropped() -> None:
    keys = [_key("Chapter one", type="book chapter", doi="10.1/vol"),
            _key("Chapter two", type="book chapter", doi="https://doi.org/10.1/VOL"),
            _key("Own article", doi="10.1/own"), _key("Own article", doi="10.1/own")]
    assert drop_shared_identifiers(keys) == {"doi:10.1/vol"}
    assert [k.doi for k in keys] == [None, None, "10.1/own", "10.1/own"]


def test_same_entry() -> None:
    a = _key("Gold in {Kamituga}", year=2020, number="3", pages="1--10", volume="12",
             container="Review of African Political Economy", language="Français")
    b = _key("gold  in Kamituga", year=2020, number="No. 3", pages="1–10", volume="Vol. 12",
             container="REVIEW of {African} political economy", language="francais")
    assert same_entry(a, b) and same_entry(b, a)
    # a short and a full description of one reference stay two: the file keeps them apart
    assert not same_entry(a, _key("Gold in Kamituga", year=2020))
    assert not same_entry(_key("Gold in Kamituga", year=2020), a)
    assert not same_entry(a, _key("Gold in Kamituga", year=2020, number="4"))
    assert not same_entry(a, _key("Gold in Kamituga", year=2021))  # not ±1 inside a file
    assert not same_entry(a, _key("Gold in Kamituga", pages="11-20"))
    assert not same_entry(a, _key("Gold in Kamituga", container="Journal of Eastern African Studies"))
    assert not same_entry(a, _key("Gold in Kamituga", authors=("peeters",)))
    assert not same_entry(a, _key("Gold in Kamituga", type="book chapter"))
    assert not same_entry(a, _key("Gold in Ituri"))
    kept = work_key_from_columns({"title": "T", "type": "other"}, {"fields": {"note": "Préface"}}, [])
    assert same_entry(kept, work_key_from_columns({"title": "T", "type": "other"}, {"fields": {"note": "preface"}}, []))
    assert not same_entry(kept, work_key_from_columns({"title": "T", "type": "other"},
                                                      {"fields": {"note": "Postface"}}, []))


def test_dedupe_stops_proposing_different_works(cat: Catalogue) -> None:
    c1 = _pub(cat, "Roadblocks in Fizi", type="book chapter", isbn=ISBN13, pages="1-20")
    c2 = _pub(cat, "Taxation in Uvira", type="book chapter", isbn=ISBN13, pages="21-40")
    a1 = _pub(cat, "Artisanal mining", isbn=ISSN, issn=ISSN)
    a2 = _pub(cat, "Gold trade", isbn=ISSN, issn=ISSN)
    col = [_pub(cat, "Letter from Kinshasa", number=str(n), volume="12") for n in (1, 2)]
    b1 = _pub(cat, "Conflict minerals", type="book", isbn=ISBN10, authors=("Anne Peeters",))
    b2 = _pub(cat, "Conflict minerals, 2nd printing", type="book", isbn=ISBN13, authors=("Anne Peeters",))
    pairs = {(c.a, c.b) for c in candidates(cat, ["publication"])}
    assert (c1, c2) not in pairs and (a1, a2) not in pairs and tuple(col) not in pairs
    assert (b1, b2) in pairs


def test_accept_passes_over_refused_ids(cat: Catalogue) -> None:
    pid = _pub(cat, "Gold in Kamituga", year=2020)
    idx = PublicationIndex.load(cat)
    earlier = _key("Gold in Kamituga", doi="10.1/x", pages="1-5")
    idx.add(-1, earlier)
    key = _key("Gold in Kamituga", doi="10.1/x")
    assert idx.match(key) == (-1, "same DOI 10.1/x")
    assert idx.match(key, accept=lambda p: p > 0) == (pid, "same title, authors and year")


def test_a_volume_is_not_its_multi_volume_set(cat: Catalogue) -> None:
    whole = _pub(cat, "Oeuvres completes", type="book", year=1965)
    index = PublicationIndex.load(cat)
    assert index.match(_key("Oeuvres completes", type="book", year=1965, volume="2")) is None
    assert index.match(_key("Oeuvres completes", type="book", year=1965)) == (whole, "same title, authors and year")


def test_a_bare_title_matches_nothing(cat: Catalogue) -> None:
    _pub(cat, "Annual report", type="report", year=None, authors=())
    index = PublicationIndex.load(cat)
    assert index.match(_key("Annual report", type="report", year=None, authors=())) is None


def test_the_same_file_twice_matches_even_bare_titles(cat: Catalogue, tmp_path: Any) -> None:
    from kbase.imports.records import import_bib

    bib = tmp_path / "bare.bib"
    bib.write_text("@misc{note1, title = {Annual report}}\n@misc{note2, title = {Annual report}, note = {other}}\n",
                   encoding="utf-8")
    first = import_bib(cat, bib)
    assert len(first.created) == 2  # a bare title is not enough to call two entries one work
    again = import_bib(cat, bib)
    assert again.created == [] and {k for k, _i, _w in again.linked} == {"note1", "note2"}
