"""A BibTeX field's value read as BibTeX reads it: `#` concatenation, @string macros, braces and quotes,
white space, and month names in English, French, German and Spanish."""

from __future__ import annotations

import re

from kbase.i18n import N_

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_FRENCH = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout",
           "septembre", "octobre", "novembre", "decembre")
# the macros every BibTeX style defines
MONTH_MACROS = {name[:3]: name.capitalize() for name in MONTH_NAMES}
_MONTHS: dict[str, int] = {}
for _i, (_en, _fr) in enumerate(zip(MONTH_NAMES, _FRENCH, strict=True), start=1):
    for _n in (_en, _en[:3], _en[:4], _fr, _fr[:4], str(_i), f"{_i:02d}"):
        _MONTHS.setdefault(_n, _i)
_MONTHS.update({"sept": 9, "févr": 2, "février": 2, "août": 8, "décembre": 12, "déc": 12, "fév": 2, "fev": 2,
                "avr": 4, "juil": 7, "aoû": 8, "aou": 8})
# German and Spanish names and abbreviations, as hand-written files have them
for _i, _names in enumerate((
        "januar enero ene", "februar febrero feb", "märz maerz marz mär marzo", "april abril abr", "mai mayo",
        "juni junio", "juli julio", "august agosto ago", "september septiembre setiembre set",
        "oktober okt octubre", "november noviembre", "dezember dez diciembre dic"), start=1):
    for _n in _names.split():
        _MONTHS.setdefault(_n, _i)
# fields whose braces belong to the value (biblatex's verbatim fields)
VERBATIM = {"url", "doi", "file", "eprint", "pdf", "verba", "verbb", "verbc", "urldate"}
_ESCAPED_IN_VERBATIM = re.compile(r"\\([_%&#$~])")
# only ASCII white space: a thin or no-break space written as a character is text
_WS = re.compile(r"[ \t\r\f\v]*\n[ \t\r\f\v]*\n[ \t\r\n\f\v]*|[ \t\r\n\f\v]+")


class BadValue(ValueError):
    """A field value that cannot be evaluated (unknown macro, unbalanced quotes)."""


# a bare value BibTeX takes as a macro name
_MACRO_NAME = re.compile(r"[^\d\s\"#%'(),={}][^\s\"#%'(),={}]*")


def _parts(raw: str) -> list[str]:
    """Split a raw value on `#` outside braces and quotes."""
    if "#" not in raw and "\\{" not in raw and "\\}" not in raw and raw.count("{") == raw.count("}") \
            and (raw.lstrip()[:1] == "{" or '"' not in raw):
        return [raw.strip()]  # the common case: one braced, quoted or bare value
    parts, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                raise BadValue(N_("unbalanced braces: a `}` closes nothing"))
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i])
            start = i + 1
        i += 1
    if depth != 0:
        raise BadValue(N_("unbalanced braces"))
    if quoted:
        raise BadValue(N_("unclosed quote"))
    parts.append(raw[start:])
    return [p.strip() for p in parts]


def _without_unpaired_braces(text: str) -> str:
    keep = [True] * len(text)
    opened: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "{":
            opened.append(i)
        elif text[i] == "}":
            if opened:
                opened.pop()
            else:
                keep[i] = False
        i += 1
    for j in opened:
        keep[j] = False
    return "".join(ch for ch, k in zip(text, keep, strict=True) if k)


def loose_text(raw: str) -> str:
    """A broken value's text: its opening brace or quote (and the matching closing one) and unpaired braces dropped."""
    text = raw.strip()
    if text[:1] in ('{', '"'):
        closer = "}" if text[0] == "{" else '"'
        text = text[1:-1] if len(text) > 1 and text.endswith(closer) else text[1:]
    return _without_unpaired_braces(text)


def read_value(raw: str, macros: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """A raw value's text as evaluate() gives it, but never failing: (text, notes, flags)."""
    try:
        parts = _parts(raw)
    except BadValue as exc:
        return loose_text(raw), [N_("{reason}; the text is kept as written").format(
            reason=exc)], [N_("malformed field")]
    out: list[str] = []
    notes: list[str] = []
    flags: list[str] = []
    for part in parts:
        if not part:
            if len(parts) > 1:
                notes.append(N_("an empty part of a `#` concatenation is ignored"))
        elif (part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"' and len(part) > 1):
            out.append(part[1:-1])
        elif part.lower() in macros:
            out.append(macros[part.lower()])
        elif _MACRO_NAME.fullmatch(part):
            out.append(part)  # BibTeX too only warns and goes on
            notes.append(N_("undefined macro {macro} kept as text").format(macro=part))
            flags.append("undefined macro")
        elif part[0].isdigit() and not any(c in part for c in "{}\"#"):
            out.append(part)  # 2019a, 12-15: no macro, plain text as JabRef reads it
        else:
            out.append(loose_text(part))
            notes.append(N_("the value {text} is not well formed; the text is kept as written").format(text=repr(part)))
            flags.append("malformed field")
    return "".join(out), notes, flags


def evaluate(raw: str, macros: dict[str, str]) -> str:
    """The text of a raw value: braces or quotes removed, macros expanded, `#` joined; BadValue for anything odd."""
    text, notes, _flags = read_value(raw, macros)
    if notes:
        raise BadValue(notes[0])
    return text


def tidy(text: str, verbatim: bool = False) -> str:
    """Whitespace as BibTeX reads it: runs collapse to one space, a blank line stays a paragraph break."""
    if verbatim:
        return _ESCAPED_IN_VERBATIM.sub(r"\1", text.strip()) if "\\" in text else text.strip()
    if "\n" not in text and "  " not in text and "\t" not in text and "\r" not in text:
        return text.strip(" ")
    return _WS.sub(lambda m: "\n\n" if m.group(0).count("\n") >= 2 else " ", text).strip(" \n")


def month_number(word: str) -> int | None:
    """1–12 for a month's English or French name, its abbreviation or its number; None otherwise."""
    return _MONTHS.get(word.strip().rstrip(".").lower())


def parse_month(text: str) -> tuple[int, int | None]:
    """'jun', 'June', '6', 'June--July' → (6, None) or (6, 7); anything else raises BadValue."""
    pieces = [p.strip().rstrip(".").lower() for p in re.split(r"--|–|/|-", text) if p.strip()]
    if not pieces or len(pieces) > 2:
        raise BadValue(N_("bad month {text}").format(text=repr(text)))
    nums = []
    for p in pieces:
        if p not in _MONTHS:
            raise BadValue(N_("bad month {text}").format(text=repr(text)))
        nums.append(_MONTHS[p])
    if len(nums) == 2 and nums[1] != nums[0]:
        if nums[1] < nums[0]:
            raise BadValue(N_("bad month range {text}").format(text=repr(text)))
        return nums[0], nums[1]
    return nums[0], None
