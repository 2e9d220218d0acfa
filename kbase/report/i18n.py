"""The reports' language: labels in English and French, dates, months and numbers through Babel."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from kbase.errors import InvalidInput
from kbase.i18n import N_

LANGS = ("en", "fr")
LOCALES = {"en": "en_GB", "fr": "fr_BE"}
SETTING = "report.language"

# English label → French; templates call t("…") with the English text
FR: dict[str, str] = {
    "Annual report {year}": "Rapport annuel {year}",
    "Contents": "Sommaire",
    "From the chair": "Le mot du président",
    "Preface": "Préface",
    "Board of directors": "Conseil d'administration",
    "Research programmes": "Programmes de recherche",
    "Periodicals": "Périodiques",
    "Maps and data": "Cartes et données",
    "Mission": "Mission",
    "Finances": "Finances",
    "Networks and platforms": "Réseaux et plateformes",
    "Outreach": "Diffusion",
    "Library": "Bibliothèque",
    "Social media": "Réseaux sociaux",
    "Lectures, workshops and presentations": "Conférences, ateliers et présentations",
    "Assignments {first} – {last}": "Mandats {first} – {last}",
    "Team": "Équipe",
    "Contact": "Contact",
    "Publications of {year} by type": "Publications de {year} par type",
    "Other projects": "Autres projets",
    "Project page": "Page du projet",
    "Output": "Publications",
    "With": "Avec",
    "Supported by": "Avec le soutien de",
    "For": "Pour",
    "Chair": "Président",
    "Members": "Membres",
    "Administration": "Administration",
    "Researchers": "Chercheurs",
    "Focal points": "Points focaux",
    "Associate researchers": "Chercheurs associés",
    "Month unknown": "Mois inconnu",
    "Webmaps": "Cartes en ligne",
    "Dashboards": "Tableaux de bord",
    "Static maps": "Cartes statiques",
    "By": "Par",
    "Organised by": "Organisé par",
    "Hosted by": "Accueilli par",
    "and": "et",
    "Web site": "Site web",
    "Email": "Courriel",
    "Page": "Page",
    "No project was active in {year}.": "Aucun projet actif en {year}.",
    "No issue of a periodical series in {year}.": "Aucun numéro de périodique en {year}.",
    "No map or data product in {year}.": "Aucune carte ni donnée en {year}.",
    "No lecture, workshop or presentation recorded for {year}.":
        "Aucune conférence, aucun atelier ni aucune présentation en {year}.",
    "No assignment recorded for {year}.": "Aucun mandat en {year}.",
    "No team member recorded.": "Aucun membre de l'équipe enregistré.",
    "No publication dated {year}.": "Aucune publication datée de {year}.",
    "No board member recorded for {year}.": "Aucun administrateur enregistré pour {year}.",
    "Cover picture": "Photo de couverture",
    "Bibliography": "Bibliographie", "Undated": "Sans date", "No series": "Hors collection",
    "No project": "Sans projet", "Short name": "Nom court", "Programme": "Programme", "Years": "Années",
    "Summary": "Résumé", "Years and clients": "Années et clients", "Partners": "Partenaires",
    "Funders": "Bailleurs", "Regions": "Régions", "Outputs": "Publications", "for": "pour",
    "No output recorded.": "Aucune publication enregistrée.",
    "{count} publication, by {group_by}.": "{count} publication, par {group_by}.",
    "{count} publications, by {group_by}.": "{count} publications, par {group_by}.",
    "year": "année", "type": "type", "series": "collection", "project": "projet",
    # publication types (index headings)
    "Report": "Rapport", "Summary report": "Rapport de synthèse", "Briefing": "Note d'information",
    "Bulletin": "Bulletin", "Insight": "Éclairage", "Review paper": "Article de synthèse",
    "Case studies": "Études de cas", "Book": "Livre", "Book chapter": "Chapitre de livre",
    "Article": "Article", "Workshop report": "Rapport d'atelier", "Webmap": "Carte en ligne",
    "Dashboard": "Tableau de bord", "Video": "Vidéo", "Other": "Autre",
}


def check_lang(lang: str | None) -> str:
    lang = (lang or "en").strip().lower()[:2]
    if lang not in LANGS:
        raise InvalidInput(N_("unknown report language {lang} (one of: {langs})").format(
            lang=repr(lang), langs=', '.join(LANGS)))
    return lang


def default_lang(setting: str | None, interface: str | None = None) -> str:
    """The library's report language setting, else the interface language, else English."""
    for candidate in (setting, interface):
        if candidate and candidate.strip().lower()[:2] in LANGS:
            return candidate.strip().lower()[:2]
    return "en"


def translator(lang: str) -> Callable[..., str]:
    """t("Annual report {year}", year=2021) in lang; an unknown label stays English."""
    table = FR if lang == "fr" else {}

    def t(text: str, **values: Any) -> str:
        out = table.get(text, text)
        return out.format(**values) if values else out

    return t


def colon(lang: str) -> str:
    """A label's colon: French puts a no-break space before it ('Avec :')."""
    return "\u00a0:" if lang == "fr" else ":"


def month_names(lang: str) -> list[str]:
    """Twelve month names as a running text uses them (French ones in lower case)."""
    names = get_month_names("wide", locale=LOCALES[lang])
    return [names[i] for i in range(1, 13)]


def month_label(lang: str, month: int | None, month_end: int | None = None) -> str:
    """'June – July', 'juin – juillet', or '' without a month."""
    if not month:
        return ""
    names = month_names(lang)
    if month_end and month_end != month:
        return f"{names[month - 1]} – {names[month_end - 1]}"
    return names[month - 1]


def date_label(lang: str, year: int | None, month: int | None = None, month_end: int | None = None) -> str:
    """'June 2021', 'juin 2021', '2021', or ''."""
    if not year:
        return ""
    months = month_label(lang, month, month_end)
    return f"{months} {year}" if months else str(year)


def day_label(lang: str, start: date | None, end: date | None = None) -> str:
    """'14 January', '9–11 February', '28 September – 2 October' (in French: '14 janvier' …)."""
    if start is None:
        return ""
    names = month_names(lang)

    def one(d: date) -> str:
        return f"{'1er' if lang == 'fr' and d.day == 1 else d.day} {names[d.month - 1]}"

    if end is None or end == start:
        return one(start)
    if (end.year, end.month) == (start.year, start.month):
        return f"{start.day}–{end.day} {names[start.month - 1]}"
    return f"{one(start)} – {one(end)}"


def long_date(lang: str, day: date) -> str:
    return format_date(day, format="long", locale=LOCALES[lang])


def number(lang: str, value: float | int, digits: int = 0) -> str:
    """1,697,569 or 1 697 569 (a narrow no-break space in French)."""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=LOCALES[lang])


def join_names(lang: str, names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C' (et in French)."""
    names = [n for n in names if n]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + (" et " if lang == "fr" else " and ") + names[-1]
