"""A year's finances as data: income by source and expenses by category, set, listed and summed."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Sequence, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlmodel import Session, col

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.resources import resource
from kbase.text import clean_line

KINDS = m.FINANCE_KINDS
KIND_WORDS = {"income": "income", "incomes": "income", "turnover": "income", "expense": "expense",
              "expenses": "expense", "cost": "expense", "costs": "expense"}
# "123456", "123456.78", "123,45"; "1,697,569(.50)"; "1.697.569(,50)" as the seed's report prints euros
_PLAIN = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_COMMA_GROUPS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?$")
_DOT_GROUPS = re.compile(r"^\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?$")
MAX_CENTS = 10**15  # ten thousand billion: anything larger is a typing mistake


def check_kind(kind: str) -> str:
    found = KIND_WORDS.get((kind or "").strip().lower())
    if found is None:
        raise InvalidInput(N_("unknown finance kind {kind} (one of: income, expense)").format(kind=repr(kind)))
    return found


def check_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(N_("not a year: {year}").format(year=repr(year))) from None
    if not 1000 <= value <= 2999:
        raise InvalidInput(N_("not a plausible year: {year}").format(year=repr(year)))
    return value


def check_currency(currency: str | None) -> str:
    code = (currency or "EUR").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise InvalidInput(N_("not a currency code: {currency} (three letters, e.g. EUR, USD)").format(
            currency=repr(currency)))
    return code


def parse_amount(text: str | int | Decimal) -> int:
    """An amount typed by a person, in cents: '123456', '1,697,569', '1.697.569', '€ 204.667', '12.5'."""
    if isinstance(text, int):
        cents = text * 100
    else:
        raw = str(text).strip()
        s = re.sub(r"[\s\u00a0\u202f'_€$£]|EUR|USD|GBP", "", raw, flags=re.IGNORECASE)
        if _PLAIN.match(s):
            number = s.replace(",", ".")
        elif _COMMA_GROUPS.match(s):
            number = s.replace(",", "")
        elif _DOT_GROUPS.match(s):
            number = s.replace(".", "").replace(",", ".")
        else:
            raise InvalidInput(N_("not an amount: {raw} (write it as 123456 or 123456.78; no minus sign: a loss is an "
                                  "expense)").format(raw=repr(raw)))
        try:
            cents = int((Decimal(number) * 100).to_integral_value())
        except InvalidOperation:
            raise InvalidInput(N_("not an amount: {raw}").format(raw=repr(raw))) from None
    if cents < 0:
        raise InvalidInput(N_("not an amount: {text} (no minus sign: a loss is an expense)").format(text=repr(text)))
    if cents >= MAX_CENTS:
        raise InvalidInput(N_("amount too large: {text}").format(text=repr(text)))
    return cents


def _row(line: m.FinanceLine, organisation: str | None = None) -> dict[str, Any]:
    return {"id": line.id, "year": line.year, "kind": line.kind, "label": line.label,
            "amount": line.amount_cents / 100, "amount_cents": line.amount_cents, "currency": line.currency,
            "organisation_id": line.organisation_id, "organisation": organisation, "position": line.position}


def _organisation_of(cat: Catalogue, label: str) -> int | None:
    """The catalogue's organisation a source names (by name or alias), when exactly one does."""
    found = cat.lookup(m.Organisation, label)
    return found[0].id if len(found) == 1 else None


def _year_currency(s: Session, year: int, exclude_id: int | None = None) -> str | None:
    query = select(col(m.FinanceLine.currency)).where(col(m.FinanceLine.year) == year)
    if exclude_id is not None:
        query = query.where(col(m.FinanceLine.id) != exclude_id)
    return s.scalars(query.limit(1)).first()


def set_line(cat: Catalogue, year: Any, kind: str, label: str, amount: str | int | Decimal,
             currency: str | None = None) -> dict[str, Any]:
    """Add or change one line (same year, kind and label: the amount is replaced); returns it.

    A year's lines share one currency: a report cannot add euros to dollars."""
    year, kind = check_year(year), check_kind(kind)
    label = clean_line(label or "").strip()
    if not label:
        raise InvalidInput(N_("a finance line needs a source or category (e.g. \"Programme subsidies\")"))
    cents = parse_amount(amount)
    organisation_id = _organisation_of(cat, label)
    with cat.transaction() as s:
        line = s.scalars(select(m.FinanceLine).where(col(m.FinanceLine.year) == year, col(m.FinanceLine.kind) == kind,
                                                     func.lower(col(m.FinanceLine.label)) == label.lower())).first()
        code = check_currency(currency or (line.currency if line else None)
                              or _year_currency(s, year) or None)
        other = _year_currency(s, year, line.id if line else None)
        if other and other != code:
            raise InvalidInput(N_("the finances of {year} are in {other}; {label} cannot be in {code} (change the "
                                  "others first, or give --currency {currency})").format(
                year=year, other=other, currency=other, label=repr(label), code=code))
        if line is None:
            last = s.scalar(select(func.max(col(m.FinanceLine.position))).where(
                col(m.FinanceLine.year) == year, col(m.FinanceLine.kind) == kind))
            line = m.FinanceLine(year=year, kind=kind, label=label, position=(last or 0) + 1,
                                 amount_cents=cents, currency=code)
        line.label, line.amount_cents, line.currency = label, cents, code
        line.organisation_id = organisation_id
        s.add(line)
        s.flush()
        return _row(line)


