"""Translations through gettext catalogs, shared by the core, the CLI, the desktop app and the reports.

The catalogs are `resources/locale/<lang>/LC_MESSAGES/kbase.po`; `make` compiles each to a `.mo`
beside it. A missing or stale `.mo` is compiled in memory from the `.po`, so a fresh checkout
still speaks French. The language is the process's: `set_language("fr")` (the CLI's `--lang`,
the app's language setting), else `$KBASE_LANG`, else the locale's (`$LANGUAGE`, `$LC_ALL`,
`$LC_MESSAGES`, `$LANG`), else English. It is exported as `$KBASE_LANG` so worker processes speak
the same language.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
import re
from pathlib import Path
from typing import Mapping

from kbase.resources import resource

__all__ = ["LANGUAGES", "DOMAIN", "gettext", "ngettext", "N_", "P_", "NP_", "in_language", "known", "translate",
           "set_language", "language", "language_from_environment", "catalog_path", "MONTHS", "date_label", "number"]

LANGUAGES = {"en": "English", "fr": "Français"}
DOMAIN = "kbase"

_translations: dict[str, _gettext.NullTranslations] = {}
_language: str | None = None


def language_from_environment(env: Mapping[str, str] | None = None) -> str:
    """$KBASE_LANG, else the first known language of the locale variables, else "en" (of env: another
    process's variables, or by default this one's)."""
    env = os.environ if env is None else env
    chosen = env.get("KBASE_LANG", "")
    if chosen[:2] in LANGUAGES:
        return chosen[:2]
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in env.get(var, "").split(":"):
            if part[:2] in LANGUAGES:
                return part[:2]
            if part:
                break  # a set variable that names another language: English, as gettext does
    return "en"


def language() -> str:
    global _language
    if _language is None:
        _language = language_from_environment()
    return _language


def set_language(lang: str) -> str:
    """Speak lang from now on (an unknown language means English); returns the language set."""
    global _language
    _language = lang if lang in LANGUAGES else "en"
    os.environ["KBASE_LANG"] = _language
    return _language


def catalog_path(lang: str, suffix: str = ".po") -> Path:
    return resource("locale", lang, "LC_MESSAGES", DOMAIN + suffix)


def _load(lang: str) -> _gettext.NullTranslations:
    po, mo = catalog_path(lang), catalog_path(lang, ".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        data = mo.read_bytes()
    elif po.exists():
        # no compiled catalog (a checkout that `make` has not run on): compile it in memory
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        data = buffer.getvalue()
    else:
        return _gettext.NullTranslations()
    return _gettext.GNUTranslations(io.BytesIO(data))


def _current() -> _gettext.NullTranslations | None:
    lang = language()
    return None if lang == "en" else in_language(lang)


def gettext(message: str) -> str:
    """message in the current language; the English itself when the catalog lacks it."""
    found = _current()
    return found.gettext(message) if found is not None and message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for n in the current language's plural rule (French: 0 and 1 are singular)."""
    found = _current()
    if found is None:
        return singular if n == 1 else plural
    return found.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated later, where it is shown."""
    return message


def P_(context: str, message: str) -> str:
    """Marks a string with its context for extraction (a report's "series" is not the interface's)."""
    return message


def NP_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural pair with its context for extraction."""
    return singular, plural


def in_language(lang: str) -> _gettext.NullTranslations:
    """lang's catalog whatever the current language (a report is written in its own language)."""
    if lang not in LANGUAGES or lang == "en":
        return _gettext.NullTranslations()
    if lang not in _translations:
        _translations[lang] = _load(lang)
    return _translations[lang]


