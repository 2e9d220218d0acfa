"""`kbase --lang fr` when a command meets bad input: a damaged .bib line, a file that is not there, a backup
that cannot be written, a library URL that is not PostgreSQL's, a restore of something that is no backup. The
core says each in English; what the user reads is French, with no English word of the message left (the
paths, keys and values the message names are the user's own and stay as they are)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli_runner import run_cli

# words of the core's English messages that French never uses
ENGLISH = re.compile(r"\b(?:cannot|not|no|the|is|was|with|of|read|kept|given|twice|last|before|between|missing|"
                     r"fields|file|such|directory|backup|write|unsupported|valid|database|use|entry|"
                     r"closed|error)\b", re.IGNORECASE)


def english_words(said: str, *names: object) -> list[str]:
    """The English words left in said, once the paths and values it names are taken out."""
    for name in names:
        said = said.replace(str(name), " ")
    return ENGLISH.findall(said)


@pytest.fixture
def library(sqlite_location: str) -> str:
    return sqlite_location


def test_a_damaged_bib_line_in_french(library: str, tmp_path: Path) -> None:
    bib = tmp_path / "damaged.bib"
    bib.write_text("@article{a1,\n  title = {Gold},\n  title = {Copper},\n  year = 2020\n  author = {Smith, Ann}\n}\n"
                   "@article{c3, title = {Cobalt}, year = 2021,\n", encoding="utf-8")
    done = run_cli(["--lang", "fr", "-L", library, "import", "--dry-run", str(bib)])
    assert done.returncode == 0, done.stderr
    notes = [line.removeprefix(f"{bib}:") for line in done.stdout.splitlines() if ": note : " in line]
    assert notes == [
        "1: a1: note : champ title donné deux fois ; la dernière valeur est gardée (la précédente : 'Gold')",
        "1: a1: note : il manque une virgule entre les champs year et author",  # BibTeX's names, as written
        "7: c3: note : bibtexparser n’a pas pu découper cette entrée (Unexpectedly reached end of file. "
        "(unbalanced braces?)) ; lue par le lecteur de secours",
        "7: c3: note : l’entrée n’est pas fermée par `}`",
    ]
    english = run_cli(["-L", library, "import", "--dry-run", str(bib)]).stdout  # the same import in English
    assert f"{bib}:1: a1: note: field title given twice; the last value kept (the one before: 'Gold')" in english


def test_a_file_that_is_not_there_in_french(library: str, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.bib"
    done = run_cli(["--lang", "fr", "-L", library, "attach", "1", str(missing)])
    assert done.returncode == 1
    assert done.stderr == f"kbase : erreur : fichier introuvable : {missing}\n"
    imported = run_cli(["--lang", "fr", "-L", library, "import", str(missing)])
    said = [line for line in imported.stdout.splitlines() if str(missing) in line]
    assert said and not english_words(" ".join(said), missing), said


def test_a_backup_that_cannot_be_written_in_french(library: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "library.kbk"
    done = run_cli(["--lang", "fr", "-L", library, "backup", str(target)])
    assert done.returncode == 1
    assert done.stderr == (f"kbase : erreur : impossible d’écrire la sauvegarde {target} : "
                           "Aucun fichier ou dossier de ce nom\n")
    assert not english_words(done.stderr, target)
    assert run_cli(["-L", library, "backup", str(target)]).stderr == (
        f"kbase: error: cannot write backup {target}: No such file or directory\n")


@pytest.mark.parametrize(("url", "french"), [
    ("mysql://kbase@db.example.org/kbase",
     "URL de base de données non prise en charge mysql://kbase@db.example.org/kbase : utilisez postgresql+psycopg://…"),
    ("postgresql+psycopg://kbase@db.example.org:port/kbase",
     "URL de base de données non valide : db.example.org:port/kbase"),
])
def test_a_library_url_that_is_not_postgresqls_in_french(url: str, french: str) -> None:
    done = run_cli(["--lang", "fr", "-L", url, "list", "publication"])
    assert done.returncode == 1
    assert done.stderr == f"kbase : erreur : {french}\n"
    assert not english_words(done.stderr, "mysql://kbase@db.example.org/kbase", "db.example.org:port/kbase")


def test_a_restore_of_something_that_is_no_backup_in_french(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.kbk"
    bogus.write_text("not a backup\n", encoding="utf-8")
    target = tmp_path / "restored"
    done = run_cli(["--lang", "fr", "restore", str(bogus), str(target)])
    assert done.returncode == 1
    assert done.stderr == (f"kbase : erreur : impossible de lire la sauvegarde {bogus} : "
                           "ce n’est pas une archive ZIP\n")
    assert not english_words(done.stderr, bogus)
    assert run_cli(["restore", str(bogus), str(target)]).stderr == (
        f"kbase: error: cannot read backup {bogus}: it is not a ZIP archive\n")


def test_messages_of_other_packages_in_french(library: str) -> None:
    """Messages of the catalogue's and the report's modules that CORE_MESSAGES never listed."""
    for argv, french in (
            (["note", "edit", "999", "hello"], "note 999 introuvable"),
            (["collection", "put", "999", "publication", "1"], "collection 999 introuvable"),
            (["trash", "days", "-3"],
             "la corbeille garde les fiches 0 jour ou plus (0 : jusqu’à ce qu’elle soit vidée), pas -3"),
            (["finance", "set", "2021", "income", "Grants", "12x"],
             "pas un montant : '12x' (écrivez-le 123456 ou 123456.78 ; pas de signe moins : une perte est une "
             "dépense)"),
    ):
        done = run_cli(["--lang", "fr", "-L", library, *argv])
        assert done.stderr == f"kbase : erreur : {french}\n", argv
    assert run_cli(["-L", library, "note", "edit", "999", "hello"]).stderr == "kbase: error: no note with ID 999\n"


@pytest.mark.parametrize(("message", "french"), [
    # a literal brace of the template ("{{" in the catalog) reads back
    ("a `}` closed the entry early; the fields after it were read too: year, title",
     "une `}` a fermé l’entrée trop tôt ; les champs qui la suivent ont été lus aussi : year, title"),
    # a BibTeX field, a path: the file's own words even where the catalog knows them ("author")
    ("a comma is missing between the fields year and author",
     "il manque une virgule entre les champs year et author"),
    # the operating system's reason, in a field
    ("notes.bib: cannot read: Permission denied", "notes.bib : lecture impossible : Permission refusée"),
    # a field that holds several reasons joined with "; "
    ("project 'Madini'; region 'Kivu' not in the library (--new-names refuse: create them first, or import with "
     "--new-names create)",
     "projet 'Madini' ; région 'Kivu' : pas dans la bibliothèque (--new-names refuse : créez-les d’abord, ou "
     "importez avec --new-names create)"),
])
def test_stored_english_reads_back_in_french(message: str, french: str) -> None:
    from kbase import i18n

    i18n.set_language("fr")
    assert i18n.translate(message) == french
