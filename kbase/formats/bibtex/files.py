"""The `file` fields Zotero, JabRef and Mendeley write, resolved inside the folders the user allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from kbase.i18n import N_

_UNESCAPED = {";": re.compile(r"(?<!\\);"), ":": re.compile(r"(?<!\\):")}
_FILE_TYPES = {"pdf", "application/pdf", "text/html", "html", "url", "epub", "djvu", "ps", "doc", "docx",
               "application/msword", "text/plain", "txt", "image/jpeg", "image/png", ""}


def _unescape(text: str) -> str:
    text = text.replace("$\\backslash$", "\\")  # Mendeley
    return re.sub(r"\\([:;\\])", r"\1", text)


def file_paths(value: str) -> list[str]:
    """The paths named in a file field: 'desc:path:type;…', ':path:PDF', plain 'path' or 'path.pdf:PDF'."""
    out: list[str] = []
    for item in _UNESCAPED[";"].split(value):
        item = item.strip()
        if not item:
            continue
        parts = _UNESCAPED[":"].split(item)
        if len(parts) >= 3:
            path = ":".join(parts[1:-1])
        elif len(parts) == 2:
            if len(parts[0]) == 1 and parts[0].isalpha():  # C:/… a Windows drive
                path = item
            elif parts[1].strip().lower() in _FILE_TYPES:
                path = parts[0]
            else:
                path = parts[1]
        else:
            path = item
        path = _unescape(path.strip())
        if "{\\" in path:  # Mendeley writes accents in file names as LaTeX: Sch{\"{o}}nauer
            from kbase.formats.bibtex.latex import to_unicode

            path = to_unicode(path)
        if path:
            out.append(path)
    return out


def resolve(path: str, bib_dir: Path, roots: list[Path],
            bases: Sequence[Path] | None = None) -> tuple[Path | None, str]:
    """(the file, '') when it exists inside a root; (None, why) otherwise.

    Relative paths start at the .bib's folder, or at a folder JabRef recorded (bases)."""
    windows = re.match(r"^[A-Za-z]:[\\/]", path)
    if windows:
        return None, N_("file {path} is a Windows path that does not exist here").format(path=repr(path))
    p = Path(path).expanduser()
    tries = [p] if p.is_absolute() else \
        [bib_dir / p] + [b / p for b in bases or []] + [Path("/" + path)]  # Mendeley drops the leading /
    real_roots = [r.resolve() for r in roots]
    candidates = [t.resolve() for t in tries]
    inside = [c for c in candidates if any(c.is_relative_to(r) for r in real_roots)]
    for c in inside:
        if c.is_file():
            return c, ""
    outside = [c for c in candidates if c not in inside]
    if candidates[0] in outside or any(c.exists() for c in outside):
        return None, N_("file {path} is outside the folders allowed for this import; not followed").format(
            path=repr(path))
    return None, N_("file {path} not found").format(path=repr(path))