def en_ngettext(singular: str, plural: str, n: int) -> str:
    """The English form for n: for messages the core writes in English, stored or shown later
    through translate() (extracted as a plural pair, so the catalogs hold its forms)."""
    return singular if n == 1 else plural


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def date_label(year: int | None, month: int | None = None, month_end: int | None = None) -> str:
    """'June – July 2021' in the current language ('juin – juillet 2021'), '2021' or '': the interface's
    dates (the CLI's, the app's tables and details)."""
    if not year:
        return ""
    if month and month_end and month_end != month and 1 <= month <= 12 and 1 <= month_end <= 12:
        return f"{gettext(MONTHS[month - 1])} – {gettext(MONTHS[month_end - 1])} {year}"
    if month and 1 <= month <= 12:
        return f"{gettext(MONTHS[month - 1])} {year}"
    return str(year)


# French groups thousands with a narrow no-break space and writes a decimal comma
_GROUPING = {"fr": ("\u202f", ",")}


def number(value: int | float, decimals: int | None = None, grouped: bool = False) -> str:
    """A count or a measure as the current language writes it: "1234" and "0.9" in English (as printed so far;
    grouped: "1,234"), "1 234" (a narrow no-break space) and "0,9" in French. decimals: the digits after the
    point (without it, as str() prints the value)."""
    grouping = _GROUPING.get(language())
    if grouping is None:
        spec = ("," if grouped else "") + (f".{decimals}f" if decimals is not None else "")
        return format(value, spec) if spec else str(value)
    text = f"{value:.{decimals}f}" if decimals is not None else str(value)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, point, fraction = digits.partition(".")
    if whole.isdigit() and len(whole) > 3:  # (never a year: those are printed as they are)
        whole = f"{int(whole):,}".replace(",", grouping[0])
    return sign + whole + (grouping[1] + fraction if point else "")


_templates: dict[str, list[tuple[re.Pattern[str], str, str | None, int]]] = {}
_FIELD = re.compile(r"\{(\w+)\}")

# the operating system's messages the core passes on in its own ("cannot read x.bib: Permission denied"), so that
# a template's field reads them in the reader's language too (Python gives them in English, from strerror)
OS_ERRORS = (N_("No such file or directory"), N_("Permission denied"), N_("Is a directory"), N_("Not a directory"),
             N_("No space left on device"), N_("Read-only file system"), N_("File exists"), N_("Directory not empty"),
             N_("File name too long"), N_("Disk quota exceeded"), N_("Too many open files"), N_("Input/output error"))


# fields that hold the user's own words or the file's (a path, a citation key, a BibTeX field, a record's name or
# title): said as they are, even when the catalog knows the word ("author", "Person")
_VERBATIM = frozenset({"path", "file", "filename", "folder", "library", "archive", "target", "url", "server", "user",
                       "who", "key", "ref", "macro", "tag", "field", "fields", "after", "before", "name", "names",
                       "title", "text", "raw", "piece", "query", "column", "headers", "sheet", "sheets", "member",
                       "sha256", "command", "id", "ids"})


# fields that hold several messages (or table names) joined with "; " ("probable duplicate of publication 4 (score
# 0.95: same DOI 10.1/x; same title and year)"): each is read back on its own
_LISTS = frozenset({"reasons", "missing", "records", "said"})


def _literal(text: str) -> str:
    """A template's text between fields as the message says it: "{{" and "}}" are one brace once formatted."""
    return text.replace("{{", "{").replace("}}", "}")


