"""`kbase --lang fr show` and `list`: field labels, record kinds, fixed-list words (a publication's type…) and dates
in French, as the app's details pane says them; the stored values, --json and the English output stay as they were."""

from __future__ import annotations

import json

import pytest

from kbase import i18n
from tests.cli_runner import run_cli
from tests.cli_runner import run_ok as ok


@pytest.fixture
def demo(sqlite_demo_location: str) -> str:
    return sqlite_demo_location


def test_show_a_publication_in_french(demo: str) -> None:
    lines = ok(["--lang", "fr", "-L", demo, "show", "publication", "1"]).stdout.splitlines()
    assert lines[:9] == [
        "publication 1 : Misisi gold, a polluted supply chain",
        "sous-titre : Causes and consequences",
        "type : rapport",
        "date : décembre 2021",
        "contributeurs :",
        "  - Action for Peace and Development [organisation 21]",
        "  - International Peace Information Service [organisation 1]",
        "série : Voix du Congo [série 5]",
        "éditeur : International Peace Information Service [organisation 1]"]
    for line in ("langue : en", "visibilité : public", "projets :", "régions :", "sujets :", "  - gold [sujet 33]"):
        assert line in lines, line
    assert any(line.startswith("résumé : A Congolese CSO reviews") for line in lines)
    assert any(line.startswith("page web : https://ipisresearch.be/") for line in lines)
    assert lines[-1].startswith("(version 2 · créé ") and " · modifié " in lines[-1]


def test_show_other_records_in_french(demo: str) -> None:
    person = ok(["--lang", "fr", "-L", demo, "show", "person", "9"]).stdout.splitlines()
    assert person[:3] == ["personne 9 : Alexandre Jaillon", "poste : Researcher", "rôle : personnel"]
    assert "rôles :" in person and "  - personnel (Researcher)" in person
    organisation = ok(["--lang", "fr", "-L", demo, "show", "organisation", "2"]).stdout.splitlines()
    assert organisation[:3] == ["organisation 2 : United States Agency for International Development",
                                "sigle : USAID", "genre : bailleur de fonds"]
    assert "autres noms :" in organisation and "composantes :" in organisation
    region = ok(["--lang", "fr", "-L", demo, "show", "region", "2"]).stdout.splitlines()
    assert region[:3] == ["région 2 : Sub-Saharan Africa", "niveau : région", "nom français : Afrique subsaharienne"]
    event = ok(["--lang", "fr", "-L", demo, "show", "event", "2"]).stdout.splitlines()
    assert event[:4] == ["événement 2 : Mobile data collection workshop with KP CSC members", "genre : atelier",
                         "date : 2021-01-19", "date de fin : 2021-01-20"]
    assert "  - Alexandre Jaillon [personne 9]" in event
    project = ok(["--lang", "fr", "-L", demo, "show", "project", "2"]).stdout.splitlines()
    assert project[:3] == ["projet 2 : Kufatilia – Incident reporting and monitoring", "nom court : Kufatilia",
                           "début : 2018-01-01"]
    assert "partenaires :" in project and "bailleurs :" in project


def test_the_kind_show_prints_is_the_kind_it_takes(demo: str) -> None:
    """`[personne 9]`, `[série 5]`: what a French `show` names, a French `show` opens."""
    said = ok(["--lang", "fr", "-L", demo, "show", "personne", "9"]).stdout
    assert said.startswith("personne 9 : Alexandre Jaillon\n")
    assert ok(["--lang", "fr", "-L", demo, "show", "série", "5"]).stdout.startswith("série 5 : Voix du Congo\n")
    added = ok(["--lang", "fr", "-L", demo, "add", "personne", "name=Jeanne Test"]).stdout
    assert added.startswith("personne ") and added.endswith(" ajouté(e)\n")
    record_id = added.split()[1]
    saved = ok(["--lang", "fr", "-L", demo, "edit", "personne", record_id, "email=jeanne@example.org"]).stdout
    assert saved == f"personne {record_id} enregistré(e) (version 2)\n"
    assert ok(["-L", demo, "add", "person", "name=Jean Test"]).stdout.startswith("added person ")


