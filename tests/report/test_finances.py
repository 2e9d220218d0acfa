"""Finances as data: lines set, changed, listed and summed; the CLI; the demo's 2021 accounts; the upgrade to 0007."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.library import models as m
from kbase.library import schema
from kbase.library.db import open_library
from kbase.report.finances import list_lines, parse_amount, remove_line, replace_year, set_line, year_accounts
from tests.cli_runner import run_cli
from tests.conftest import PG_URL, new_pg_database, pg_url_for


@pytest.mark.parametrize("typed, cents", [
    ("123456", 12345600), ("123456.78", 12345678), ("12,5", 1250), ("1,697,569", 169756900),
    ("1.697.569", 169756900), ("€ 204.667", 20466700), ("1 697 569,50", 169756950), ("0", 0), (42, 4200),
])
def test_amounts_are_read_as_people_type_them(typed, cents) -> None:
    assert parse_amount(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "-5", "1,2,3", "12.345.6", "1e6", "1.5.5,55"])
def test_what_is_not_an_amount_is_refused_with_the_text(typed) -> None:
    with pytest.raises(InvalidInput, match="amount"):
        parse_amount(typed)


def test_demo_has_the_2021_accounts_that_add_up(demo: Catalogue) -> None:
    accounts = year_accounts(demo, 2021)
    assert accounts is not None and accounts["currency"] == "EUR"
    assert accounts["income_total"] == 1_697_569  # the seed's turnover
    assert accounts["expense_total"] == 1_704_642  # and its expenses
    assert accounts["result"] == 1_697_569 - 1_704_642
    assert [r["label"] for r in accounts["income"]][:2] == ["Services for social / commercial enterprises",
                                                             "Services for non-governmental organisations"]
    assert len(accounts["expenses"]) == 4
    assert year_accounts(demo, 2019) is None


def test_set_changes_the_line_with_the_same_label_and_keeps_its_place(cat: Catalogue) -> None:
    set_line(cat, 2021, "income", "Programme subsidies", "700000")
    set_line(cat, 2021, "expense", "Personnel costs", "800000")
    set_line(cat, 2021, "income", "Other", "30185")
    row = set_line(cat, 2021, "income", "programme subsidies", "701,349")  # the case of a label is not a new line
    assert row["amount"] == 701_349 and row["label"] == "programme subsidies"
    lines = list_lines(cat, 2021)
    assert [(r["kind"], r["label"]) for r in lines] == [
        ("income", "programme subsidies"), ("income", "Other"), ("expense", "Personnel costs")]
    remove_line(cat, 2021, "income", "Other")
    assert len(list_lines(cat, 2021)) == 2
    with pytest.raises(NotFound, match="Other"):
        remove_line(cat, 2021, "income", "Other")


def test_a_source_that_names_an_organisation_is_linked(cat: Catalogue) -> None:
    eu = cat.add(m.Organisation, name="European Union", acronym="EU")
    cat.add_alias(m.Organisation, eu.id, "EU")
    row = set_line(cat, 2021, "income", "EU", 123456, "eur")
    assert row["organisation_id"] == eu.id and row["currency"] == "EUR"
    assert list_lines(cat)[0]["organisation"] == "European Union"
    assert set_line(cat, 2021, "income", "Membership fees", 10)["organisation_id"] is None


def test_one_currency_per_year_and_clean_labels(cat: Catalogue) -> None:
    set_line(cat, 2021, "income", "Grants", 100, "USD")
    assert set_line(cat, 2021, "expense", "Rent", 50)["currency"] == "USD"  # the year's currency by default
    with pytest.raises(InvalidInput, match="in USD"):
        set_line(cat, 2021, "expense", "Travel", 10, "EUR")
    assert set_line(cat, 2022, "expense", "Travel", 10, "EUR")["currency"] == "EUR"
    assert set_line(cat, 2022, "income", "Gifts\x00 and\tlegacies", 1)["label"] == "Gifts and legacies"
    with pytest.raises(InvalidInput, match="kind"):
        set_line(cat, 2022, "profit", "Gifts", 1)
    with pytest.raises(InvalidInput, match="currency"):
        set_line(cat, 2023, "income", "Gifts", 1, "euro")


def test_replace_year_checks_every_row_before_writing(cat: Catalogue) -> None:
    set_line(cat, 2021, "income", "Old line", 1)
    with pytest.raises(InvalidInput, match="row 2"):
        replace_year(cat, 2021, [("income", "Grants", "10"), ("expense", "Rent", "ten")])
    assert [r["label"] for r in list_lines(cat, 2021)] == ["Old line"]  # nothing written
    with pytest.raises(InvalidInput, match="listed twice"):
        replace_year(cat, 2021, [("income", "Grants", "10"), ("income", "grants", "5")])
    assert replace_year(cat, 2021, [("expense", "Rent", "5"), ("income", "Grants", "10")]) == 2
    assert [r["label"] for r in list_lines(cat, 2021)] == ["Grants", "Rent"]


def test_cli_sets_lists_and_removes(location: str) -> None:
    run = lambda *argv: run_cli(["--library", location, "finance", *argv])  # noqa: E731
    done = run("set", "2021", "income", "European Union", "123456", "--currency", "EUR")
    assert done.returncode == 0, done.stderr
    assert "123,456.00 EUR" in done.stderr
    assert run("set", "2021", "expense", "Personnel costs", "1.000,50").returncode == 0
    listed = run("list", "--year", "2021", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["kind"], r["label"], r["amount"]) for r in rows] == [
        ("income", "European Union", 123456.0), ("expense", "Personnel costs", 1000.5)]
    human = run("list").stdout
    assert "Income" in human and "Expenses" in human and "123,456.00 EUR" in human
    bad = run("set", "2021", "income", "Gifts", "lots")
    assert bad.returncode != 0 and "not an amount: 'lots'" in bad.stderr and "Traceback" not in bad.stderr
    assert run("remove", "2021", "income", "European Union").returncode == 0
    missing = run("remove", "2021", "income", "European Union")
    assert missing.returncode != 0 and "no income line 'European Union' in 2021" in missing.stderr


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_to_0007_keeps_the_library_and_adds_finances(backend: str, tmp_path) -> None:
    if backend == "postgresql" and not PG_URL:
        pytest.skip("no PostgreSQL test server")
    location = str(tmp_path / "old") if backend == "sqlite" else pg_url_for(new_pg_database())
    lib = open_library(location, create=True, migrate=False)
    schema.upgrade(lib, "0006")
    with lib.engine.begin() as conn:
        conn.execute(text("INSERT INTO organisation (name, version, created, updated) "
                          "VALUES ('European Union', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO organisation_alias (organisation_id, alias, norm) "
                          "VALUES (1, 'European Union', 'european union')"))
    lib.close()
    lib = open_library(location)  # opening upgrades
    assert schema.current_revision(lib) == schema.head_revision()
    cat = Catalogue(lib)
    assert set_line(cat, 2021, "income", "European Union", 123456)["organisation_id"] == 1
    with pytest.raises(InvalidInput, match="finance_line 1"):  # a funder in the accounts is not deleted quietly
        cat.delete(m.Organisation, 1)
    eu = cat.add(m.Organisation, name="European Commission")
    cat.merge(m.Organisation, eu.id, 1)  # merging moves the line to the survivor
    assert list_lines(cat, 2021)[0]["organisation"] == "European Commission"
    lib.close()
