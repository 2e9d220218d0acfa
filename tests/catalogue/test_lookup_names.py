"""People found as lists and citations write them: "Last, First", "Last, F.", the last name alone, any accent."""

from __future__ import annotations

import pytest

from kbase.catalogue import lookup, query
from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.library import models as m


@pytest.fixture
def people(cat: Catalogue) -> dict[str, int]:
    names = ["Lotte Hoex", "Jean-Pierre Okenda", "Guillaume de Brier", "Hans Merket", "Ann Merket", "Zoë Müller"]
    return {name: cat.add(m.Person, name=name).id for name in names}


@pytest.mark.parametrize("written, expected", [
    ("Lotte Hoex", ["Lotte Hoex"]),
    ("Hoex, Lotte", ["Lotte Hoex"]),
    ("HOEX, lotte", ["Lotte Hoex"]),
    ("Hoex, L.", ["Lotte Hoex"]),
    ("hoex", ["Lotte Hoex"]),
    ("Hoëx", ["Lotte Hoex"]),
    ("de Brier, Guillaume", ["Guillaume de Brier"]),
    ("de brier", ["Guillaume de Brier"]),
    ("Okenda, J.-P.", ["Jean-Pierre Okenda"]),
    ("Muller, Zoe", ["Zoë Müller"]),
    ("Merket", ["Hans Merket", "Ann Merket"]),
    ("Merket, H.", ["Hans Merket"]),
    ("Hoex, M.", []),
    ("Lotte", []),  # a first name alone names nobody
    ("oex", []),
    (", Lotte", []),
])
def test_a_person_is_found_by_the_ways_names_are_written(cat: Catalogue, people: dict[str, int],
                                                        written: str, expected: list[str]) -> None:
    assert [p.name for p in lookup.find(cat, m.Person, written)] == expected
    assert lookup.named(cat, "person", written) == [people[n] for n in expected]


def test_organisations_are_not_read_as_last_names(cat: Catalogue) -> None:
    cat.add(m.Organisation, name="Partnership Africa Canada")
    assert lookup.find(cat, m.Organisation, "Canada") == []


def test_a_filter_by_person_takes_last_first_and_the_last_name(cat: Catalogue, people: dict[str, int]) -> None:
    pub = cat.add(m.Publication, title="Cobalt and 3T compared", type="report", year=2021)
    cat.set_contributors(pub.id, [("author", "person", people["Lotte Hoex"])])
    for written in ("Hoex, Lotte", "hoex", "Lotte Hoex"):
        assert query.find_ids(cat, "publication", query.Filter(person=written)) == [pub.id]
    with pytest.raises(InvalidInput, match="names several people"):
        query.find_ids(cat, "publication", query.Filter(person="Merket"))


def test_a_picker_suggests_a_person_typed_last_name_first(cat: Catalogue, people: dict[str, int]) -> None:
    assert [rid for rid, _label in lookup.suggest(cat, "person", "Hoex, Lot")] == [people["Lotte Hoex"]]
    assert [rid for rid, _label in lookup.suggest(cat, "person", "hoe")] == [people["Lotte Hoex"]]


def test_the_people_list_filters_by_a_name_typed_last_name_first(cat: Catalogue, people: dict[str, int]) -> None:
    for typed, expected in (("Hoex, Lot", ["Lotte Hoex"]), ("merket, h", ["Hans Merket"]),
                            ("Merket,", ["Hans Merket", "Ann Merket"]), ("hoex", ["Lotte Hoex"]), ("Hoex, M", [])):
        ids = query.find_ids(cat, "person", query.Filter(text=typed))
        assert sorted(ids) == sorted(people[n] for n in expected), typed