def test_list_in_french(demo: str) -> None:
    lines = ok(["--lang", "fr", "-L", demo, "list", "publication"]).stdout.splitlines()
    assert lines[0].split() == ["ID", "DATE", "TYPE", "TITRE"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert rows["4"].startswith("4   août 2021 ") and " rapport " in rows["4"]
    assert "janvier – février 2021" in rows["43"] and " bulletin " in rows["43"]
    assert " chapitre de livre " in rows["39"] and " note d’analyse " in rows["26"]
    assert not any(word in "\n".join(lines) for word in ("August", "January", "report ", "book chapter"))
    events = ok(["--lang", "fr", "-L", demo, "list", "event"]).stdout
    assert "\n2   2021-01-19  atelier  " in events


def test_other_tables_say_their_words_in_french(demo: str) -> None:
    """Every table (print_rows) says a fixed list's words as the app does; --json and English keep the stored word."""
    roles = ok(["--lang", "fr", "-L", demo, "role", "list"]).stdout.splitlines()
    assert roles[0].split()[:3] == ["ID", "NOM", "RÔLE"] and " personnel " in roles[1]
    found = ok(["--lang", "fr", "-L", demo, "lookup", "organisation", "IPIS"]).stdout
    assert "  institut de recherche  " in found
    assert " staff " in ok(["-L", demo, "role", "list"]).stdout.splitlines()[1]
    assert "  research institute  " in ok(["-L", demo, "lookup", "organisation", "IPIS"]).stdout


def test_related_publications_in_french(demo: str) -> None:
    ok(["-L", demo, "relate", "1", "translation of", "2"])
    french = ok(["--lang", "fr", "-L", demo, "show", "publication", "1"]).stdout.splitlines()
    at = french.index("publications liées :")
    assert french[at + 1].startswith("  - traduction de : ") and french[at + 1].endswith(" [publication 2]")
    english = ok(["-L", demo, "show", "publication", "1"]).stdout.splitlines()
    at = english.index("related:")
    assert english[at + 1].startswith("  - translation of: ") and english[at + 1].endswith(" [publication 2]")


def test_history_in_french(demo: str) -> None:
    """A change as the history panel says it ("fiche créée"), the fields by their labels; English keeps the stored
    names (`kbase edit` takes them)."""
    french = ok(["--lang", "fr", "-L", demo, "history", "publication", "1"]).stdout.splitlines()
    assert french[0].endswith(" : fiche créée → v1")
    assert any(line.startswith("    résumé : ∅ → A Congolese CSO") for line in french)
    assert any(line.startswith("    éditeur : ∅ → ") for line in french)  # publisher_id
    english = ok(["-L", demo, "history", "publication", "1"]).stdout.splitlines()
    assert english[0].endswith(": insert → v1")
    assert any(line.startswith("    abstract: ∅ → A Congolese CSO") for line in english)
    assert any(line.startswith("    publisher_id: ∅ → ") for line in english)


def test_stored_values_and_json_stay_as_stored(demo: str) -> None:
    listed = json.loads(ok(["--lang", "fr", "-L", demo, "list", "publication", "--json"]).stdout)
    first = next(r for r in listed if r["id"] == 4)
    assert (first["type"], first["date"]) == ("report", "August 2021")
    shown = json.loads(ok(["--lang", "fr", "-L", demo, "show", "publication", "1", "--json"]).stdout)
    assert (shown["type"], shown["date"], shown["kind"]) == ("report", "December 2021", "publication")
    assert shown["contributors"][0]["kind"] == "organisation"


def test_english_show_and_list_as_before(demo: str) -> None:
    lines = ok(["-L", demo, "show", "publication", "1"]).stdout.splitlines()
    assert lines[:5] == ["publication 1: Misisi gold, a polluted supply chain", "subtitle: Causes and consequences",
                         "type: report", "date: December 2021", "contributors:"]
    assert "  - Action for Peace and Development [organisation 21]" in lines and "url: https://" in "\n".join(lines)
    assert lines[-1].startswith("(version 2 · created ") and " · updated " in lines[-1]
    person = ok(["-L", demo, "show", "person", "9"]).stdout.splitlines()
    assert person[:3] == ["person 9: Alexandre Jaillon", "position: Researcher", "role: staff"]
    listed = ok(["-L", demo, "list", "publication"]).stdout.splitlines()
    assert listed[0].split() == ["ID", "DATE", "TYPE", "TITLE"]
    assert "August 2021" in next(line for line in listed if line.startswith("4 "))
    assert run_cli(["-L", demo, "show", "personne", "9"]).returncode == 1  # English takes English kinds


@pytest.mark.parametrize(("lang", "value", "decimals", "said"), [
    ("en", 1234, None, "1234"), ("en", 0.93, 1, "0.9"), ("en", 1234567, None, "1234567"),
    ("fr", 1234, None, "1\u202f234"), ("fr", 999, None, "999"), ("fr", 1234567, None, "1\u202f234\u202f567"),
    ("fr", 0.93, 1, "0,9"), ("fr", 12345.678, 2, "12\u202f345,68"), ("fr", -4200, None, "-4\u202f200"),
])
def test_numbers_as_the_language_writes_them(lang: str, value: float, decimals: int | None, said: str) -> None:
    i18n.set_language(lang)
    assert i18n.number(value, decimals) == said


def test_dates_as_the_language_writes_them() -> None:
    assert i18n.date_label(2021, 6, 7) == "June – July 2021"
    i18n.set_language("fr")
    assert (i18n.date_label(2021, 8), i18n.date_label(2021, 1, 2), i18n.date_label(2021)) == (
        "août 2021", "janvier – février 2021", "2021")
