"""A record's fields on their way in: record types by name, text cleaned per column, values checked
against their lists and coerced to the column's type, with a message that says what is wrong."""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlalchemy import Text
from sqlmodel import SQLModel

from kbase.catalogue.columns import table_of
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.library import models as m
from kbase.text import clean_line, clean_text, fold_words

ENUM_FIELDS: dict[tuple[type, str], Sequence[str]] = {
    (m.Publication, "type"): m.PUBLICATION_TYPES,
    (m.Publication, "visibility"): m.VISIBILITIES,
    (m.Project, "visibility"): m.VISIBILITIES,
    (m.Event, "visibility"): m.VISIBILITIES,
    (m.Organisation, "kind"): m.ORG_KINDS,
    (m.Organisation, "part_kind"): m.ORG_PART_KINDS,
    (m.Person, "role"): m.PERSON_ROLES,
    (m.Region, "level"): m.REGION_LEVELS,
    (m.Event, "kind"): m.EVENT_KINDS,
}


def record_type(name: str) -> type[SQLModel]:
    key = name.lower().rstrip("s") if name.lower() not in m.RECORD_TYPES else name.lower()
    aliases = {"org": "organisation", "organization": "organisation", "people": "person", "pub": "publication"}
    key = aliases.get(name.lower(), key)
    if key not in m.RECORD_TYPES:
        raise InvalidInput(N_("unknown record type {name} (one of: {kinds})").format(
            name=repr(name), kinds=', '.join(m.RECORD_TYPES)))
    return m.RECORD_TYPES[key]


def kind_of(model: type[SQLModel] | SQLModel) -> str:
    cls = model if isinstance(model, type) else type(model)
    return table_of(cls).name


def check_values(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Values for model's fields, cleaned and coerced; InvalidInput names the first bad one."""
    fields = model.model_fields
    clean: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields or key in ("id", "version", "created", "updated"):
            raise InvalidInput(N_("{kind} has no field {key}").format(kind=kind_of(model), key=repr(key)))
        if isinstance(value, str):
            value = clean_field(model, key, value)
        allowed = ENUM_FIELDS.get((model, key))
        if allowed and value is not None and value not in allowed:
            raise InvalidInput(N_("{key} must be one of: {allowed} (got {value})").format(
                key=key, allowed=', '.join(allowed), value=repr(value)))
        clean[key] = coerce(model, key, value)
    for key in required(model):
        if key in clean and clean[key] in (None, ""):
            raise InvalidInput(needs(model, key))
    if model is m.Publication:
        check_date(clean.get("year"), clean.get("month"), clean.get("month_end"))
        if "title" in clean:
            clean["title_norm"] = fold_words(clean["title"])
    return clean


_MULTILINE: dict[tuple[type, str], bool] = {}


def clean_field(model: type[SQLModel], key: str, value: str) -> str:
    """A text value as the catalogue stores it: Text columns (abstract, notes, summary,
    description, JSON) keep their lines (kbase.text.clean_text); every other text column is one
    line in NFC (clean_line): titles, names, aliases, places, numbers, URLs, file names…"""
    multiline = _MULTILINE.get((model, key))
    if multiline is None:
        column = table_of(model).c.get(key)
        multiline = _MULTILINE[(model, key)] = column is not None and isinstance(column.type, Text)
    return clean_text(value) if multiline else clean_line(value)


def clean_keys(link_model: type[SQLModel], keys: dict[str, Any]) -> dict[str, Any]:
    return {k: clean_field(link_model, k, v) if isinstance(v, str) else v for k, v in keys.items()}


def required(model: type[SQLModel]) -> list[str]:
    """The fields a record of model cannot be without (a title, a name…)."""
    return [name for name, info in model.model_fields.items() if info.is_required()]


# whole sentences, so that a translation can give each its own grammar
_NEEDS = {"publication": N_("a publication needs a title"), "project": N_("a project needs a title"),
          "event": N_("an event needs a title"), "organisation": N_("an organisation needs a name"),
          "person": N_("a person needs a name"), "region": N_("a region needs a name"),
          "programme": N_("a programme needs a name"), "series": N_("a series needs a name"),
          "subject": N_("a subject needs a name")}


def needs(model: type[SQLModel], key: str) -> str:
    kind = kind_of(model)
    return _NEEDS.get(kind) or f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} needs a {key.replace('_', ' ')}"


def primary_name(obj: SQLModel) -> str:
    name = getattr(obj, "name", "")
    return name if isinstance(name, str) else ""


def check_year(year: Any) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(N_("not a year: {year}").format(year=repr(year))) from None
    if not 1000 <= y <= 2999:
        raise InvalidInput(N_("not a plausible year: {year}").format(year=repr(year)))
    return y


def check_date(year: Any, month: Any, month_end: Any) -> None:
    if year is not None:
        check_year(year)
    for label, value in (("month", month), ("month_end", month_end)):
        if value is not None and not (isinstance(value, int) and 1 <= value <= 12):
            raise InvalidInput(N_("{label} must be 1–12 (got {value})").format(label=label, value=repr(value)))
    if month_end is not None and (month is None or month_end < month):
        raise InvalidInput(N_("a month range needs a first month before its last"))


def coerce(model: type[SQLModel], key: str, value: Any) -> Any:
    """Turn CLI strings into the column's type, with a clear message when impossible."""
    if value is None or value == "":
        return None if key not in ("title", "name") else value
    annotation = str(model.model_fields[key].annotation)
    try:
        if "int" in annotation and not isinstance(value, int):
            return int(value)
        if "bool" in annotation and isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "y")
        if "date" in annotation.lower() and isinstance(value, str):
            return parse_date(value)
    except ValueError:
        raise InvalidInput(N_("{key}: {value} is not a valid value").format(key=key, value=repr(value))) from None
    return value


def parse_date(value: str) -> date:
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return date(parts[0], 1, 1)
    if len(parts) == 2:
        return date(parts[0], parts[1], 1)
    return date(parts[0], parts[1], parts[2])


__all__ = ["ENUM_FIELDS", "record_type", "kind_of", "check_values", "clean_field", "clean_keys", "required",
           "needs", "primary_name", "check_year", "check_date", "coerce", "parse_date"]