def _template_patterns(lang: str) -> list[tuple[re.Pattern[str], str, str | None, int]]:
    """Each catalog message with {fields} as a pattern that reads an English message back:
    (pattern, msgid, plural msgid or None, the count the English form read says when the message
    has no {n}: 1 for the singular, 2 for the plural), the most specific first (the most text of its own)."""
    if lang not in _templates:
        from babel.messages.catalog import Catalog
        from babel.messages.mofile import read_mo
        from babel.messages.pofile import read_po

        po, mo = catalog_path(lang), catalog_path(lang, ".mo")
        if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
            with mo.open("rb") as fh:
                catalog = read_mo(fh)
        elif po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
        else:
            catalog = Catalog()  # empty: iterates over its header only, which has no id
        ids: list[tuple[str, str | None]] = []
        for entry in catalog:
            if entry.context:  # a report's or a chart's label, read with pgettext: no core message
                continue
            if isinstance(entry.id, (tuple, list)):
                ids.append((entry.id[0], entry.id[1]))
            elif entry.id and "{" in entry.id:
                ids.append((entry.id, None))
        out = []
        for msgid, plural in set(ids):
            forms = {f: (2 if f == plural and f != msgid else 1) for f in (msgid, plural) if f is not None}
            for form, count in forms.items():
                parts = _FIELD.split(form)  # text, field, text, field, …
                # a field never spans "; ": that is where the core joins notes into one message (but for the
                # fields that hold such a list themselves); a count {n} is a number ("{n} attachment" must not
                # read "publication, event, attachment")
                pattern = "".join(re.escape(_literal(p)) if i % 2 == 0 else r"(?P<n>\d+)" if p == "n"
                                  else f"(?P<{p}>.+?)" if p in _LISTS
                                  else f"(?P<{p}>(?:(?!; ).)+?)" for i, p in enumerate(parts))
                try:
                    out.append((len("".join(parts[::2])), (re.compile(pattern, re.DOTALL), msgid, plural, count)))
                except re.error:  # a field named twice: such a template cannot be read back
                    continue
        # the most specific first: the most words of its own ("… deleted nothing" before "… deleted {gone}"), then a
        # plural pair before a lone message ("{n} publications": the pair says "1 publication")
        out.sort(key=lambda t: (-t[0], t[1][2] is None, -len(t[1][0].pattern)))
        _templates[lang] = [template for _said, template in out]
    return _templates[lang]




def known(message: str) -> bool:
    """Whether the current language's catalog reads message, as a whole or through a template (its
    translation may be the same words: "3 pages")."""
    return language() == "en" or _lookup(message) is not None


def translate(message: str) -> str:
    """An English message of the core, in the current language: as a whole when the catalog has it,
    else read back through the catalog's templates ("damaged PDF: none of its {n} pages…") and
    filled with the translated template. Unknown messages stay as they are."""
    if language() == "en" or not message:
        return message
    found = _lookup(message)
    return message if found is None else found


def _lookup(message: str) -> str | None:
    """message translated, or None when the catalog knows neither it nor a template that reads it
    (a message the catalog knows may read the same in both languages: "import 2")."""
    found = _current()
    if found is None or not message:
        return None
    whole = found.gettext(message)
    if whole != message:
        return whole
    for pattern, msgid, plural, count in _template_patterns(language()):
        hit = pattern.fullmatch(message)
        if hit is None:
            continue
        fields = {name: value if name in _VERBATIM else _field(value)  # "a ZIP or Office file"…
                  for name, value in hit.groupdict().items()}
        if plural is not None:
            n = int(hit["n"]) if "n" in fields else count
            return found.ngettext(msgid, plural, n).format(**fields)
        return found.gettext(msgid).format(**fields)
    if "; " in message:  # notes joined into one message ("repaired: …; pages 3, 4 could not be read")
        return _translate_joined(message.split("; "))
    return None


def _field(value: str) -> str:
    """A template's field, translated: as a message, else as a list whose every item the catalog knows
    ("1 organisation, 9 people"), else as it is (a name, a path)."""
    found = _lookup(value)
    if found is not None:
        return found
    if ", " in value:
        items = [_lookup(item) for item in value.split(", ")]
        if all(item is not None for item in items):
            return ", ".join(item for item in items if item is not None)
    return value


def _translate_joined(parts: list[str]) -> str | None:
    """Notes joined with "; ", each translated: from the left, the longest run of parts that the catalog
    knows (a note may hold "; " itself). A part it does not know leaves the whole message in English:
    half a sentence translated reads worse than none."""
    said: list[str] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts) - (start == 0), start, -1):  # never the whole message again
            translated = _lookup("; ".join(parts[start:end]))
            if translated is not None:
                said.append(translated)
                start = end
                break
        else:
            return None
    return (" ; " if language() == "fr" else "; ").join(said)  # French puts a space before a semicolon
