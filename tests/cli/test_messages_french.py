"""`kbase --lang fr`: the core's messages (a wrong library, ID or field), an import's per-file summary, an undo's
summary and the numbers the CLI prints, in French; the same commands without --lang as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest

from kbase import i18n
from tests.cli_runner import run_cli
from tests.cli_runner import run_ok as ok

BIB = Path(__file__).resolve().parent.parent / "data" / "bib" / "constructs.bib"


@pytest.fixture
def library(sqlite_location: str) -> str:
    return sqlite_location


def test_no_library_in_french(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    said = run_cli(["--lang", "fr", "-L", str(missing), "list", "publication"])
    assert said.returncode == 1
    assert said.stderr == (f"kbase : erreur : aucune bibliothèque à {missing} "
                           f"(créez-en une avec `kbase init {missing}`)\n")
    english = run_cli(["-L", str(missing), "list", "publication"])
    assert english.stderr == f"kbase: error: no library at {missing} (create one with `kbase init {missing}`)\n"


def test_a_wrong_id_or_field_in_french(library: str) -> None:
    assert run_cli(["--lang", "fr", "-L", library, "show", "999"]).stderr == (
        "kbase : erreur : publication 999 introuvable\n")
    assert run_cli(["--lang", "fr", "-L", library, "show", "person", "999"]).stderr == (
        "kbase : erreur : personne 999 introuvable\n")
    ok(["-L", library, "add", "publication", "title=Copper prices"])
    assert run_cli(["--lang", "fr", "-L", library, "edit", "publication", "1", "zzz=3"]).stderr == (
        "kbase : erreur : pas de champ 'zzz' pour une fiche publication\n")
    assert run_cli(["-L", library, "show", "999"]).stderr == "kbase: error: no publication with ID 999\n"


def test_a_bibliographys_import_and_undo_in_french(library: str) -> None:
    done = ok(["--lang", "fr", "-L", library, "import", str(BIB)])
    assert (f"BibTeX         {BIB}: 11 entrées : 11 créées, 0 rapprochée d’une fiche existante (0 liée, "
            "0 mise à jour, 0 ignorée), 0 refusée ; 0 fichier joint ; nouvelles fiches : 9 organisations, "
            "12 personnes, 1 série, 3 sujets ; import 1\n") in done.stdout
    assert "1 fichier (1 BibTeX) ; fiches : 11 créées, 0 rapprochée d’une fiche existante, 0 refusée\n" in done.stdout
    planned = ok(["--lang", "fr", "-L", library, "import-bib", "--dry-run", str(BIB)]).stdout.splitlines()
    assert planned[-1] == (f"{BIB}: 11 entrées : 0 serait créée, 11 rapprochées de fiches existantes (11 liées, "
                           "0 mise à jour, 0 ignorée), 0 refusée ; 0 fichier serait joint")
    undone = ok(["--lang", "fr", "-L", library, "imports", "undo", "1"])
    assert undone.stdout == ("import 1 annulé : suppression de 9 organisations, 12 personnes, 11 publications, "
                             "1 série, 3 sujets\n")
    listed = ok(["--lang", "fr", "-L", library, "imports"]).stdout
    assert "  annulé  " in listed and "11 créées, 0 rapprochée, 0 refusée" in listed


def test_a_bibliographys_notes_in_french(library: str) -> None:
    mixed = BIB.parent / "mixed.bib"
    lines = ok(["--lang", "fr", "-L", library, "import", str(mixed)]).stdout.splitlines()
    for said in (f"{mixed}:8: epsilon2020key: note : pas de clé de citation ; clé epsilon2020key créée",
                 f"{mixed}:11: good01-2: note : clé de citation good01 déjà utilisée à la ligne 4 ; renommée good01-2",
                 f"{mixed}:15: bad-month: note : mois illisible 'Smarch' gardé comme texte",
                 f"{mixed}:30: bad-eof: note : champ title : accolades ou guillemets déséquilibrés ; le texte est "
                 "gardé tel quel"):
        assert said in lines, said
    english = ok(["-L", library, "import", "--dry-run", str(mixed)]).stdout.splitlines()
    assert f"{mixed}:8: epsilon2020key: note: no citation key; generated epsilon2020key" in english


def test_a_bibliographys_import_and_undo_in_english_as_before(library: str) -> None:
    done = ok(["-L", library, "import", str(BIB)])
    assert (f"bibtex         {BIB}: 11 entries: 11 created, 0 matched existing records (0 linked, 0 updated, "
            "0 skipped), 0 refused; 0 files attached; new records: 9 organisations, 12 people, 1 series, 3 subjects; "
            "import 1\n") in done.stdout
    assert "1 file (1 BibTeX); records: 11 created, 0 matched existing ones, 0 refused\n" in done.stdout
    assert ok(["-L", library, "imports", "undo", "1"]).stdout == (
        "import 1 undone: deleted 9 organisations, 12 people, 11 publications, 1 series, 3 subjects\n")
    message = json.loads(ok(["--lang", "fr", "-L", library, "import", "--json", str(BIB)]).stdout)["files"][0]
    assert message["message"].startswith("11 entries: 11 created, 0 matched existing records")  # --json: as stored


def test_a_pdfs_import_and_undo_in_french(library: str, tmp_path: Path) -> None:
    pdf = tmp_path / "small.pdf"
    with pymupdf.open() as doc:
        doc.new_page().insert_text((72, 72), "Cobalt in Katanga, a small report on mining")
        doc.save(pdf)
    lines = ok(["--lang", "fr", "-L", library, "import", str(pdf)]).stdout.splitlines()
    assert lines[0] == f"ok             {pdf}: 1 page"
    assert lines[1].startswith("1 fichier (1 ok) ; fiches : 1 créée, 0 rapprochée d’une fiche existante, 0 refusée ; "
                               "1 page en ")
    seconds = lines[1].split(" page en ")[1].split(" s ")[0]
    assert "," in seconds and "." not in seconds  # a decimal comma
    assert ok(["--lang", "fr", "-L", library, "imports", "undo", "1"]).stdout == (
        "import 1 annulé : suppression de 1 pièce jointe, 1 publication ; 1 fichier stocké supprimé\n")


def test_amounts_in_french(library: str) -> None:
    said = ok(["--lang", "fr", "-L", library, "finance", "set", "2021", "income", "Grants", "1,697,569.5"]).stderr
    assert said.endswith(" = 1\u202f697\u202f569,50 EUR\n")
    english = ok(["-L", library, "finance", "set", "2021", "income", "Grants", "1,697,569.5"]).stderr
    assert english.endswith(" = 1,697,569.50 EUR\n")


def test_dedupe_in_french(library: str) -> None:
    for _twice in range(2):
        ok(["-L", library, "add", "publication", "title=Misisi gold, a polluted supply chain", "year=2021"])
    french = ok(["--lang", "fr", "-L", library, "dedupe"]).stdout.splitlines()
    assert french[0].split() == ["SCORE", "TYPE", "ID", "POURQUOI", "FICHES"]
    assert french[1].startswith("0,90   publication  1 2  même titre, même année et mêmes auteurs  Misisi gold")
    english = ok(["-L", library, "dedupe"]).stdout.splitlines()
    assert english[1].startswith("0.90   publication  1 2  same title and year and authors  Misisi gold")


@pytest.mark.parametrize(("message", "french"), [
    ("import 3 undone: deleted nothing", "import 3 annulé : rien à supprimer"),
    ("import 2 undone: deleted 1 attachments, 2 notes; 1 existing record put back as it was; 3 links removed",
     "import 2 annulé : suppression de 1 pièce jointe, 2 notes ; 1 fiche existante remise dans son état d’avant ; "
     "3 liens retirés"),
    ("12 entries (read as cp1252): 12 created, 0 matched existing records (0 linked, 0 updated, 0 skipped), "
     "0 refused; 1 file attached; import 4",
     "12 entrées (lues en cp1252) : 12 créées, 0 rapprochée d’une fiche existante (0 liée, 0 mise à jour, 0 ignorée), "
     "0 refusée ; 1 fichier joint ; import 4"),
    # a count is a number: "{n} attachment" does not read a list that ends with the word
    ("unknown record type 'x' (one of: publication, event, attachment)",
     "type de fiche inconnu : 'x' (au choix : publication, event, attachment)"),
])
def test_the_summaries_read_back_in_french(message: str, french: str) -> None:
    i18n.set_language("fr")
    assert i18n.translate(message) == french
