"""`kbase --lang fr`: the help, argparse's own words, the outputs and their plurals in French (0 and 1 singular);
without --lang the same commands stay English."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kbase import i18n
from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from tests.cli_runner import run_cli
from tests.cli_runner import run_ok as ok


@pytest.fixture
def library(sqlite_location: str) -> str:
    """An empty SQLite library with three publications: two on cobalt, one on copper."""
    location = sqlite_location
    for title in ("Cobalt supply chains", "Cobalt and child labour", "Copper prices"):
        ok(["-L", location, "add", "publication", f"title={title}", "type=report", "year=2021"])
    return location


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    return done.stdout.strip().splitlines()[-1]


def test_the_command_table_and_argparse_speak_french() -> None:
    shown = ok(["--lang", "fr", "--help"])
    assert shown.stdout.startswith("utilisation : kbase ")
    for words in ("arguments positionnels", "afficher ce message d’aide et quitter", "créer une bibliothèque",
                  "recherche plein texte", "langue des messages et des rapports"):
        assert words in shown.stdout, words
    for english in ("usage:", "positional arguments", "show this help message", "create a library"):
        assert english not in shown.stdout, english


def test_french_help_starts_without_babel_the_orm_or_whoosh() -> None:
    """With the compiled catalog (make writes it) `kbase --lang fr --help` reads the .mo and nothing heavier."""
    po, mo = i18n.catalog_path("fr"), i18n.catalog_path("fr", ".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        pytest.skip("no compiled French catalog: `make` writes it")
    probe = ("import contextlib, io, json, sys\nfrom kbase.cli import main\n"
             "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
             "    try:\n        main(['--lang', 'fr', '--help'])\n    except SystemExit:\n        pass\n"
             "print(json.dumps([sorted({n.split('.')[0] for n in sys.modules}), out.getvalue()]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded, shown = json.loads(done.stdout)
    assert shown.startswith("utilisation : kbase ")
    assert not {"babel", "sqlalchemy", "sqlmodel", "whoosh"} & set(loaded)


def test_a_commands_help_in_french() -> None:
    shown = ok(["--lang", "fr", "search", "--help"])
    assert shown.stdout.startswith("utilisation : kbase search ")
    for words in ("Syntaxe des requêtes", "la requête (entre guillemets pour le shell)", "filtres:",
                  "omettre les fiches internes et confidentielles", "type de publication (répétable)"):
        assert words in shown.stdout, words
    assert "leave out" not in shown.stdout


def test_a_usage_error_in_french() -> None:
    wrong = run_cli(["--lang", "fr", "serch", "x"])
    assert wrong.returncode == 2
    assert wrong.stderr.count("\n") == 1
    assert wrong.stderr.startswith("kbase : argument COMMAND : choix invalide : 'serch' (au choix : ")
    assert wrong.stderr.rstrip().endswith("(voir `kbase --help`)")


def test_search_counts_in_french_one_singular_two_plural(library: str) -> None:
    one = ok(["--lang", "fr", "-L", library, "search", "copper", "--no-snippets"])
    assert last_line(one).startswith("1 publication ; affichage 1–1 (")
    two = ok(["--lang", "fr", "-L", library, "search", "cobalt", "--no-snippets"])
    assert last_line(two).startswith("2 publications ; affichage 1–2 (")
    none = ok(["--lang", "fr", "-L", library, "search", "zinc"])
    assert last_line(none) == "aucune publication ne correspond à 'zinc'"


def test_zero_is_singular_in_french(library: str) -> None:
    ok(["-L", library, "search", "cobalt"])  # the index is up to date
    assert last_line(ok(["--lang", "fr", "-L", library, "sync"])) == "index à jour (0 modification appliquée)"
    assert last_line(ok(["-L", library, "sync"])) == "index up to date (0 changes applied)"
    i18n.set_language("fr")  # the search's count takes the same forms
    said = i18n.ngettext("{n} publication; showing {first}–{last} ({ms} ms)",
                         "{n} publications; showing {first}–{last} ({ms} ms)", 0)
    assert said.startswith("{n} publication ;")


def test_check_in_french(library: str) -> None:
    assert last_line(ok(["--lang", "fr", "-L", library, "check"])) == (
        "la bibliothèque est cohérente : le catalogue, le dépôt de fichiers et l’index concordent")
    cat = Catalogue(open_library(library))  # a change the index has not seen yet
    added = cat.add(m.Publication, title="Zinc smelters", type="report").id
    cat.library.close()
    behind = run_cli(["--lang", "fr", "-L", library, "check"])
    assert behind.returncode == 1
    assert behind.stdout.splitlines() == [
        "problème : l’index de recherche a 1 modification du catalogue de retard (une recherche le rattrape ; "
        "`kbase check --repair` le met à jour tout de suite)",
        f"problème : la publication {added} manque dans l’index",
        "2 problèmes restants"]
    repaired = ok(["--lang", "fr", "-L", library, "check", "--repair"])
    assert repaired.stdout.splitlines()[-1] == f"réparé : la publication {added} manque dans l’index"


def test_english_stays_english(library: str) -> None:
    french = ok(["--lang", "fr", "-L", library, "search", "cobalt"])  # French for this command only
    assert last_line(french).startswith("2 publications ; affichage 1–2 (")
    assert last_line(ok(["-L", library, "search", "copper"])).startswith("1 publication; showing 1–1 (")
    assert last_line(ok(["-L", library, "search", "cobalt"])).startswith("2 publications; showing 1–2 (")
    assert last_line(ok(["-L", library, "check"])) == "library is consistent: catalogue, file store and index agree"
    shown = ok(["--help"])
    assert shown.stdout.startswith("usage: kbase ") and "show this help message and exit" in shown.stdout
    assert "create a library" in shown.stdout
    assert i18n.language() == "en"


def test_json_output_stays_machine_readable(library: str) -> None:
    found = json.loads(ok(["--lang", "fr", "-L", library, "search", "cobalt", "--json"]).stdout)
    assert found["total"] == 2
    listed = ok(["--lang", "fr", "-L", library, "list", "publication"])
    assert listed.stdout.splitlines()[0].split() == ["ID", "DATE", "TYPE", "TITRE"]
    assert json.loads(ok(["--lang", "fr", "-L", library, "list", "publication", "--json"]).stdout)[0]["title"]


@pytest.mark.parametrize(("message", "french"), [
    ("damaged PDF: its 1 page cannot be read; not imported",
     "PDF endommagé : son unique page est illisible ; non importé"),
    ("encrypted: protected by a password (1 page); imported without text; import it again with --password to "
     "read it", "chiffré : protégé par un mot de passe (1 page) ; importé sans texte ; importez-le de nouveau avec "
                "--password pour le lire"),
    ("OCR: 1 document (0 scanned pages) not read yet; run `kbase ocr` to read them",
     "OCR : 1 document (0 page numérisée) pas encore lu ; lancez `kbase ocr` pour le lire"),
    ("OCR: 2 documents (3 scanned pages) not read yet; run `kbase ocr --all` to read them",
     "OCR : 2 documents (3 pages numérisées) pas encore lus ; lancez `kbase ocr --all` pour les lire"),
    ("pages 3, 4 could not be read", "lecture impossible : pages 3, 4"),
    ("repaired: the file was damaged and MuPDF rebuilt its structure; check that nothing is missing; "
     "page 3 could not be read",
     "réparé : le fichier était endommagé et MuPDF a reconstruit sa structure ; vérifiez que rien ne manque ; "
     "lecture impossible : page 3"),
    ("a note the catalog does not know; page 3 could not be read",  # half translated: left as it is
     "a note the catalog does not know; page 3 could not be read"),
])
def test_the_cores_english_plurals_read_back_in_french(message: str, french: str) -> None:
    i18n.set_language("fr")
    assert i18n.translate(message) == french


@pytest.mark.parametrize(("stray", "french"), [
    (b" \xe9", "lu en utf-8 ; 1 octet qui n’est pas de l’UTF-8 lu en cp1252"),
    (b" \xe9 \xe8", "lu en utf-8 ; 2 octets qui ne sont pas de l’UTF-8 lus en cp1252"),
])
def test_an_encoding_warning_in_french(stray: bytes, french: str) -> None:
    from kbase.formats.encoding import decode_bytes

    warnings = decode_bytes("@article{a, title={Café é à ô ü ç}}".encode("utf-8") + stray).warnings
    i18n.set_language("fr")
    assert [i18n.translate(w) for w in warnings] == [french]


def test_a_texts_lang_names_the_text_not_the_interface(library: str, tmp_path: Path) -> None:
    source = tmp_path / "preface.md"
    source.write_text("Une année *charnière*.\n", encoding="utf-8")
    stored = ok(["-L", library, "text", "set", "annual", "2021", "preface", "--lang", "fr", str(source)])
    assert stored.stderr.startswith("stored annual 2021 preface (fr): ")  # the French text, said in English
    i18n.set_language("fr")  # a French interface ($KBASE_LANG=fr) storing the English one
    stored = ok(["-L", library, "text", "set", "annual", "2021", "preface", "--lang", "en", str(source)])
    assert stored.stderr == "annual 2021 preface (en) enregistré : 22 caractères\n"


def test_the_warm_search_answers_in_the_askers_language(library: str) -> None:
    from kbase.cli.warm import answer

    argv = ["-L", library, "search", "cobalt", "--no-snippets"]
    cat = Catalogue(open_library(library))
    try:
        asked = {"argv": argv, "location": library, "library": library, "tty": False}
        french = answer(cat, {**asked, "env": {"LANG": "fr_FR.UTF-8"}})
        english = answer(cat, {**asked, "env": {"LANG": "C.UTF-8"}})
        by_option = answer(cat, {**asked, "argv": ["--lang", "fr", *argv], "env": {"KBASE_LANG": "en"}})
    finally:
        cat.library.close()
    assert french["out"].splitlines()[-1].startswith("2 publications ; affichage 1–2 (")
    assert english["out"].splitlines()[-1].startswith("2 publications; showing 1–2 (")
    assert by_option["out"].splitlines()[:-1] == french["out"].splitlines()[:-1]  # the last line has the time
    assert by_option["out"].splitlines()[-1].startswith("2 publications ; affichage 1–2 (")
    assert i18n.language() == "en"  # the warm process keeps its own language between answers
