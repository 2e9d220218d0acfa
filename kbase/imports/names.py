"""Names → IDs for one import: every alias table read once, new records created in bulk."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from kbase.catalogue.columns import key
from kbase.catalogue.records import Catalogue
from kbase.formats.bibtex.names import Name
from kbase.library import models as m
from kbase.library.bulk import insert_returning_ids, insert_rows, log_inserts
from kbase.text import fold, fold_words

# names repeat across thousands of entries: fold each spelling once
_fw = lru_cache(maxsize=65536)(fold_words)
_f = lru_cache(maxsize=65536)(fold)


@lru_cache(maxsize=65536)
def _person_keys(n: Name) -> list[str]:
    keys = [_fw(n.display)]
    if n.sortable and _fw(n.sortable) != keys[0]:
        keys.append(_fw(n.sortable))
    return keys


class NameCache:
    """Looks names up in dicts; in a dry run new records get negative IDs and nothing is written."""

    def __init__(self, cat: Catalogue, dry_run: bool):
        self.cat = cat
        self.dry_run = dry_run
        self.created: dict[str, list[str]] = {}
        self._fake = 0

    def load(self, s: Session) -> None:
        self.org: dict[str, int] = {
            n: i for i, n in s.execute(select(col(m.OrganisationAlias.organisation_id), col(m.OrganisationAlias.norm)))}
        self.person: dict[str, int] = {
            n: i for i, n in s.execute(select(col(m.PersonAlias.person_id), col(m.PersonAlias.norm)))}
        self.region: dict[str, int] = {
            n: i for i, n in s.execute(select(col(m.RegionAlias.region_id), col(m.RegionAlias.norm)))}
        self.subject: dict[str, int] = {_f(n): i for i, n in s.execute(select(key(m.Subject.id), col(m.Subject.name)))}
        self.series: dict[str, int] = {_f(n): i for i, n in s.execute(select(key(m.Series.id), col(m.Series.name)))}
        self.project: dict[str, int] = {}
        for i, title, short in s.execute(select(key(m.Project.id), col(m.Project.title), col(m.Project.short_name))):
            self.project.setdefault(_f(title), i)
            if short:
                self.project.setdefault(_f(short), i)

    def _new_id(self, kind: str, label: str) -> int:
        self.created.setdefault(kind, []).append(label)
        return self._fake_id()

    def prepare(self, s: Session | None, names: list[Name], org_names: list[str]) -> None:
        """Create, in a few statements, every person and organisation of a chunk not known yet."""
        new_people: dict[str, Name] = {}
        for n in names:
            if n.kind == "organisation":
                org_names.append(n.display)
            elif not any(k in self.person for k in _person_keys(n)):
                new_people.setdefault(_fw(n.display), n)
        new_orgs = {_fw(o): o for o in org_names if _fw(o) not in self.org}
        new_orgs.pop("", None)
        for name in new_orgs.values():
            self.created.setdefault("organisation", []).append(name)
        for n in new_people.values():
            self.created.setdefault("person", []).append(n.display)
        if s is None:
            for norm in new_orgs:
                self.org[norm] = self._fake_id()
            for n in new_people.values():
                pid = self._fake_id()
                for k in _person_keys(n):
                    self.person.setdefault(k, pid)
            return
        now = m.utcnow()
        base = {"version": 1, "created": now, "updated": now}
        org_ids = insert_returning_ids(s, m.Organisation, [{**base, "name": o} for o in new_orgs.values()])
        person_list = list(new_people.values())
        person_ids = insert_returning_ids(s, m.Person, [{**base, "name": n.display} for n in person_list])
        aliases = []
        for (norm, name), oid in zip(new_orgs.items(), org_ids, strict=True):
            self.org[norm] = oid
            aliases.append({"organisation_id": oid, "alias": name, "norm": norm})
        insert_rows(s, m.OrganisationAlias, aliases)
        aliases = []
        for n, pid in zip(person_list, person_ids, strict=True):
            forms = [n.display] + ([n.sortable] if n.sortable else [])
            for form, norm in zip(forms, _person_keys(n), strict=False):  # a sortable form folding as the name: one key
                aliases.append({"person_id": pid, "alias": form, "norm": norm})
                self.person.setdefault(norm, pid)
        insert_rows(s, m.PersonAlias, aliases)
        log_inserts(self.cat, s, "organisation", org_ids)
        log_inserts(self.cat, s, "person", person_ids)

    def prepare_subjects(self, s: Session | None, labels: list[str]) -> None:
        """Create every subject of a chunk not known yet in one statement (a real library has thousands)."""
        new: dict[str, str] = {}
        for label in labels:
            folded = _f(label)
            if folded and folded not in self.subject:
                new.setdefault(folded, label)
        if not new:
            return
        self.created.setdefault("subject", []).extend(new.values())
        if s is None:
            for folded in new:
                self.subject[folded] = self._fake_id()
            return
        now = m.utcnow()
        ids = insert_returning_ids(s, m.Subject, [{"version": 1, "created": now, "updated": now, "name": label}
                                                  for label in new.values()])
        self.subject.update(zip(new, ids, strict=True))
        log_inserts(self.cat, s, "subject", ids)

    def _fake_id(self) -> int:
        self._fake -= 1
        return self._fake

    def organisation(self, s: Session | None, name: str) -> int:
        norm = _fw(name)
        if norm not in self.org:
            self.prepare(s, [], [name])
        return self.org[norm]

    def contributor(self, s: Session | None, name: Name) -> tuple[str, int]:
        if name.kind == "organisation":
            return "organisation", self.organisation(s, name.display)
        keys = _person_keys(name)
        if not any(k in self.person for k in keys):
            self.prepare(s, [name], [])
        pid = next(self.person[k] for k in keys if k in self.person)
        if name.sortable and keys[-1] not in self.person and s is not None and pid > 0:
            # remember how BibTeX spells this person so export gives the same name parts
            insert_rows(s, m.PersonAlias, [{"person_id": pid, "alias": name.sortable, "norm": keys[-1]}])
            self.person[keys[-1]] = pid
        return "person", pid

    def _simple(self, s: Session | None, kind: str, table: dict[str, int], label: str, model: type[SQLModel],
                **fields: Any) -> int:
        key = _f(label)
        if key not in table:
            if self.dry_run:
                table[key] = self._new_id(kind, label)
            else:
                self.created.setdefault(kind, []).append(label)
                table[key] = self.cat.add(model, **fields).id
        return table[key]

    def subject_id(self, s: Session | None, name: str) -> int:
        return self._simple(s, "subject", self.subject, name, m.Subject, name=name)

    def series_id(self, s: Session | None, name: str) -> int:
        return self._simple(s, "series", self.series, name, m.Series, name=name)

    def project_id(self, s: Session | None, name: str) -> int:
        return self._simple(s, "project", self.project, name, m.Project, title=name)

    def region_id(self, s: Session | None, name: str) -> int:
        norm = _fw(name)
        if norm not in self.region:
            if self.dry_run:
                self.region[norm] = self._new_id("region", name)
            else:
                self.created.setdefault("region", []).append(name)
                self.region[norm] = self.cat.add(m.Region, name=name, level="region").id
        return self.region[norm]
