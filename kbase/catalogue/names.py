"""Records by their names: aliases (a record's other names), lookups by any of them, one record by ID
or name. The Catalogue's methods for them live here (Catalogue takes Names as a base class)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from kbase.catalogue.columns import table_of
from kbase.catalogue.fields import kind_of
from kbase.errors import InvalidInput, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line, fold, fold_words

__all__ = ["Names", "alias_names", "add_aliases"]

ALIAS_TABLES = m.ALIAS_TABLES


def alias_names(obj: Any, first: str) -> dict[str, str]:
    """Folded name → name: first, then the record's acronym and other names, each folded form once."""
    names: dict[str, str] = {}
    for name in (first, *(getattr(obj, f, None) for f in ("acronym", "name_fr", "name_local"))):
        if name:
            names.setdefault(fold_words(name), name)
    return names


def add_aliases(s: Session, obj: Any, alias: str | None) -> None:
    """obj: an organisation, a person, a region… (a type of ALIAS_TABLES); its other names come too."""
    if not alias:
        return
    alias_model, fk = ALIAS_TABLES[type(obj)]
    aliases = table_of(alias_model)
    for norm, name in alias_names(obj, alias).items():
        exists = s.scalar(select(alias_model).where(aliases.c[fk] == obj.id, aliases.c.norm == norm))
        if exists is None:
            s.add(alias_model(**{fk: obj.id, "alias": name, "norm": norm}))
            s.flush()


class _Catalogue(Protocol):
    """What these methods use of the Catalogue they are part of."""

    def transaction(self) -> AbstractContextManager[Session]: ...
    def reading(self) -> AbstractContextManager[Session]: ...
    def touch(self, session: Session, kind: str, record_id: int) -> None: ...
    def get(self, model: type[SQLModel], record_id: int) -> Any: ...
    def add(self, model: type[SQLModel], **values: Any) -> Any: ...
    def lookup(self, model: type[SQLModel], name: str) -> list[Any]: ...
    def find_one(self, model: type[SQLModel], ref: str | int) -> Any: ...


class Names:
    """The Catalogue's methods for names and aliases."""

    def add_alias(self: _Catalogue, model: type[SQLModel], record_id: int, alias: str) -> None:
        alias = clean_line(alias)
        with self.transaction() as s:
            obj = s.get(model, record_id)
            if obj is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind_of(model), id=record_id))
            add_aliases(s, obj, alias)
            self.touch(s, kind_of(model), record_id)

    def aliases(self: _Catalogue, model: type[SQLModel], record_id: int) -> list[str]:
        alias_model, fk = ALIAS_TABLES[model]
        with self.reading() as s:
            aliases = table_of(alias_model)
            return list(s.scalars(select(aliases.c.alias).where(aliases.c[fk] == record_id).order_by(aliases.c.id)))

    def lookup(self: _Catalogue, model: type[SQLModel], name: str) -> list[Any]:
        """Records whose name or any alias matches name, ignoring case and accents."""
        alias_model, fk = ALIAS_TABLES[model]
        norm = fold_words(name)
        with self.reading() as s:
            aliases = table_of(alias_model)
            ids = list(dict.fromkeys(s.scalars(select(aliases.c[fk]).where(aliases.c.norm == norm))))
            return [s.get(model, i) for i in ids]

    def find_one(self: _Catalogue, model: type[SQLModel], ref: str | int) -> Any:
        """A record by ID or by a name that matches exactly one record."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.get(model, int(ref))
        if model in ALIAS_TABLES:
            found = self.lookup(model, ref)
        else:
            name = "title" if model in (m.Publication, m.Project, m.Event) else "name"
            column = table_of(model).c[name]
            wanted = ref.strip().lower()
            with self.reading() as s:
                found = list(s.scalars(select(model).where(func.lower(column) == wanted).limit(5)))
                if not found and model is m.Project:
                    short = func.lower(col(m.Project.short_name)) == wanted
                    found = list(s.scalars(select(m.Project).where(short).limit(5)))
                if not found:  # accents and punctuation: compare folded names in Python as a last resort
                    found = [o for o in s.scalars(select(model)) if fold(getattr(o, name)) == fold(ref)]
        if not found:
            raise NotFound(N_("no {kind} named {name}").format(kind=kind_of(model), name=repr(ref)))
        if len(found) > 1:
            ids = ", ".join(str(o.id) for o in found)
            raise InvalidInput(N_("{name} names several {kind} records (IDs {ids}); use an ID").format(
                name=repr(ref), kind=kind_of(model), ids=ids))
        return found[0]

    def get_or_create(self: _Catalogue, model: type[SQLModel], name: str, **defaults: Any) -> Any:
        try:
            return self.find_one(model, name)
        except NotFound:
            field = "title" if model in (m.Publication, m.Project, m.Event) else "name"
            return self.add(model, **{field: name}, **defaults)
