"""Missing-data warnings: what the librarian should fill in before the report is printed."""

from __future__ import annotations

from typing import Any, Iterable

from kbase.i18n import N_

# what a record lacks, said as "publication 12 “Title”: no author, no link" (English: translated where it is shown)
GAPS = {"publication": N_("publication {id} “{title}”: {gaps}"), "project": N_("project {id} “{title}”: {gaps}")}


def _gaps(kind: str, rec: dict[str, Any], gaps: list[str]) -> str:
    return GAPS[kind].format(id=rec.get("id"), title=rec.get("title") or rec.get("name") or "", gaps=", ".join(gaps))


def publication_warnings(pubs: Iterable[dict[str, Any]]) -> list[str]:
    out = []
    for p in pubs:
        gaps = []
        if not (p.get("authors") or p.get("editors")):
            gaps.append(N_("no author"))
        if not p.get("year"):
            gaps.append(N_("no year"))
        elif not p.get("month") and p.get("type") not in ("book", "book chapter"):
            gaps.append(N_("no month"))
        if not p.get("url"):
            gaps.append(N_("no link"))
        if gaps:
            out.append(_gaps("publication", p, gaps))
    return out


def project_warnings(projects: Iterable[dict[str, Any]], year: int | None = None) -> list[str]:
    out = []
    for j in projects:
        gaps = []
        if not j.get("summary"):
            gaps.append(N_("no summary"))
        if not j.get("url"):
            gaps.append(N_("no project page"))
        if not j.get("funders"):
            gaps.append(N_("no funder (Supported by)"))
        if j.get("programme_id") is None:
            gaps.append(N_("no programme"))
        if gaps:
            out.append(_gaps("project", j, gaps))
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
                    out.append(N_("project {id} “{title}”: no client for {year}").format(
                        id=row["project_id"], title=row["title"], year=y["year"]))
    if chosen & {"programmes", "periodicals", "maps", "index"}:
        out += publication_warnings(ctx["publications"])
    if "outreach" in chosen:
        for e in ctx["events"]:
            if not e["people"]:
                out.append(N_("event {id} “{title}”: nobody named").format(
                    id=e.get("id"), title=e.get("title") or e.get("name") or ""))
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
            out.append(N_("report text “{key}”: none for {year} ({command})").format(
                key=key, year=year, command=f"kbase text set annual {year} {key} --lang {lang} FILE.md"))
        elif key in borrowed:
            source = borrowed[key]
            other = LANG_NAMES.get(source.split(",")[0], "")
            if other and "," in source:
                said = N_("report text “{key}”: no {language} text for {year}, the {other} text of {source} is used")
            elif other:
                said = N_("report text “{key}”: no {language} text for {year}, the {other} text is used")
            else:
                said = N_("report text “{key}”: no {language} text for {year}, the text of {source} is used")
            out.append(said.format(key=key, language=LANG_NAMES[lang], year=year, other=other,
                                   source=source.split(", ")[1] if other and "," in source else source))
    return out
