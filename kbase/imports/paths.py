"""Collecting what `kbase import` is given: folders walked, documents sorted from files of records (BibTeX,
RIS, CSL-JSON, spreadsheets, a Zotero library), and what cannot be read said per path."""

from __future__ import annotations

import os
from pathlib import Path

from kbase.i18n import N_
from kbase.imports.outcomes import FileResult


def collect(paths: list[str | Path]) -> tuple[list[Path], list[Path], list[FileResult], list[Path]]:
    """PDF candidates, bibliography files (.bib, RIS, CSL-JSON), problems and the folders given (roots for
    BibTeX file links)."""
    from kbase.imports.documents import FOLDER_KINDS, document_kind
    from kbase.imports.records import bibliography_format

    pdfs: list[Path] = []
    bibs: list[Path] = []
    problems: list[FileResult] = []
    roots: list[Path] = []
    seen: set[Path] = set()

    def add(p: Path, named: bool = False) -> None:
        key = p.resolve()
        if key in seen:
            return
        seen.add(key)
        # a .json named on the command line that is no CSL-JSON: the CSL-JSON reader says why, not "not a PDF";
        # spreadsheets only when named (in a folder, a data table beside the PDFs is no publication list)
        (bibs if bibliography_format(p) or (named and p.suffix.lower() in (".json", ".csv", ".tsv", ".xlsx", ".xlsm",
                                                                            ".sqlite"))
         or _zotero(p) else pdfs).append(p)

    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            roots.append(p)
            for folder, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                if "zotero.sqlite" in files and _zotero(Path(folder) / "zotero.sqlite"):
                    # a Zotero data folder: its database brings its storage/ PDFs with their records
                    dirs[:] = [d for d in dirs if d != "storage"]
                    add(Path(folder) / "zotero.sqlite")
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    if (name.lower().endswith(".pdf") or document_kind(name) in FOLDER_KINDS
                            or bibliography_format(Path(folder) / name)):
                        add(Path(folder) / name)  # a .json or .txt that is no bibliography is not ours
        elif p.is_file():
            add(p, named=True)
        elif p.exists():
            problems.append(FileResult(str(p), "missing", N_("not a regular file or folder; skipped")))
        else:
            problems.append(FileResult(str(p), "missing", N_("no such file or folder")))
    return pdfs, bibs, problems, roots


def _zotero(path: Path) -> bool:
    """A Zotero database (zotero.sqlite, or any .sqlite file with Zotero's tables)."""
    from kbase.formats.zotero import is_zotero_db

    return path.suffix.lower() == ".sqlite" and is_zotero_db(path)
