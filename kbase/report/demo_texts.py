"""The demo library's report texts and institute identity (resources/demo/report-texts.json, logo.svg)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from kbase.catalogue.records import Catalogue
from kbase.library import models as m
from kbase.report.identity import set_identity
from kbase.report.texts import set_text
from kbase.resources import resource


def add_demo_texts(cat: Catalogue) -> dict[str, int]:
    """Set the demo's identity and its texts for the year the file names; programmes and projects
    are found by name and short name in the catalogue the demo just loaded."""
    data: dict[str, Any] = json.loads(resource("demo", "report-texts.json").read_text(encoding="utf-8"))
    year = int(data["year"])
    for field, value in data["identity"].items():
        set_identity(cat, field, value)
    set_identity(cat, "logo", resource("demo", "logo.svg"))
    with cat.reading() as s:
        programmes: dict[str, int | None] = dict(s.execute(select(col(m.Programme.name), col(m.Programme.id))).all())
        projects = {short: pid for pid, short in s.execute(select(col(m.Project.id), col(m.Project.short_name)))}
    count = 0
    for key, by_lang in data["texts"].items():
        for lang, body in by_lang.items():
            count += set_text(cat, "annual", year, key, lang, body)
    for name, by_lang in data["programmes"].items():
        if name in programmes:
            for lang, body in by_lang.items():
                count += set_text(cat, "annual", year, f"programme-{programmes[name]}", lang, body)
    for short_name, by_lang in data["projects"].items():  # projects by their short name
        pid = projects.get(short_name)
        if pid:
            for lang, body in by_lang.items():
                count += set_text(cat, "annual", year, f"project-{pid}", lang, body)
    return {"report texts": count}
