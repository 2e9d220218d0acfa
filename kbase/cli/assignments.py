"""Assignment and role commands: kbase assignment set|delete|list, kbase role add|edit|remove|list."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kbase.catalogue.assignments import KEEP, assignment_rows, save_assignment
from kbase.catalogue.records import Catalogue
from kbase.catalogue.roles import add_role, people_with_role, remove_role, roles_of, update_role
from kbase.cli.common import open_catalogue, print_rows
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.i18n import gettext as _
from kbase.library import models as m


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("assignment", parents=[common],
                        help=_("a project's contract for a year: kbase assignment set|delete|list"))
    acts = p.add_subparsers(dest="action", required=True, metavar="set|delete|list")
    s = acts.add_parser("set", parents=[common], help=_("create or change PROJECT's assignment for YEAR"))
    s.add_argument("project", help=_("project ID, title or short name"))
    s.add_argument("year", type=int)
    s.add_argument("--title", help=_("the title as contracted ('' : the project's)"))
    s.add_argument("--client", action="append", metavar="ORG[=AS NAMED]",
                   help=_("a client in order, optionally with the name the contract gives it (repeatable; "
                          "replaces the clients)"))
    s.add_argument("--no-clients", action="store_true", help=_("an assignment without a client"))
    s.add_argument("--reference", help=_("the contract's reference"))
    s.add_argument("--note")
    s.add_argument("--separator", help=_("between the clients as printed, e.g. / for 'DFID/Concordis'"))
    s.set_defaults(run=cmd_assignment_set)
    d = acts.add_parser("delete", parents=[common], help=_("delete PROJECT's assignment for YEAR"))
    d.add_argument("project")
    d.add_argument("year", type=int)
    d.set_defaults(run=cmd_assignment_delete)
    ls = acts.add_parser("list", parents=[common], help=_("assignments, newest year first"))
    ls.add_argument("--year", type=int)
    ls.add_argument("--project")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=list_assignments)

    p = subs.add_parser("role", parents=[common], help=_("people's roles over time: kbase role add|edit|remove|list"))
    acts = p.add_subparsers(dest="action", required=True, metavar="add|edit|remove|list")
    a = acts.add_parser("add", parents=[common], help=_("PERSON held ROLE (staff, board…) from --start to --end"))
    a.add_argument("person", help=_("person ID or name"))
    a.add_argument("role", help=", ".join(m.PERSON_ROLES))
    _role_options(a)
    a.set_defaults(run=cmd_role_add)
    e = acts.add_parser("edit", parents=[common], help=_("change a role row (its ID from `kbase role list`)"))
    e.add_argument("id", type=int)
    e.add_argument("--role", help=", ".join(m.PERSON_ROLES))
    _role_options(e)
    e.set_defaults(run=cmd_role_edit)
    r = acts.add_parser("remove", parents=[common], help=_("remove a role row"))
    r.add_argument("id", type=int)
    r.set_defaults(run=cmd_role_remove)
    ls = acts.add_parser("list", parents=[common], help=_("roles of a person, or everyone's in a role and year"))
    ls.add_argument("person", nargs="?")
    ls.add_argument("--role")
    ls.add_argument("--year", type=int)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(run=cmd_role_list)


def _role_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--title", help=_("the position held: Chair, Member, Researcher…"))
    p.add_argument("--start", help=_("YYYY, YYYY-MM or YYYY-MM-DD"))
    p.add_argument("--end", help=_("YYYY, YYYY-MM or YYYY-MM-DD (the last day of a year or month given alone)"))
    p.add_argument("--organisation", help=_("where the role is held (default: none)"))


def _project_id(cat: Catalogue, ref: str) -> int:
    return int(cat.find_one(m.Project, ref).id)


def _client(cat: Catalogue, text: str) -> tuple[int, str | None]:
    ref, _equals, named = text.partition("=")
    return int(cat.find_one(m.Organisation, ref.strip()).id), (named.strip() or None)


def cmd_assignment_set(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    pid = _project_id(cat, args.project)
    if args.client and args.no_clients:
        raise InvalidInput(N_("--client and --no-clients exclude each other"))
    clients: Any = KEEP
    if args.client:
        clients = [_client(cat, c) for c in args.client]
    elif args.no_clients:
        clients = []

    def opt(value: Any) -> Any:
        return KEEP if value is None else value  # an option not given leaves the field as it is

    aid = save_assignment(cat, pid, args.year, title=opt(args.title), reference=opt(args.reference),
                          note=opt(args.note), separator=opt(args.separator), clients=clients)
    row = next(r for r in assignment_rows(cat, args.year, pid) if r["id"] == aid)
    if row["clients"]:
        print(_("saved assignment {id}: {year} {title} — for {clients}").format(
            id=aid, year=args.year, title=row["title"], clients=row["client_line"]))
    else:
        print(_("saved assignment {id}: {year} {title}").format(id=aid, year=args.year, title=row["title"]))
    return 0


def cmd_assignment_delete(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    pid = _project_id(cat, args.project)
    if not assignment_rows(cat, args.year, pid):
        raise InvalidInput(N_("project {id} has no assignment in {year}").format(id=pid, year=args.year))
    cat.delete_assignment(pid, args.year)
    print(_("deleted the {year} assignment of project {id}").format(year=args.year, id=pid))
    return 0


def list_assignments(args: argparse.Namespace) -> int:
    """`kbase assignment list` and `kbase list assignment`: --year Y, --project P, --json."""
    cat = open_catalogue(args)
    year = getattr(args, "year", None)
    if isinstance(year, str):  # `kbase list`'s --year takes ranges; an assignment list takes one year
        if not year.strip().isdigit():
            raise InvalidInput(N_("--year for assignments is one year (got {text})").format(text=repr(year)))
        year = int(year)
    project = getattr(args, "project", None)
    rows = assignment_rows(cat, year, _project_id(cat, project) if project else None)
    if getattr(args, "json", False):
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_rows([{**r, "client": r["client_line"]} for r in rows], ["id", "year", "title", "client"])
    return 0


def _person_id(cat: Catalogue, ref: str) -> int:
    from kbase.catalogue.lookup import find

    if ref.isdigit():
        return int(cat.get(m.Person, int(ref)).id)
    found = find(cat, m.Person, ref)
    if len(found) != 1:
        raise InvalidInput((N_("{name} names no person records; use an ID") if not found else
                            N_("{name} names several person records; use an ID")).format(name=repr(ref)))
    return int(found[0].id)


def _org_id(cat: Catalogue, ref: str | None) -> int | None:
    return int(cat.find_one(m.Organisation, ref).id) if ref else None


def _end(value: str | None) -> str | None:
    """'2021' ends on 31 December, '2021-06' on the month's last day."""
    if not value:
        return value
    parts = value.split("-")
    if len(parts) == 1 and parts[0].isdigit():
        return f"{parts[0]}-12-31"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        import calendar

        y, mo = int(parts[0]), int(parts[1])
        if 1 <= mo <= 12:
            return f"{y}-{mo:02d}-{calendar.monthrange(y, mo)[1]}"
    return value


