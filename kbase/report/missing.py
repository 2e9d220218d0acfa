"""Missing-data warnings: what the librarian should fill in before the report is printed."""

from __future__ import annotations

from typing import Any, Iterable


def _name(kind: str, rec: dict[str, Any]) -> str:
    label = rec.get("title") or rec.get("name") or ""
    return f"{kind} {rec.get('id')} “{label}”"


def publication_warnings(pubs: Iterable[dict[str, Any]]) -> list[str]:
    out = []
    for p in pubs:
        gaps = []
        if not (p.get("authors") or p.get("editors")):
            gaps.append("no author")
        if not p.get("year"):
            gaps.append("no year")
        elif not p.get("month") and p.get("type") not in ("book", "book chapter"):
            gaps.append("no month")
        if not p.get("url"):
            gaps.append("no link")
        if gaps:
            out.append(f"{_name('publication', p)}: {', '.join(gaps)}")
    return out


def project_warnings(projects: Iterable[dict[str, Any]], year: int | None = None) -> list[str]:
    out = []
    for j in projects:
        gaps = []
        if not j.get("summary"):
            gaps.append("no summary")
        if not j.get("url"):
            gaps.append("no project page")
        if not j.get("funders"):
            gaps.append("no funder (Supported by)")
        if j.get("programme_id") is None:
            gaps.append("no programme")
        if gaps:
            out.append(f"{_name('project', j)}: {', '.join(gaps)}")
    return out


def annual_warnings(ctx: dict[str, Any]) -> list[str]:
    """Warnings for the records the chosen sections show, each once, in report order."""
    chosen = set(ctx["sections"])
    out: list[str] = []
    if "programmes" in chosen:
        out += project_warnings(j for g in ctx["programmes"] for j in g["projects"])
    if "assignments" in chosen:
        for y in ctx["assignment_years"]:
            for row in y["projects"]:
                if not row["clients"]:
                    out.append(f"project {row['project_id']} “{row['title']}”: no client for {y['year']}")
    if chosen & {"programmes", "periodicals", "maps", "index"}:
        out += publication_warnings(ctx["publications"])
    if "outreach" in chosen:
        for e in ctx["events"]:
            if not e["people"]:
                out.append(f"{_name('event', e)}: nobody named")
    return list(dict.fromkeys(out))


# the texts each section shows, from `kbase text set annual YEAR KEY`
SECTION_TEXTS = {"chair": ("chair",), "preface": ("preface",), "mission": ("mission",),
                 "networks": ("networks",), "outreach": ("outreach", "library", "social-media"),
                 "contact": ("contact",)}
LANG_NAMES = {"en": "English", "fr": "French"}


def text_warnings(ctx: dict[str, Any], texts: dict[str, str], borrowed: dict[str, str]) -> list[str]:
    """A report text the chosen sections need and the catalogue lacks, or holds only in the other
    language or for an earlier year; a programme shown without introduction nor description."""
    year, lang = ctx["year"], ctx["lang"]
    out = []
    needed = [k for sid in ctx["sections"] for k in SECTION_TEXTS.get(sid, ())]
    if "programmes" in ctx["sections"]:
        needed += [f"programme-{g['id']}" for g in ctx["programmes"] if g["id"] and not g.get("description")]
    for key in needed:
        if key not in texts:
            out.append(f"report text “{key}”: none for {year} (kbase text set annual {year} {key} "
                       f"--lang {lang} FILE.md)")
        elif key in borrowed:
            source = borrowed[key]
            other = LANG_NAMES.get(source.split(",")[0], "")
            said = f"the {other} text" if other else f"the text of {source}"
            if other and "," in source:
                said += f" of {source.split(', ')[1]}"
            out.append(f"report text “{key}”: no {LANG_NAMES[lang]} text for {year}, {said} is used")
    return out
