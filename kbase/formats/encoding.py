"""Bytes of a .bib file to text: BOMs, JabRef's declared encoding, UTF-8, then a guess; every doubt is a warning."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from kbase.i18n import N_, en_ngettext


@dataclass
class Decoded:
    text: str
    encoding: str  # Python's codec name: "utf-8", "utf-16-le", "cp1252", "gb18030" …
    warnings: list[str] = field(default_factory=list)


# UTF-32 LE first: its BOM starts with UTF-16 LE's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# JabRef writes `% Encoding: UTF-8` on its first line; older versions a jabref-meta comment
_HEADER = re.compile(rb"^[ \t]*%[ \t]*Encoding:[ \t]*([A-Za-z0-9_.:+-]+)", re.M | re.I)
_META = re.compile(rb"@comment\s*[{(]\s*jabref-meta:\s*encoding:\s*([A-Za-z0-9_.:+-]+)", re.I)
# Java charset names JabRef writes that Python spells otherwise
_JAVA = {"unicodebig": "utf-16-be", "unicodelittle": "utf-16-le", "unicodebigunmarked": "utf-16-be",
         "unicodelittleunmarked": "utf-16-le", "ms932": "cp932", "windows-31j": "cp932", "sjis": "shift_jis",
         "x-macroman": "mac-roman", "euc_cn": "gb2312", "iso8859_15_fdis": "iso8859-15"}
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
                       rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}")
_HIGH = re.compile(rb"[\x80-\xff]")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _byte_char(b: int) -> str:
    """The character cp1252 gives a byte; the five bytes it leaves undefined read as Latin-1 does."""
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


# both readings of 0x80-0x9F: cp1252's characters and Latin-1's C1 controls
_CHAR_BYTE = {_byte_char(b): b for b in range(256)} | {chr(b): b for b in range(0x80, 0xA0)}
_CONT = "".join(re.escape(c) for c, b in _CHAR_BYTE.items() if 0x80 <= b < 0xC0)
# UTF-8 sequences read as cp1252: "Ã©" for é, "â€™" for ’, "Å‚" for ł
_MOJIBAKE = re.compile(f"[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00f0-\u00f4][{_CONT}]{{3}}")
# leads seldom followed by such characters in real text: without one, nothing is repaired
_TELLING = re.compile(f"[ÂÃÄÅ][{_CONT}]|â[{_CONT}]{{2}}")


def _codec(name: str) -> str | None:
    n = name.strip().lower()
    for cand in (_JAVA.get(n, n), n.replace("_", "-"), n.removeprefix("x-")):
        try:
            return codecs.lookup(cand).name
        except LookupError:
            continue
    return None


def _declared(data: bytes) -> str | None:
    found = _HEADER.search(data[:4096]) or _META.search(data)
    return found.group(1).decode("ascii") if found else None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 written without a BOM: every other byte of ASCII text is NUL."""
    if len(data) < 8 or data.count(0) < len(data) // 4:
        return None
    odd, even = data[1::2].count(0), data[0::2].count(0)
    if odd > len(data) // 4 and even < odd // 8:
        return "utf-16-le"
    if even > len(data) // 4 and odd < even // 8:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few stray bytes (a Latin-1 character pasted into a UTF-8 file)."""
    seqs = _UTF8_SEQ.findall(data)
    stray = len(_HIGH.findall(data)) - sum(len(s) for s in seqs)
    return len(seqs) >= 2 * stray > 0


