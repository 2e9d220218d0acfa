"""The counts `kbase trash empty`, `kbase check` and a Zotero import print take their language's plural forms
(English: 1 is singular; French: 0 and 1 are), never a "(s)"; the commands run in this process, as a user's would."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import update
from whoosh import index as windex

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.library.db import open_library
from kbase.search.indexing import sync
from tests.cli_runner import run_cli
from tests.cli_runner import run_ok as ok
from tests.search_data import add_document
from tests.test_no_parenthesised_plurals import PARENTHESISED
from tests.zotero_db import ZoteroDB


def _trashed(location: str, n: int) -> None:
    for i in range(n):
        added = ok(["-L", location, "add", "publication", f"title=Draft {i}", "year=2020"]).stdout.split()
        ok(["-L", location, "delete", "publication", added[2]])


def test_emptying_the_trash_says_its_count_in_each_language(sqlite_location: str) -> None:
    loc = sqlite_location
    said = []
    for lang, n in (("en", 0), ("fr", 0), ("en", 1), ("fr", 1), ("en", 2), ("fr", 2)):
        _trashed(loc, n)
        said.append(ok(["--lang", lang, "-L", loc, "trash", "empty"]).stdout.strip())
    assert said == ["emptied the trash: 0 records deleted for good",
                    "corbeille vidée : 0 fiche supprimée définitivement",
                    "emptied the trash: 1 record deleted for good",
                    "corbeille vidée : 1 fiche supprimée définitivement",
                    "emptied the trash: 2 records deleted for good",
                    "corbeille vidée : 2 fiches supprimées définitivement"]


def test_check_says_each_page_count_in_its_form(sqlite_location: str) -> None:
    """Pages missing from the index, and attachments marked ok with pages but no page text: one and two."""
    loc = sqlite_location
    cat = Catalogue(open_library(loc))
    try:
        one, one_att = add_document(cat, "One page lost", ["Gold.", "Tin.", "Cobalt."])
        two, two_att = add_document(cat, "Two pages lost", ["Copper.", "Zinc.", "Coltan."])
        _pub, bare_one = add_document(cat, "Bare one", [])
        _pub, bare_two = add_document(cat, "Bare two", [])
        with cat.transaction() as s:  # marked ok with pages, but no page text
            s.execute(update(m.Attachment).where(m.Attachment.id == bare_one).values(page_count=1))
            s.execute(update(m.Attachment).where(m.Attachment.id == bare_two).values(page_count=2))
        sync(cat)
        ix = windex.open_dir(str(cat.library.index_dir))
        w = ix.writer()
        for key in (f"a{one_att}:2", f"a{two_att}:1", f"a{two_att}:3"):
            w.delete_by_term("key", key)
        w.commit()
    finally:
        cat.library.close()
    english = run_cli(["-L", loc, "check"])
    french = run_cli(["--lang", "fr", "-L", loc, "check"])
    assert english.returncode == french.returncode == 1, english.stderr + french.stderr
    for line in (f"problem: publication {one}: 1 page missing from the index or out of date",
                 f"problem: publication {two}: 2 pages missing from the index or out of date",
                 f"problem: attachment {bare_one} (Bare one.pdf): it is marked ok with 1 page but has no page text",
                 f"problem: attachment {bare_two} (Bare two.pdf): it is marked ok with 2 pages but has no page text"):
        assert line in english.stdout.splitlines(), english.stdout
    for words in (f"publication {one} : 1 page absente de l’index ou périmée",
                  f"publication {two} : 2 pages absentes de l’index ou périmées",
                  "elle est marquée correcte avec 1 page mais n’a aucun texte de page",
                  "elle est marquée correcte avec 2 pages mais n’a aucun texte de page"):
        assert words in french.stdout, french.stdout
    for said in (english.stdout, french.stdout):
        assert not PARENTHESISED.search(said), said


def _zotero(folder: Path) -> Path:
    """Two reports, one with a note, in two collections."""
    zdb = ZoteroDB(folder / "Zotero")
    gold = zdb.item("report", {"title": "Gold flows", "date": "2019-00-00 2019"}, [("author", "Ken", "Matthysen")])
    tin = zdb.item("report", {"title": "Tin supply chains", "date": "2020-00-00 2020"}, [("author", "IPIS")])
    zdb.note("<p>Site visits in Kamituga</p>", gold)
    mining = zdb.collection("Mining")
    zdb.collection("Gold", mining)
    zdb.file(mining, gold, tin)
    zdb.close()
    return zdb.path


def _summary(done_stdout: str, path: Path) -> str:
    (line,) = [ln for ln in done_stdout.splitlines() if f"{path}: " in ln]  # "Zotero   …/zotero.sqlite: …"
    return line


def test_a_zotero_import_says_its_counts_in_french(sqlite_location: str, tmp_path: Path) -> None:
    path = _zotero(tmp_path)
    first = _summary(ok(["--lang", "fr", "-L", sqlite_location, "import", str(path)]).stdout, path)
    again = _summary(ok(["--lang", "fr", "-L", sqlite_location, "import", str(path)]).stdout, path)
    for words in ("documents : 2 (2 créés) ; ", " ; notes : 1 (1 ajoutée) ; ", " ; collections : 2 (2 créées) ; ",
                  " ; classements en collections : 2 (2 classés) ; "):
        assert words in first, first
    for words in ("documents : 2 (2 rapprochés de fiches existantes) ; ", " ; notes : 1 (1 déjà présente) ; ",
                  " ; collections : 2 (2 déjà présentes) ; ", " ; classements en collections : 2 (2 déjà présents) ; "):
        assert words in again, again
    for said in (first, again):
        assert not PARENTHESISED.search(said), said


def test_a_zotero_import_says_its_counts_in_english(sqlite_location: str, tmp_path: Path) -> None:
    path = _zotero(tmp_path)
    first = _summary(ok(["-L", sqlite_location, "import", str(path)]).stdout, path)
    again = _summary(ok(["-L", sqlite_location, "import", str(path)]).stdout, path)
    for words in ("items: 2 (2 created); ", "; notes: 1 (1 added); ", "; collections: 2 (2 created); ",
                  "; collection links: 2 (2 filed); "):
        assert words in first, first
    for words in ("items: 2 (2 matched); ", "; notes: 1 (1 already there); ", "; collections: 2 (2 already there); ",
                  "; collection links: 2 (2 already there); "):
        assert words in again, again


def test_an_imports_status_words_agree_with_their_counts(sqlite_location: str, tmp_path: Path) -> None:
    """"5 duplicates", "2 endommagés": the per-status counts of `kbase import`'s summary line."""
    import pdfs

    folder = tmp_path / "in"
    pdfs.english_pdf(folder / "a.pdf")
    pdfs.french_pdf(folder / "b.pdf")
    for name in ("c.pdf", "d.pdf"):
        pdfs.truncated_pdf(folder / name)
    (folder / "e.pdf").write_text("notes, not a PDF", encoding="utf-8")
    first = ok(["-L", sqlite_location, "--lang", "fr", "import", str(folder)]).stdout.splitlines()
    assert first[-2].startswith("5 fichiers (2 endommagés, 1 qui n’est pas un PDF, 2 ok) ; ")
    again = ok(["-L", sqlite_location, "import", str(folder)]).stdout.splitlines()
    assert again[-2].startswith("5 files (2 damaged, 2 duplicates, 1 not a pdf); ")
    once = ok(["-L", sqlite_location, "import", str(folder / "a.pdf")]).stdout.splitlines()
    assert once[-2].startswith("1 file (1 duplicate); ")
