"""The institute's identity, kept in the library's settings: names, logo, address, colours, web site.

Pictures (the logo, a cover picture) are stored in the setting as base64 with their type, so a
PostgreSQL library shared by a team has them for everyone, not only on the machine that set them."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_
from kbase.text import clean_line, clean_text

PREFIX = "institute."
# field → (label, kind); the name keeps its old setting key, institute.name
FIELDS: dict[str, tuple[str, str]] = {
    "name": ("Name", "line"),
    "short_name": ("Short name", "line"),
    "tagline": ("Tagline", "line"),
    "tagline_fr": ("Tagline in French", "line"),
    "address": ("Address", "text"),
    "email": ("Email", "line"),
    "website": ("Web site", "url"),
    "colour": ("Main colour", "colour"),
    "accent": ("Accent colour", "colour"),
    "logo": ("Logo (SVG or PNG)", "picture"),
    "cover": ("Cover picture (PNG or JPEG)", "picture"),
    "cover_caption": ("Cover picture caption", "line"),
}
DEFAULT_COLOUR, DEFAULT_ACCENT = "#12395b", "#1f5f8b"
PICTURE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_PICTURE = 5_000_000
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _check_field(field: str) -> str:
    field = field.strip().lower().replace("-", "_")
    if field == "color":
        field = "colour"
    if field not in FIELDS:
        raise InvalidInput(N_("unknown identity field {field} (one of: {fields})").format(
            field=repr(field), fields=', '.join(FIELDS)))
    return field


def picture_setting(path: Path) -> str:
    """'image/png;base64,…' for a picture file; refuses other types and files too large to embed."""
    kind = PICTURE_TYPES.get(path.suffix.lower())
    if kind is None:
        raise InvalidInput(N_("{path}: not a picture Kbase embeds (SVG, PNG or JPEG)").format(path=path))
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(N_("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from None
    if len(data) > MAX_PICTURE:
        raise InvalidInput(N_("{path}: {size} bytes, more than the {limit} a report embeds").format(
            path=path, size=format(len(data), ','), limit=format(MAX_PICTURE, ',')))
    if kind == "image/svg+xml" and b"<svg" not in data[:4096]:
        raise InvalidInput(N_("{path}: not an SVG file").format(path=path))
    if kind == "image/png" and not data.startswith(b"\x89PNG"):
        raise InvalidInput(N_("{path}: not a PNG file").format(path=path))
    if kind == "image/jpeg" and not data.startswith(b"\xff\xd8"):
        raise InvalidInput(N_("{path}: not a JPEG file").format(path=path))
    return f"{kind};base64,{base64.b64encode(data).decode('ascii')}"


def set_identity(cat: Catalogue, field: str, value: str | Path | None) -> None:
    """Set one field; a picture field takes a file path; None or '' clears the field."""
    field = _check_field(field)
    kind = FIELDS[field][1]
    if value is None or (isinstance(value, str) and not value.strip()):
        cat.set_setting(PREFIX + field, None)
        return
    if kind == "picture":
        stored = picture_setting(Path(value))
    elif kind == "text":
        stored = clean_text(str(value)).strip()
    else:
        stored = clean_line(str(value)).strip()
    if kind == "colour" and not _COLOUR.match(stored):
        raise InvalidInput(N_("{field}: {stored} is not a colour like #12395b").format(
            field=field, stored=repr(stored)))
    if kind == "url" and not stored.lower().startswith(("http://", "https://")):
        stored = "https://" + stored
    cat.set_setting(PREFIX + field, stored)


def get_identity(cat: Catalogue) -> dict[str, Any]:
    """Every field (None when unset); pictures as {'type', 'data' (bytes)}; colours with defaults."""
    out: dict[str, Any] = {}
    for field, (_, kind) in FIELDS.items():
        value = cat.get_setting(PREFIX + field)
        out[field] = picture(value) if kind == "picture" else value
    out["colour"] = out["colour"] or DEFAULT_COLOUR
    out["accent"] = out["accent"] or DEFAULT_ACCENT
    out["short_name"] = out["short_name"] or out["name"]
    return out


def picture(value: str | None) -> dict[str, Any] | None:
    if not value or ";base64," not in value:
        return None
    kind, data = value.split(";base64,", 1)
    try:
        return {"type": kind, "data": base64.b64decode(data)}
    except ValueError:
        return None


def identity_rows(cat: Catalogue) -> list[dict[str, Any]]:
    """For `kbase identity show` and the settings dialog: field, label, value as text."""
    rows = []
    for field, (label, kind) in FIELDS.items():
        value = cat.get_setting(PREFIX + field)
        if kind == "picture" and value:
            pic = picture(value)
            value = f"{pic['type']}, {len(pic['data']):,} bytes" if pic else "(unreadable)"
        rows.append({"field": field, "label": label, "value": value})
    return rows


def host(url: str | None) -> str:
    """'ipisresearch.be' from 'https://www.ipisresearch.be/'."""
    if not url:
        return ""
    text = re.sub(r"^[a-z]+://", "", url.strip(), flags=re.I)
    return re.sub(r"^www\.", "", text).split("/", 1)[0]
