"""`kbase finance set|remove|list`: the annual report's income by source and expenses by category."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from kbase.cli.common import open_catalogue, show_usage
from kbase.i18n import N_, number
from kbase.i18n import gettext as _


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    finance = subs.add_parser("finance", parents=[common],
                              help=_("a year's income by source and expenses by category: set, remove, list"))
    actions = finance.add_subparsers(dest="finance_action", metavar="ACTION")
    finance.set_defaults(run=show_usage(finance))

    p = actions.add_parser(
        "set", parents=[common], help=_("add a line or change its amount"),
        description=_("Add one line of a year's accounts, or change the amount of the line with the same "
                      "year, kind and label. Income is listed by source (a funder, or a label such as "
                      "\"Programme subsidies\"), expenses by category. A source that names an organisation "
                      "of the catalogue is linked to it. A year's lines share one currency."))
    p.add_argument("year", type=int)
    p.add_argument("kind", choices=("income", "expense"))
    p.add_argument("label", help=_("the source (income) or category (expense), as the report prints it"))
    p.add_argument("amount", help=_("e.g. 123456, 123456.78 or 1,697,569"))
    p.add_argument("--currency", help=_("three-letter code (default: the year's, else EUR)"))
    p.set_defaults(run=cmd_set)

    p = actions.add_parser("remove", parents=[common], help=_("remove one line"))
    p.add_argument("year", type=int)
    p.add_argument("kind", choices=("income", "expense"))
    p.add_argument("label")
    p.set_defaults(run=cmd_remove)

    p = actions.add_parser("list", parents=[common], help=_("the lines, by year, with totals"))
    p.add_argument("--year", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_list)


KINDS = {"income": N_("income"), "expense": N_("expense")}  # a line's kind, as printed


def money(cents: int, currency: str) -> str:
    return f"{number(cents / 100, 2, grouped=True)} {currency}"


def cmd_set(args: argparse.Namespace) -> int:
    from kbase.report.finances import set_line

    row = set_line(open_catalogue(args), args.year, args.kind, args.label, args.amount, args.currency)
    linked = " " + _("(organisation {id})").format(id=row["organisation_id"]) if row["organisation_id"] else ""
    print(f"{row['year']} {_(KINDS[row['kind']])}{_(': ')}{row['label']}{linked} = "
          f"{money(row['amount_cents'], row['currency'])}", file=sys.stderr)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from kbase.report.finances import remove_line

    remove_line(open_catalogue(args), args.year, args.kind, args.label)
    print(_("removed {year} {kind}: {label}").format(year=args.year, kind=_(KINDS[args.kind]), label=args.label),
          file=sys.stderr)
    return 0


def _human(rows: list[dict[str, Any]]) -> None:
    if not rows:
        print(_("no finances recorded"))
        return
    width = max(len(r["label"]) for r in rows) + 2
    for year in sorted({r["year"] for r in rows}):
        lines = [r for r in rows if r["year"] == year]
        currency = lines[0]["currency"]
        print(f"{year}")
        for kind, heading in (("income", _("Income")), ("expense", _("Expenses"))):
            part = [r for r in lines if r["kind"] == kind]
            if not part:
                continue
            print(f"  {heading}")
            for r in part:
                print(f"    {r['label']:<{width}}{money(r['amount_cents'], currency):>20}")
            total = sum(r["amount_cents"] for r in part)
            print(f"    {_('Total'):<{width}}{money(total, currency):>20}")


def cmd_list(args: argparse.Namespace) -> int:
    from kbase.cli.app import emit
    from kbase.report.finances import list_lines

    rows = list_lines(open_catalogue(args), args.year)
    emit(args, rows, _human)
    return 0