def _stray_as_cp1252(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return "".join(_byte_char(b) for b in exc.object[exc.start:exc.end]), exc.end


codecs.register_error("kbase-cp1252", _stray_as_cp1252)


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best guess, leaning to cp1252 and then GBK where the guess is a close call."""
    from charset_normalizer import from_bytes  # imported only for files that are not UTF-8

    best = from_bytes(data).best()
    if best is None:
        return None
    name = codecs.lookup(best.encoding).name
    if name.startswith("utf"):
        return name
    runs = _HIGH_RUN.findall(data)
    if sum(len(r) == 1 for r in runs) >= 0.8 * len(runs):
        return "cp1252"  # lone non-ASCII bytes between ASCII letters: accents, not double-byte characters
    # on mostly ASCII text Western, CJK and other code pages tie; cp1252 is by far the commonest
    western = from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and western.chaos <= best.chaos + 0.01:
        return "cp1252"
    if name in ("cp949", "euc_kr", "johab", "cp932", "shift_jis", "euc_jis_2004", "shift_jis_2004", "big5"):
        chinese = from_bytes(data, cp_isolation=["gb18030"]).best()
        if chinese is not None and chinese.chaos <= best.chaos + 0.1:
            return "gb18030"  # a few Chinese characters read nearly as well as Korean or Japanese ones
    return name


def fix_mojibake(text: str) -> tuple[str, int, int]:
    """Text with UTF-8 read as cp1252 re-read as UTF-8: (text, places fixed, places left as they were)."""
    if text.isascii():
        return text, 0, 0
    if not _TELLING.search(text):
        return text, 0, 0
    found = _MOJIBAKE.findall(text)
    left = 0

    def repair(m: re.Match[str]) -> str:
        nonlocal left
        try:
            return bytes(_CHAR_BYTE[c] for c in m.group(0)).decode("utf-8")
        except UnicodeDecodeError:
            left += 1
            return m.group(0)

    fixed = _MOJIBAKE.sub(repair, text)
    return fixed, len(found) - left, left


def _finish(text: str, encoding: str, warnings: list[str]) -> Decoded:
    text = text.removeprefix("\ufeff")
    text, fixed, left = fix_mojibake(text)
    # English messages, shown later through kbase.i18n.translate in the reader's language
    if fixed:
        warnings.append(en_ngettext("{n} place held UTF-8 read as Latin-1 (like 'Ã©' for 'é'); re-read as UTF-8",
                                    "{n} places held UTF-8 read as Latin-1 (like 'Ã©' for 'é'); re-read as UTF-8",
                                    fixed).format(n=fixed))
    if left:
        warnings.append(en_ngettext("{n} place looks like UTF-8 read as Latin-1 (like 'Ã©' for 'é'); left as it is",
                                    "{n} places look like UTF-8 read as Latin-1 (like 'Ã©' for 'é'); left as they are",
                                    left).format(n=left))
    bad = text.count("\ufffd")
    if bad:
        warnings.append(en_ngettext("{n} character could not be decoded (shown as \ufffd)",
                                    "{n} characters could not be decoded (shown as \ufffd)", bad).format(n=bad))
    return Decoded(text, encoding, warnings)


def decode_bytes(data: bytes) -> Decoded:
    """The text of a .bib file's bytes, the encoding it was read with, and what looks doubtful."""
    for bom, bom_enc in _BOMS:
        if data.startswith(bom):
            return _finish(data[len(bom):].decode(bom_enc, errors="replace"), bom_enc, [])
    warnings: list[str] = []
    name = _declared(data)
    if name:
        enc = _codec(name)
        if enc is None:
            warnings.append(N_("the file declares the encoding {name}, which is not known here").format(
                name=repr(name)))
        else:
            try:
                return _finish(data.decode(enc), enc, warnings)
            except UnicodeDecodeError:
                warnings.append(N_("the file declares the encoding {name}, but is not valid {encoding}").format(
                    name=name, encoding=enc))
    try:
        return _finish(data.decode("utf-8"), "utf-8", warnings)
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        text = data.decode("utf-8", errors="kbase-cp1252")
        stray = len(_HIGH.findall(data)) - sum(len(s) for s in _UTF8_SEQ.findall(data))
        warnings.append(en_ngettext("read as utf-8; {n} byte that is not UTF-8 read as cp1252",
                                    "read as utf-8; {n} bytes that are not UTF-8 read as cp1252",
                                    stray).format(n=stray))
        return _finish(text, "utf-8", warnings)
    enc = _utf16_without_bom(data) or _guess(data)
    if enc is not None:
        try:
            text = data.decode(enc)
            warnings.append(N_("read as {encoding} (guessed)").format(encoding=enc))
            return _finish(text, enc, warnings)
        except (UnicodeDecodeError, LookupError):
            pass
    warnings.append(N_("read as {encoding} (guessed)").format(encoding="cp1252"))
    return _finish(data.decode("cp1252", errors="replace"), "cp1252", warnings)


def read_bib(path: str | Path) -> Decoded:
    """A .bib file decoded as decode_bytes() does it; OSError if it cannot be read."""
    return decode_bytes(Path(path).read_bytes())
