"""The gettext catalogs: every string the code translates has its French, plurals follow French rules,
and the core's English messages are read back into French through the catalog's templates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kbase import i18n
from kbase.errors import QueryError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def test_every_string_of_the_code_has_its_french():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "translations.py"), "check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr


def test_french_plural_treats_zero_and_one_as_singular():
    i18n.set_language("fr")
    forms = [i18n.ngettext("{n} event", "{n} events", n).format(n=n) for n in (0, 1, 2, 1000)]
    assert forms == ["0 événement", "1 événement", "2 événements", "1000 événements"]
    i18n.set_language("en")
    assert i18n.ngettext("{n} event", "{n} events", 0).format(n=0) == "0 events"


def test_a_core_message_is_read_back_into_french():
    from kbase.search.language import _check_operators

    with pytest.raises(QueryError) as caught:
        _check_operators("cobalt AND")
    english = str(caught.value)
    assert english == "AND needs a word on each side (as in cobalt AND gold)"
    i18n.set_language("fr")
    assert i18n.translate(english) == "AND demande un mot de chaque côté (par exemple cobalt AND gold)"
    assert i18n.translate("same DOI 10.1000/xyz") == "même DOI 10.1000/xyz"
    assert i18n.translate("a message nobody wrote") == "a message nobody wrote"


def test_the_language_reaches_worker_processes_through_the_environment(monkeypatch):
    i18n.set_language("fr")
    out = subprocess.run([sys.executable, "-c", "from kbase import i18n; print(i18n.language())"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "fr"


def test_language_from_the_locale(monkeypatch):
    monkeypatch.delenv("KBASE_LANG", raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_BE.UTF-8")
    assert i18n.language_from_environment() == "fr"
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    assert i18n.language_from_environment() == "en"
    monkeypatch.setenv("KBASE_LANG", "fr")
    assert i18n.language_from_environment() == "fr"


def test_a_stale_compiled_catalog_is_not_used(tmp_path, monkeypatch):
    """A .po newer than its .mo (an edit without `make`) is compiled in memory instead."""
    po = i18n.catalog_path("fr")
    mo = i18n.catalog_path("fr", ".mo")
    monkeypatch.setattr(i18n, "catalog_path", lambda lang, suffix=".po": tmp_path / (lang + suffix))
    (tmp_path / "fr.po").write_bytes(po.read_bytes().replace(b'msgstr "Titre"', b'msgstr "Intitul\xc3\xa9"'))
    if mo.exists():
        (tmp_path / "fr.mo").write_bytes(mo.read_bytes())
        import os
        os.utime(tmp_path / "fr.mo", (1, 1))
    i18n._translations.clear()
    i18n.set_language("fr")
    try:
        assert i18n.gettext("Title") == "Intitulé"
    finally:
        i18n._translations.clear()


def test_the_cli_speaks_french_with_lang(tmp_path):
    from tests.cli_runner import run_cli

    lib = str(tmp_path / "lib")
    assert run_cli(["init", lib]).returncode == 0
    done = run_cli(["--lang", "fr", "-L", lib, "search", "cobalt AND"])
    assert done.returncode == 1
    assert done.stderr.strip() == "kbase : erreur : AND demande un mot de chaque côté (par exemple cobalt AND gold)"
    assert i18n.language() == "en"  # the command's language did not stay with the calling process
    done = run_cli(["-L", lib, "imports", "undo", "99", "--lang=fr"])
    assert "aucun import n° 99" in done.stderr
    done = run_cli(["-L", lib, "search", "cobalt AND"])
    assert "AND needs a word on each side" in done.stderr
