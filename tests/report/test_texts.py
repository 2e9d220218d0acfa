"""The report's own texts and the institute's identity: stored per year and language, shown, warned about."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from kbase.report import build_annual
from kbase.report.identity import get_identity, set_identity
from kbase.report.texts import get_text, list_texts, set_text, texts_for
from tests.cli_runner import run_cli
from tests.conftest import PG_URL, new_pg_database, pg_url_for


def run(*argv: str) -> tuple[int, str, str]:
    done = run_cli(list(argv))
    return done.returncode, done.stdout, done.stderr


def test_texts_are_kept_per_year_key_and_language(cat: Catalogue) -> None:
    assert set_text(cat, "annual", 2021, "preface", "en", "A year of *field work*.\x00")
    set_text(cat, "annual", 2021, "preface", "fr", "Une année de terrain.")
    set_text(cat, "annual", 2020, "mission", "en", "Independent research.")
    assert get_text(cat, "annual", 2021, "preface", "en") == "A year of *field work*."  # NUL cleaned out
    assert [(r["year"], r["key"], r["lang"]) for r in list_texts(cat)] == [
        (2021, "preface", "en"), (2021, "preface", "fr"), (2020, "mission", "en")]
    set_text(cat, "annual", 2021, "preface", "en", "Rewritten.")  # a second set replaces
    assert get_text(cat, "annual", 2021, "preface", "en") == "Rewritten."
    assert not set_text(cat, "annual", 2021, "preface", "en", "  ")  # an empty text removes it
    with pytest.raises(NotFound, match="no en text 'preface' for the annual report 2021"):
        get_text(cat, "annual", 2021, "preface", "en")
    with pytest.raises(InvalidInput, match="unknown report text 'forword'"):
        set_text(cat, "annual", 2021, "forword", "en", "x")
    with pytest.raises(InvalidInput, match="unknown report language 'nl'"):
        set_text(cat, "annual", 2021, "preface", "nl", "x")
    # the French report of 2021: its own preface; the mission of 2020 (a standing text), in English
    found, borrowed = texts_for(cat, "annual", 2021, "fr")
    assert found == {"preface": "Une année de terrain.", "mission": "Independent research."}
    assert borrowed == {"mission": "en, 2020"}


def test_report_shows_the_texts_and_names_the_missing_ones(cat: Catalogue) -> None:
    programme = cat.add(m.Programme, name="Natural Resources").id
    project = cat.add(m.Project, title="Mine mapping", programme_id=programme, summary="Plain summary.",
                      start=date(2021, 6, 1)).id
    set_text(cat, "annual", 2021, "chair", "en", "# A word\n\nThe Board met **four** times.")
    set_text(cat, "annual", 2021, f"programme-{programme}", "en", "Minerals and conflict.")
    set_text(cat, "annual", 2021, f"project-{project}", "en", "In 2021 we visited 580 sites.")
    set_text(cat, "annual", 2021, "preface", "fr", "Préface en français.")
    md, warnings = build_annual(cat, 2021, "md", sections="chair,preface,programmes,mission", lang="en")
    assert "## From the chair\n\n### A word\n\nThe Board met **four** times." in md  # its heading under ours
    assert "Minerals and conflict." in md
    assert "In 2021 we visited 580 sites." in md and "Plain summary." not in md  # the narrative wins
    assert "Préface en français." in md  # the only preface there is
    assert any("report text “preface”: no English text for 2021, the French text is used" in w for w in warnings)
    assert any("report text “mission”: none for 2021 (kbase text set annual 2021 mission --lang en" in w
               for w in warnings)


def test_identity_settings_and_pictures(cat: Catalogue, tmp_path: Path) -> None:
    set_identity(cat, "name", "Peace Institute")
    set_identity(cat, "colour", "#336699")
    set_identity(cat, "website", "peace.example.org")
    svg = tmp_path / "logo.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8")
    set_identity(cat, "logo", svg)
    me = get_identity(cat)
    assert (me["name"], me["short_name"], me["colour"]) == ("Peace Institute", "Peace Institute", "#336699")
    assert me["website"] == "https://peace.example.org"
    assert me["logo"]["type"] == "image/svg+xml" and me["logo"]["data"].startswith(b"<svg")
    assert me["accent"] == "#1f5f8b"  # the house default
    with pytest.raises(InvalidInput, match="not a colour like #12395b"):
        set_identity(cat, "colour", "blue")
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"GIF89a")
    with pytest.raises(InvalidInput, match="logo.png: not a PNG file"):
        set_identity(cat, "logo", fake)
    with pytest.raises(InvalidInput, match="unknown identity field 'motto'"):
        set_identity(cat, "motto", "x")


def test_text_and_identity_commands(sqlite_demo: Catalogue, tmp_path: Path) -> None:
    lib = sqlite_demo.library.location
    source = tmp_path / "preface.md"
    source.write_text("Une année *charnière*.\n", encoding="utf-8")
    code, _, err = run("text", "set", "annual", "2021", "preface", "--lang", "fr", str(source), "-L", lib)
    assert code == 0 and "stored annual 2021 preface (fr)" in err
    code, out, _ = run("text", "show", "annual", "2021", "preface", "--lang", "fr", "-L", lib)
    assert code == 0 and out == "Une année *charnière*.\n"
    code, out, _ = run("text", "list", "--json", "-L", lib)
    assert code == 0 and '"key": "preface"' in out and '"lang": "fr"' in out
    code, _, err = run("text", "set", "annual", "2021", "preface", str(tmp_path / "missing.md"), "-L", lib)
    assert code == 1 and "cannot read" in err and "missing.md" in err and "Traceback" not in err
    code, _, err = run("text", "show", "annual", "2019", "chair", "-L", lib)
    assert code == 1 and "no en text 'chair' for the annual report 2019" in err
    code, _, err = run("identity", "set", "short_name", "PI", "-L", lib)
    assert code == 0
    code, out, _ = run("identity", "show", "-L", lib)
    assert code == 0 and "short_name       PI" in out
    code, _, err = run("identity", "set", "report-language", "de", "-L", lib)
    assert code == 1 and "unknown report language 'de'" in err


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_0004_adds_the_texts_table(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0004")
    lib.close()
    lib = open_library(location)  # opening upgrades
    cat = Catalogue(lib)
    set_text(cat, "annual", 2021, "preface", "en", "After the upgrade.")
    assert get_text(cat, "annual", 2021, "preface", "en") == "After the upgrade."
    lib.close()
