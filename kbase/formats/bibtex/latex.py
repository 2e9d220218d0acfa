"""LaTeX markup in BibTeX values to Unicode text, and Unicode text back to safe BibTeX."""

from __future__ import annotations

import re
import unicodedata

# accent commands: \'e, \"{o}, \c{c}, \v s … → combining characters
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "d": "\u0323", "b": "\u0331", "r": "\u030a", "t": "\u0361",
}
_ACCENT_BACK = {v: k for k, v in _ACCENTS.items() if k != "t"}
# commands that stand for one character
_SYMBOLS = {
    "ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å",
    "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð", "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ", ",": "\u2009",
    "textendash": "–", "textemdash": "—", "textbackslash": "\\", "backslash": "\\",
    "textasciitilde": "~", "textasciicircum": "^", "textunderscore": "_", "textbar": "|",
    "ldots": "…", "dots": "…", "textellipsis": "…", "euro": "€", "texteuro": "€", "pounds": "£",
    "textsterling": "£", "copyright": "©", "textcopyright": "©", "textregistered": "®", "S": "§",
    "P": "¶", "textdegree": "°", "textquoteleft": "‘", "textquoteright": "’", "textquotedblleft": "“",
    "textquotedblright": "”", "guillemotleft": "«", "guillemotright": "»", "og": "«", "fg": "»",
    "textperiodcentered": "·", "LaTeX": "LaTeX", "TeX": "TeX", "textless": "<", "textgreater": ">",
    "textsection": "§", "textdollar": "$", "textpercent": "%", "slash": "/", "textquotesingle": "'",
    "nobreakspace": "\u00a0", "quad": " ", "qquad": " ", "newline": "\n", "\\": "\n",
}
_CMD = re.compile(r"\\([A-Za-z]+|.)", re.S)  # re.S: a backslash before a line break is a command too
_NEEDS_WORK = re.compile(r"[\\{}$~]|--")
_SPECIAL = re.compile(r"[\\{}$~-]")


def _read_group(text: str, i: int) -> tuple[str, int]:
    """The argument at text[i:]: a {group} (inner text) or one character; returns (arg, next index)."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] == "\\":  # \'\i: the argument is a command itself
        m = _CMD.match(text, i)
        if m:
            return m.group(0), m.end()
    if text[i] != "{":
        return text[i], i + 1
    end = group_end(text, i, len(text))
    return (text[i + 1:end - 1], end) if end > 0 else (text[i + 1:], len(text))


def group_end(text: str, i: int, limit: int) -> int:
    """The index after the `}` closing the `{` at i (escaped braces skipped), or -1."""
    depth = 0
    j = i
    while j < limit:
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return -1


def to_unicode(text: str) -> str:
    """Accents, symbols and formatting commands become plain Unicode; braces are dropped."""
    if not text or not _NEEDS_WORK.search(text):
        return text
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        found = _SPECIAL.search(text, i)
        if found is None:
            out.append(text[i:])
            break
        if found.start() > i:  # copy plain text up to the next special character in one go
            out.append(text[i:found.start()])
            i = found.start()
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            m = _CMD.match(text, i)
            assert m is not None
            name = m.group(1)
            i = m.end()
            if name in _ACCENTS and not (name.isalpha() and i < n and text[i].isalpha()):
                arg, i = _read_group(text, i)
                base = to_unicode(arg)
                base = {"ı": "i", "ȷ": "j"}.get(base[:1], base[:1]) + base[1:] if base else " "
                out.append(unicodedata.normalize("NFC", base[:1] + _ACCENTS[name]) + base[1:])
                continue
            if name in _SYMBOLS:
                out.append(_SYMBOLS[name])
                if name.isalpha():  # a control word swallows one following space or an empty {}
                    if text.startswith("{}", i):
                        i += 2
                    elif i < n and text[i] == " ":
                        i += 1
                continue
            if name.isalpha():
                # \emph{x}, \textit{x}, \url{x} and unknown commands: keep their argument's text
                if i < n and text[i] == " ":
                    i += 1
                continue
            out.append(name)
            continue
        if ch in "{}":
            i += 1
            continue
        if ch == "$":  # math shift: keep the contents ($\backslash$ is handled as a command)
            i += 1
            continue
        if ch == "~":
            out.append("\u00a0")
            i += 1
            continue
        if ch == "-" and text.startswith("---", i):
            out.append("—")
            i += 3
            continue
        if ch == "-" and text.startswith("--", i):
            out.append("–")
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\u00a0": "~",
    "–": "--", "—": "---",
}
_ESCAPE_RE = re.compile(r"[\\{}&%$#_~^\u00a0–—]|-(?=-)")


def to_latex(text: str, ascii_only: bool = False) -> str:
    """Unicode text written so that to_unicode() gives it back exactly."""
    def sub(m: re.Match[str]) -> str:
        s = m.group(0)
        return "-{}" if s == "-" else _ESCAPES[s]

    out = _ESCAPE_RE.sub(sub, text)
    if _ODD_SPACE.search(out) or out[:1] in " \n" or out[-1:] in " \n":
        out = _keep_spaces(out)
    if ascii_only and not out.isascii():
        out = "".join(_ascii_char(c) for c in out)
    return out


_ODD_SPACE = re.compile(r"[\t\r\f\v]|  |\n(?!\n)|(?<!\n)\n\n(?=\n)| \n|\n ")
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v]+")


def _keep_spaces(text: str) -> str:
    """White space BibTeX would collapse, written so that it survives: `{ }` and `\\newline{}`."""
    def sub(m: re.Match[str]) -> str:
        run = m.group(0)
        inside = m.start() > 0 and m.end() < len(text)
        if inside and run in (" ", "\n\n"):
            return run
        return "".join("\\newline{}" if c == "\n" else "{ }" for c in run)

    return _SPACE_RUN.sub(sub, text)


def _ascii_char(c: str) -> str:
    if c.isascii():
        return c
    for name, sym in _SYMBOLS.items():
        if sym == c and name.isalpha():
            return "{\\" + name + "}"
    parts = unicodedata.normalize("NFD", c)
    if len(parts) == 2 and parts[1] in _ACCENT_BACK and parts[0].isascii():
        cmd = _ACCENT_BACK[parts[1]]
        return "{\\" + cmd + ("{" + parts[0] + "}" if cmd.isalpha() else parts[0]) + "}"
    return c  # no LaTeX spelling known: keep the character (UTF-8 output)
