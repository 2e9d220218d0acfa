"""Names → IDs for one import: every alias table read once, new records created in bulk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from kbase import models as m
from kbase.bibtex.names import Name
from kbase.catalogue import Catalogue
from kbase.text import fold, fold_words


class NameCache:
    """Looks names up in dicts; in a dry run new records get negative IDs and nothing is written."""

    def __init__(self, cat: Catalogue, dry_run: bool):
        self.cat = cat
        self.dry_run = dry_run
        self.created: dict[str, list[str]] = {}
        self._fake = 0

    def load(self, s: Session) -> None:
        self.org = {n: i for i, n in s.execute(select(m.OrganisationAlias.organisation_id, m.OrganisationAlias.norm))}
        self.person = {n: i for i, n in s.execute(select(m.PersonAlias.person_id, m.PersonAlias.norm))}
        self.region = {n: i for i, n in s.execute(select(m.RegionAlias.region_id, m.RegionAlias.norm))}
        self.subject = {fold(n): i for i, n in s.execute(select(m.Subject.id, m.Subject.name))}
        self.series = {fold(n): i for i, n in s.execute(select(m.Series.id, m.Series.name))}
        self.project: dict[str, int] = {}
        for i, title, short in s.execute(select(m.Project.id, m.Project.title, m.Project.short_name)):
            self.project.setdefault(fold(title), i)
            if short:
                self.project.setdefault(fold(short), i)

    def _new_id(self, kind: str, label: str) -> int:
        self.created.setdefault(kind, []).append(label)
        self._fake -= 1
        return self._fake

    def _add_with_aliases(self, s: Session, obj: Any, alias_model: type, fk: str, aliases: list[str],
                          table: dict[str, int]) -> int:
        s.add(obj)
        s.flush()
        seen: set[str] = set()
        for alias in aliases:
            norm = fold_words(alias)
            if norm and norm not in seen:
                seen.add(norm)
                s.add(alias_model(**{fk: obj.id, "alias": alias, "norm": norm}))
                table.setdefault(norm, obj.id)
        self.cat.log_change(s, obj.__tablename__, obj.id, "insert")
        return obj.id

    def organisation(self, s: Session, name: str) -> int:
        norm = fold_words(name)
        if norm in self.org:
            return self.org[norm]
        if self.dry_run:
            self.org[norm] = self._new_id("organisation", name)
            return self.org[norm]
        self.created.setdefault("organisation", []).append(name)
        return self._add_with_aliases(s, m.Organisation(name=name), m.OrganisationAlias, "organisation_id", [name], self.org)

    def contributor(self, s: Session, name: Name) -> tuple[str, int]:
        if name.kind == "organisation":
            return "organisation", self.organisation(s, name.display)
        keys = [fold_words(name.display)] + ([fold_words(name.sortable)] if name.sortable else [])
        for k in keys:
            if k in self.person:
                pid = self.person[k]
                if name.sortable and keys[-1] not in self.person and not self.dry_run and pid > 0:
                    # remember how BibTeX spells this person so export gives the same name parts
                    s.add(m.PersonAlias(person_id=pid, alias=name.sortable, norm=keys[-1]))
                    self.person[keys[-1]] = pid
                return "person", pid
        if self.dry_run:
            pid = self._new_id("person", name.display)
            for k in keys:
                self.person[k] = pid
            return "person", pid
        self.created.setdefault("person", []).append(name.display)
        aliases = [name.display] + ([name.sortable] if name.sortable else [])
        return "person", self._add_with_aliases(s, m.Person(name=name.display), m.PersonAlias, "person_id", aliases, self.person)

    def _simple(self, s: Session, kind: str, table: dict[str, int], label: str, model: type, **fields: Any) -> int:
        key = fold(label)
        if key not in table:
            if self.dry_run:
                table[key] = self._new_id(kind, label)
            else:
                self.created.setdefault(kind, []).append(label)
                table[key] = self.cat.add(model, **fields).id
        return table[key]

    def subject_id(self, s: Session, name: str) -> int:
        return self._simple(s, "subject", self.subject, name, m.Subject, name=name)

    def series_id(self, s: Session, name: str) -> int:
        return self._simple(s, "series", self.series, name, m.Series, name=name)

    def project_id(self, s: Session, name: str) -> int:
        return self._simple(s, "project", self.project, name, m.Project, title=name)

    def region_id(self, s: Session, name: str) -> int:
        norm = fold_words(name)
        if norm not in self.region:
            if self.dry_run:
                self.region[norm] = self._new_id("region", name)
            else:
                self.created.setdefault("region", []).append(name)
                self.region[norm] = self.cat.add(m.Region, name=name, level="region").id
        return self.region[norm]