def cmd_role_add(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    rid = add_role(cat, _person_id(cat, args.person), args.role, args.title, args.start, _end(args.end),
                   _org_id(cat, args.organisation))
    print(_("added role {id}").format(id=rid))
    return 0


def cmd_role_edit(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    with cat.reading() as s:
        row = s.get(m.PersonRole, args.id)
        if row is None:
            raise InvalidInput(N_("no person role with ID {id}").format(id=args.id))
        current: dict[str, Any] = {"title": row.title, "start": row.start, "end": row.end,
                                   "organisation_id": row.organisation_id}
    update_role(cat, args.id, args.role,
                args.title if args.title is not None else current["title"],
                args.start if args.start is not None else current["start"],
                _end(args.end) if args.end is not None else current["end"],
                _org_id(cat, args.organisation) if args.organisation is not None else current["organisation_id"])
    print(_("saved role {id}").format(id=args.id))
    return 0


def cmd_role_remove(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    remove_role(cat, args.id)
    print(_("removed role {id}").format(id=args.id))
    return 0


def cmd_role_list(args: argparse.Namespace) -> int:
    cat = open_catalogue(args)
    if args.person:
        pid = _person_id(cat, args.person)
        rows = [r for r in roles_of(cat, pid) if not args.role or r["role"] == args.role]
        name = cat.get(m.Person, pid).name
        rows = [{**r, "name": name} for r in rows]
    else:
        with cat.reading() as s:
            rows = people_with_role(s, args.role, args.year)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print_rows(rows, ["id", "name", "role", "title", "start", "end"])
    return 0
