"""`kbase link`, `merge`, `alias` and `lookup`: records tied to others, two records made one, and names."""

from __future__ import annotations

import argparse
import json
from typing import Any, cast

from sqlmodel import col

from kbase.catalogue import lookup, views
from kbase.catalogue.organisations import linked_organisations, set_linked_organisations
from kbase.catalogue.records import ALIAS_TABLES, Catalogue, record_type
from kbase.cli.common import open_catalogue, print_rows
from kbase.cli.records import LIST_COLUMNS, after_write, record_kind
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_, ngettext
from kbase.i18n import gettext as _
from kbase.library import models as m


def register(subs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = subs.add_parser("link", parents=[common], help=_("link a record to others"))
    p.add_argument("record_type", metavar="TYPE", help=_("publication, project, person or event"))
    p.add_argument("id", type=int)
    for opt in ("project", "region", "subject", "author", "editor", "partner", "funder", "organisation", "person",
                "supporter", "organiser", "host"):
        p.add_argument(f"--{opt}", action="append", default=[])
    p.add_argument("--client", action="append", default=[], help=_("client organisation (with --year)"))
    p.add_argument("--year", type=int, help=_("assignment year for --client (no client: an assignment without one)"))
    p.add_argument("--remove", action="store_true", help=_("remove the links instead"))
    p.set_defaults(run=cmd_link)

    p = subs.add_parser("merge", parents=[common], help=_("merge LOSER into SURVIVOR"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("survivor", type=int)
    p.add_argument("loser", type=int)
    p.set_defaults(run=cmd_merge)

    p = subs.add_parser("alias", parents=[common], help=_("add another name to an organisation, person or region"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("id", type=int)
    p.add_argument("alias")
    p.set_defaults(run=cmd_alias)

    p = subs.add_parser("lookup", parents=[common], help=_("find organisations, people or regions by any name"))
    p.add_argument("record_type", metavar="TYPE")
    p.add_argument("name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_lookup)


def cmd_link(args: argparse.Namespace) -> int:
    kind = record_kind(args.record_type)
    cat = open_catalogue(args)
    cat.get(m.RECORD_TYPES[kind], args.id)
    act = cat.unlink if args.remove else cat.link
    done = 0
    with cat.transaction():
        if kind == "publication":
            for ref in args.project:
                act(m.PublicationProject, publication_id=args.id, project_id=cat.find_one(m.Project, ref).id)
                done += 1
            for ref in args.region:
                act(m.PublicationRegion, publication_id=args.id, region_id=cat.find_one(m.Region, ref).id)
                done += 1
            for ref in args.subject:
                act(m.PublicationSubject, publication_id=args.id, subject_id=cat.find_one(m.Subject, ref).id)
                done += 1
            done += _link_contributors(cat, args)
            done += _link_organisations(cat, kind, args, m.PUBLICATION_ORG_ROLES)
        elif kind == "project":
            for role in ("partner", "funder"):
                for ref in getattr(args, role):
                    org = cat.find_one(m.Organisation, ref)
                    act(m.ProjectOrganisation, project_id=args.id, organisation_id=org.id, role=role)
                    done += 1
            for ref in args.region:
                act(m.ProjectRegion, project_id=args.id, region_id=cat.find_one(m.Region, ref).id)
                done += 1
            for ref in args.subject:
                act(m.ProjectSubject, project_id=args.id, subject_id=cat.find_one(m.Subject, ref).id)
                done += 1
            if args.client or args.year is not None:
                done += _link_clients(cat, args)
        elif kind == "person":
            for ref in args.organisation:
                act(m.PersonOrganisation, person_id=args.id, organisation_id=cat.find_one(m.Organisation, ref).id)
                done += 1
        elif kind == "event":
            for ref in args.person:
                act(m.EventPerson, event_id=args.id, person_id=cat.find_one(m.Person, ref).id)
                done += 1
            done += _link_organisations(cat, kind, args, m.EVENT_ORG_ROLES)
        else:
            raise InvalidInput(N_("{kind} records have no links to set here").format(kind=kind))
    if not done:
        raise InvalidInput(N_("nothing to link: give --project, --region, --partner, … (see `kbase link --help`)"))
    if args.remove:
        said = ngettext("removed {n} link on {record}", "removed {n} links on {record}", done)
    else:
        said = ngettext("made {n} link on {record}", "made {n} links on {record}", done)
    print(said.format(n=done, record=f"{kind} {args.id}"))
    after_write(cat)
    return 0


def _link_contributors(cat: Catalogue, args: argparse.Namespace) -> int:
    if not (args.author or args.editor):
        return 0
    from sqlalchemy import select

    with cat.reading() as s:
        # a contributor row names a person or an organisation: its ID is never None
        current = [(c.role, "person" if c.person_id else "organisation", cast(int, c.person_id or c.organisation_id))
                   for c in s.scalars(select(m.Contributor).where(m.Contributor.publication_id == args.id)
                                      .order_by(col(m.Contributor.position)))]
    wanted = []
    for role in ("author", "editor"):
        for ref in getattr(args, role):
            wanted.append((role, *_person_or_org(cat, ref)))
    if args.remove:
        new = [c for c in current if c not in wanted]
    else:
        new = current + [w for w in wanted if w not in current]
    cat.set_contributors(args.id, new)
    return len(wanted)


def _link_organisations(cat: Catalogue, kind: str, args: argparse.Namespace, roles: tuple[str, ...]) -> int:
    """--funder/--supporter of a publication, --organiser/--host/--funder/--supporter of an event: added
    after the ones it has (or taken away with --remove), in the order given."""
    done = 0
    for role in roles:
        refs = getattr(args, role)
        if not refs:
            continue
        current = [o["id"] for o in linked_organisations_of(cat, kind, args.id).get(role, [])]
        wanted = [cat.find_one(m.Organisation, ref).id for ref in refs]
        new = ([c for c in current if c not in wanted] if args.remove
               else current + [w for w in wanted if w not in current])
        set_linked_organisations(cat, kind, args.id, role, new)
        done += len(wanted)
    return done


def linked_organisations_of(cat: Catalogue, kind: str, record_id: int) -> dict[str, list[dict[str, Any]]]:
    with cat.reading() as s:
        return linked_organisations(s, kind, [record_id])[record_id]


def _person_or_org(cat: Catalogue, ref: str) -> tuple[str, int]:
    """A contributor named by ID ('person:3'), or a name looked up as person then organisation."""
    if ":" in ref and ref.split(":", 1)[0] in ("person", "organisation", "org"):
        kind, rid = ref.split(":", 1)
        kind = "organisation" if kind == "org" else kind
        return kind, cat.find_one(m.RECORD_TYPES[kind], rid).id
    people = lookup.find(cat, m.Person, ref)
    orgs = cat.lookup(m.Organisation, ref)
    if len(people) + len(orgs) == 1:
        return ("person", people[0].id) if people else ("organisation", orgs[0].id)
    if not people and not orgs:
        raise NotFound(N_("no person or organisation named {name} (add it first, or write person:ID / org:ID)")
                       .format(name=repr(ref)))
    raise InvalidInput(N_("{name} names several people or organisations; write person:ID or org:ID").format(
        name=repr(ref)))


def _link_clients(cat: Catalogue, args: argparse.Namespace) -> int:
    if args.year is None:
        raise InvalidInput(N_("--client needs --year"))
    from sqlalchemy import select

    with cat.reading() as s:
        a = s.scalar(select(m.Assignment).where(m.Assignment.project_id == args.id, m.Assignment.year == args.year))
        current = list(s.scalars(select(col(m.AssignmentClient.organisation_id))
                                 .where(col(m.AssignmentClient.assignment_id) == a.id)
                                 .order_by(col(m.AssignmentClient.position)))) if a else []
    wanted = [cat.find_one(m.Organisation, ref).id for ref in args.client]
    if args.remove:
        if not args.client and a is not None:
            cat.delete_assignment(args.id, args.year)
            return 1
        cat.set_assignment(args.id, args.year, [c for c in current if c not in wanted])
    else:
        cat.set_assignment(args.id, args.year, current + [w for w in wanted if w not in current])
    return max(1, len(wanted))


def cmd_merge(args: argparse.Namespace) -> int:
    model = record_type(args.record_type)
    cat = open_catalogue(args)
    if model not in ALIAS_TABLES and model is not m.Publication and model is not m.Project:
        raise InvalidInput(N_("merge works on publications, projects, organisations, people and regions"))
    survivor = cat.merge(model, args.survivor, args.loser)
    print(_("merged {record} into {id}").format(record=f"{record_kind(args.record_type)} {args.loser}",
                                                id=survivor.id))
    after_write(cat)
    return 0


def cmd_alias(args: argparse.Namespace) -> int:
    model = record_type(args.record_type)
    if model not in ALIAS_TABLES:
        raise InvalidInput(N_("aliases are for organisations, people and regions"))
    cat = open_catalogue(args)
    cat.add_alias(model, args.id, args.alias)
    print(_("{record} is also known as {name}").format(record=f"{record_kind(args.record_type)} {args.id}",
                                                       name=repr(args.alias)))
    after_write(cat)  # the new name finds the record's publications in a search
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    model = record_type(args.record_type)
    if model not in ALIAS_TABLES:
        raise InvalidInput(N_("lookup is for organisations, people and regions"))
    cat = open_catalogue(args)
    kind = record_kind(args.record_type)
    rows = [{**views.row(kind, o), "aliases": cat.aliases(model, o.id)} for o in lookup.find(cat, model, args.name)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
    elif not rows:
        raise NotFound(N_("no {kind} known as {name}").format(kind=kind, name=repr(args.name)))
    else:
        # the other names a record is known by: the name itself is in its own column
        print_rows([{**r, "aliases": [a for a in r["aliases"] if a not in (r.get("name"), r.get("acronym"))]}
                    for r in rows], LIST_COLUMNS[kind] + ["aliases"])
    return 0