def remove_line(cat: Catalogue, year: Any, kind: str, label: str) -> None:
    year, kind = check_year(year), check_kind(kind)
    with cat.transaction() as s:
        done = cast(CursorResult[Any], s.execute(delete(m.FinanceLine).where(  # a DELETE's: its row count
            col(m.FinanceLine.year) == year, col(m.FinanceLine.kind) == kind,
            func.lower(col(m.FinanceLine.label)) == clean_line(label or "").strip().lower())))
        if not done.rowcount:
            raise NotFound(N_("no {kind} line {label} in {year}").format(kind=kind, label=repr(label), year=year))


def replace_year(cat: Catalogue, year: Any, rows: Iterable[Sequence[Any]], currency: str | None = None) -> int:
    """Replace all of a year's lines with rows of (kind, label, amount), in their order (the GUI's save).

    Every row is checked before anything is written; an error names the row."""
    year, code = check_year(year), check_currency(currency)
    checked: list[tuple[str, str, int]] = []
    seen: set[tuple[str, str]] = set()
    for number, (kind, label, amount) in enumerate(rows, start=1):
        try:
            kind, label = check_kind(kind), clean_line(str(label or "")).strip()
            if not label:
                raise InvalidInput(N_("no source or category"))
            cents = parse_amount(amount)
        except InvalidInput as exc:
            raise InvalidInput(N_("row {number}: {reason}").format(number=number, reason=exc)) from None
        if (kind, label.lower()) in seen:
            raise InvalidInput(N_("row {number}: {label} is listed twice under {kind}").format(
                number=number, label=repr(label), kind=kind))
        seen.add((kind, label.lower()))
        checked.append((kind, label, cents))
    organisations = {label: _organisation_of(cat, label) for _, label, _ in checked}
    with cat.transaction() as s:
        s.execute(delete(m.FinanceLine).where(col(m.FinanceLine.year) == year))
        for position, (kind, label, cents) in enumerate(checked, start=1):
            s.add(m.FinanceLine(year=year, kind=kind, label=label, amount_cents=cents, currency=code,
                                position=position, organisation_id=organisations[label]))
    return len(checked)


def list_lines(cat: Catalogue, year: int | None = None) -> list[dict[str, Any]]:
    """Lines by year, then income before expenses, each in its order; with the linked organisation's name."""
    F = m.FinanceLine
    query = select(F, col(m.Organisation.name)).outerjoin(m.Organisation,
                                                          col(m.Organisation.id) == col(F.organisation_id))
    if year is not None:
        query = query.where(col(F.year) == check_year(year))
    with cat.reading() as s:
        rows = [_row(line, org) for line, org in s.execute(query)]
    rows.sort(key=lambda r: (r["year"], KINDS.index(r["kind"]), r["position"], r["id"]))
    return rows


def years(cat: Catalogue) -> list[int]:
    with cat.reading() as s:
        return sorted(s.scalars(select(col(m.FinanceLine.year)).distinct()))


def year_accounts(cat: Catalogue, year: int) -> dict[str, Any] | None:
    """A year's income and expenses with totals and the result, or None when nothing is recorded."""
    lines = list_lines(cat, year)
    if not lines:
        return None
    income = [r for r in lines if r["kind"] == "income"]
    expenses = [r for r in lines if r["kind"] == "expense"]
    total_in = sum(r["amount_cents"] for r in income)
    total_out = sum(r["amount_cents"] for r in expenses)
    return {"year": year, "currency": lines[0]["currency"], "income": income, "expenses": expenses,
            "income_total": total_in / 100, "expense_total": total_out / 100,
            "result": (total_in - total_out) / 100}


def load_demo_finances(cat: Catalogue) -> int:
    """The demo's finances (resources/demo/finances.json: {year: {currency, income, expenses}})."""
    data = json.loads(resource("demo", "finances.json").read_text(encoding="utf-8"))
    count = 0
    for year, accounts in data["years"].items():
        rows = [("income", label, amount) for label, amount in accounts.get("income", [])]
        rows += [("expense", label, amount) for label, amount in accounts.get("expenses", [])]
        count += replace_year(cat, int(year), rows, accounts.get("currency"))
    return count
