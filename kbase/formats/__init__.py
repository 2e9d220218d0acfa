"""Bibliographic formats read and written: BibTeX/biblatex, CSL-JSON, CSV and JSON exports.
A format only reads or writes its syntax; the import pipeline (`kbase.imports`) decides what
becomes of each record."""

from __future__ import annotations

__all__: list[str] = []
