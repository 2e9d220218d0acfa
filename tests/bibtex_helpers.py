"""Shared by the BibTeX tests: a catalogue's publications as comparable plain data, keyed by citation key."""

from __future__ import annotations

from typing import Any

from kbase.catalogue.query import find_ids
from kbase.catalogue.records import Catalogue
from kbase.formats.exporters.records import load_publications


def snapshot(cat: Catalogue, with_extra: bool = True) -> dict[str, dict[str, Any]]:
    """Every publication's fields and links by name (never by ID), so two libraries can be compared."""
    ids = find_ids(cat, "publication", sort="id")
    out: dict[str, dict[str, Any]] = {}
    for rec in load_publications(cat, ids, include_confidential=True):
        rec = dict(rec)
        rec.pop("id")
        rec.pop("attachments")
        rec["contributors"] = [(c["role"], c["kind"], c["name"]) for c in rec["contributors"]]
        for k in ("subjects", "projects", "regions"):
            rec[k] = sorted(rec[k])
        if not with_extra:
            rec.pop("extra")
        out[rec["citekey"]] = rec
    return out


def differences(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[str]:
    """One line per field that differs, naming the record and the field."""
    out = [f"only in first: {k}" for k in a.keys() - b.keys()] + [f"only in second: {k}" for k in b.keys() - a.keys()]
    for key in sorted(a.keys() & b.keys()):
        for name in sorted(set(a[key]) | set(b[key])):
            if a[key].get(name) != b[key].get(name):
                out.append(f"{key}.{name}: {a[key].get(name)!r} != {b[key].get(name)!r}")
    return out
