"""Records found by name as a user types (any alias, accents and case ignored), and how a picked record reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import col

from kbase.catalogue.columns import stored_id, table_of
from kbase.catalogue.records import ALIAS_TABLES, Catalogue
from kbase.library import models as m
from kbase.text import fold_words

# the column a record without aliases is named by
_NAME_COLUMN = {"project": "title", "event": "title", "publication": "title"}
SUGGESTIONS = 15


def name_field(kind: str) -> str:
    """The field that names a record of kind: `title` or `name`."""
    return _NAME_COLUMN.get(kind, "name")


def label(cat: Catalogue, kind: str, record_id: int, french: bool = False) -> str:
    """How the record reads in a picker ("#ID" when there is no such record); french: a region's French name."""
    with cat.reading() as s:
        obj = s.get(m.RECORD_TYPES[kind], record_id)
        if obj is None:
            return f"#{record_id}"
        return _label(s, kind, obj, french)


def _label(s: Any, kind: str, obj: Any, french: bool) -> str:
    """Name and acronym, a project's short name, a region's place in the tree."""
    name: str = getattr(obj, name_field(kind))
    french = french and kind == "region"
    if french and obj.name_fr:
        name = obj.name_fr
    if kind == "project" and obj.short_name and not fold_words(name).startswith(fold_words(obj.short_name)):
        return f"{obj.short_name} – {name}"
    if kind == "organisation" and obj.acronym and obj.acronym != name:
        return f"{name} ({obj.acronym})"
    if kind == "region" and obj.parent_id:
        # "Fizi (South Kivu, DRC)": the same place name recurs in different provinces
        ids = [int(p) for p in obj.path.strip("/").split("/") if p][:-1]
        R = m.Region
        names = {rid: (fr if french and fr else en) for rid, en, fr in
                 s.execute(select(col(R.id), col(R.name), col(R.name_fr)).where(col(R.id).in_(ids)))}
        return f"{name} ({', '.join(names[i] for i in reversed(ids) if i in names)})"
    return name


def suggest(cat: Catalogue, kind: str, text: str, limit: int = SUGGESTIONS,
            french: bool = False) -> list[tuple[int, str]]:
    """(id, label) of records of kind whose name or any alias starts with text (word-wise, folded)."""
    if kind == "person" and "," in text:  # "Hoex, Lot" typed as lists and citations print names
        with cat.reading() as s:
            people = [s.get(m.Person, i) for i in person_ids(cat, text, typing=True)[:limit]]
            return [(stored_id(o.id), _label(s, kind, o, french)) for o in people if o is not None]
    norm = fold_words(text)
    if not norm:
        return []
    model = m.RECORD_TYPES[kind]
    with cat.reading() as s:
        if model in ALIAS_TABLES:
            alias_model, fk = ALIAS_TABLES[model]
            aliases = table_of(alias_model)
            starts: ColumnElement[bool]
            if s.get_bind().dialect.name == "sqlite":
                # a range on the indexed norm column uses SQLite's index, unlike LIKE 'x%'
                starts = aliases.c.norm.between(norm, norm + "\uffff")
            else:  # collations elsewhere may not sort U+FFFF last; LIKE is always right
                starts = aliases.c.norm.startswith(norm, autoescape=True)
            inner = aliases.c.norm.contains(" " + norm, autoescape=True)
            rows = list(s.execute(select(aliases.c[fk], aliases.c.alias)
                                  .where(starts).order_by(aliases.c.norm).limit(limit * 3)))
            if len(rows) < limit:
                rows += list(s.execute(select(aliases.c[fk], aliases.c.alias)
                                       .where(inner).order_by(aliases.c.norm).limit(limit * 3)))
            found: dict[int, str] = {}
            for rid, alias in rows:
                found.setdefault(rid, alias)
            ids = list(found)[:limit]
            id_column = table_of(model).c.id
            names = {i: o for i, o in s.execute(select(id_column, model).where(id_column.in_(ids)))}
            out = []
            for rid in ids:
                obj = names.get(rid)
                if obj is None:
                    continue
                shown = _label(s, kind, obj, french)
                if fold_words(found[rid]) not in (fold_words(obj.name), fold_words(getattr(obj, "acronym", None))):
                    shown += f" — {found[rid]}"
                out.append((rid, shown))
            return out
        column = table_of(model).c[name_field(kind)]
        conds = [column.ilike(f"{text.strip()}%"), column.ilike(f"% {text.strip()}%")]
        if kind == "project":
            conds.append(col(m.Project.short_name).ilike(f"{text.strip()}%"))
        objs: list[Any] = list(s.scalars(select(model).where(or_(*conds)).order_by(column).limit(limit)))
        return [(o.id, _label(s, kind, o, french)) for o in objs]


def find(cat: Catalogue, model: type, text: str) -> list[Any]:
    """Records of model (organisation, person, region) that text names by any alias, case and accents ignored;
    a person also as "Last, First", "Last, F." or by the last name alone ("hoex" finds Lotte Hoex)."""
    found = [obj for obj in cat.lookup(model, text) if obj is not None]
    if found or model is not m.Person:
        return found
    ids = person_ids(cat, text)
    with cat.reading() as s:
        return [obj for obj in (s.get(m.Person, i) for i in ids) if obj is not None]


def person_ids(cat: Catalogue, text: str, typing: bool = False) -> list[int]:
    """IDs of the people a name written "Last, First" (or "Last, F.", or "Last") names, in alias order;
    typing: the last given name may be unfinished ("Hoex, Lot")."""
    family, comma, given = text.partition(",")
    family_norm = fold_words(family)
    given_words = fold_words(given).split() if comma else []
    if not family_norm:
        return []
    A = m.PersonAlias
    with cat.reading() as s:
        last_word = col(A.norm).endswith(" " + family_norm, autoescape=True)
        rows = list(s.execute(select(col(A.person_id), col(A.norm))
                              .where(or_(col(A.norm) == family_norm, last_word))
                              .order_by(col(A.id))))
    found: list[int] = []
    for person_id, norm in rows:
        first_names = norm[: len(norm) - len(family_norm)].split()
        if person_id not in found and _given_names_fit(given_words, first_names, typing):
            found.append(person_id)
    return found


def _given_names_fit(wanted: list[str], known: list[str], typing: bool = False) -> bool:
    """"l" or "lotte" fits "lotte"; "j p" fits "jean pierre"; nothing wanted fits anyone (a last name alone)."""
    if len(wanted) > len(known):
        return False
    last = len(wanted) - 1
    for i, (w, k) in enumerate(zip(wanted, known[: len(wanted)], strict=True)):
        initial_or_unfinished = len(w) == 1 or (typing and i == last)
        if not (k.startswith(w) if initial_or_unfinished else (w == k or (len(k) == 1 and w.startswith(k)))):
            return False
    return True


def named(cat: Catalogue, kind: str, text: str, french: bool = False) -> list[int]:
    """IDs of the records of kind that text names: by any alias, else by a suggestion that reads exactly as text."""
    model = m.RECORD_TYPES[kind]
    if model in ALIAS_TABLES:
        found = [obj.id for obj in find(cat, model, text)]
        if found:
            return found
    return [rid for rid, shown in suggest(cat, kind, text, 2, french) if fold_words(shown) == fold_words(text)]


__all__ = ["SUGGESTIONS", "name_field", "label", "suggest", "named", "find", "person_ids"]
