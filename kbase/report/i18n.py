"""The reports' language: labels in English and French, dates, months and numbers through Babel."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

from kbase.errors import InvalidInput
from kbase.i18n import N_, NP_, P_, in_language

LANGS = ("en", "fr")
LOCALES = {"en": "en_GB", "fr": "fr_BE"}
SETTING = "report.language"

# the reports' own labels, translated through the catalogs in the context "report" (a report's "series" is a
# "collection", the interface's a "série"); templates call t("…") with the English text
REPORT = "report"
LABELS = (
    P_("report", "Annual report {year}"), P_("report", "Contents"), P_("report", "From the chair"),
    P_("report", "Preface"), P_("report", "Board of directors"), P_("report", "Research programmes"),
    P_("report", "Periodicals"), P_("report", "Maps and data"), P_("report", "Mission"), P_("report", "Finances"),
    P_("report", "Networks and platforms"), P_("report", "Outreach"), P_("report", "Library"),
    P_("report", "Social media"), P_("report", "Lectures, workshops and presentations"),
    P_("report", "Assignments {first} – {last}"), P_("report", "Team"), P_("report", "Contact"),
    P_("report", "Publications of {year} by type"), P_("report", "Other projects"), P_("report", "Project page"),
    P_("report", "Output"), P_("report", "With"), P_("report", "Supported by"), P_("report", "For"),
    P_("report", "Chair"), P_("report", "Members"), P_("report", "Administration"), P_("report", "Researchers"),
    P_("report", "Focal points"), P_("report", "Associate researchers"), P_("report", "Month unknown"),
    P_("report", "Webmaps"), P_("report", "Dashboards"), P_("report", "Static maps"), P_("report", "By"),
    P_("report", "Organised by"), P_("report", "Hosted by"), P_("report", "and"), P_("report", "Web site"),
    P_("report", "Email"), P_("report", "Page"), P_("report", "No project was active in {year}."),
    P_("report", "No issue of a periodical series in {year}."), P_("report", "No map or data product in {year}."),
    P_("report", "No lecture, workshop or presentation recorded for {year}."),
    P_("report", "No assignment recorded for {year}."), P_("report", "No team member recorded."),
    P_("report", "No publication dated {year}."), P_("report", "No board member recorded for {year}."),
    P_("report", "Cover picture"), P_("report", "Bibliography"), P_("report", "Undated"), P_("report", "No series"),
    P_("report", "No project"), P_("report", "Short name"), P_("report", "Programme"), P_("report", "Years"),
    P_("report", "Summary"), P_("report", "Years and clients"), P_("report", "Partners"), P_("report", "Funders"),
    P_("report", "Regions"), P_("report", "Outputs"), P_("report", "for"), P_("report", "No output recorded."),
    P_("report", "year"), P_("report", "type"), P_("report", "series"), P_("report", "project"), P_("report", "Report"),
    P_("report", "Summary report"), P_("report", "Briefing"), P_("report", "Bulletin"), P_("report", "Insight"),
    P_("report", "Review paper"), P_("report", "Case studies"), P_("report", "Book"), P_("report", "Book chapter"),
    P_("report", "Article"), P_("report", "Workshop report"), P_("report", "Webmap"), P_("report", "Dashboard"),
    P_("report", "Video"), P_("report", "Other"),
)
CITATION = (P_("report", "In: "), P_("report", "n.d."), P_("report", "since {year}"))  # in citations and sheets
COUNTED = (  # tn(singular, plural, n, …): the plural pairs the templates use
    NP_("report", "{count} publication, by {group_by}.", "{count} publications, by {group_by}."),
)


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


def translator(lang: str, context: str = REPORT) -> Callable[..., str]:
    """t("Annual report {year}", year=2021) in lang, from the catalog's labels in context; an unknown
    label stays English."""
    catalog = in_language(lang)

    def t(text: str, **values: Any) -> str:
        out = catalog.pgettext(context, text)
        return out.format(**values) if values else out

    return t


def plural_translator(lang: str) -> Callable[..., str]:
    """tn("{count} publication…", "{count} publications…", n, count=n) in lang's plural form for n."""
    catalog = in_language(lang)

    def tn(singular: str, plural: str, n: int, **values: Any) -> str:
        return catalog.npgettext(REPORT, singular, plural, n).format(**values)

    return tn


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
