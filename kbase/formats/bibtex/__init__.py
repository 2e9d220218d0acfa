"""BibTeX and biblatex: reading (bibtexparser 2.x plus our own macros, names, LaTeX and tolerance) and export.

Importing a .bib file into the catalogue is the import pipeline's work: kbase.imports.records.import_bib."""

from __future__ import annotations

from typing import Any

__all__ = ["export_bib", "export_csl_json", "export_csv"]


def __getattr__(name: str) -> Any:
    # lazy, so that `import kbase.formats.bibtex` stays cheap for the CLI and has no side effects
    if name == "export_bib":
        from kbase.formats.bibtex.export import export_bib

        return export_bib
    if name in ("export_csl_json", "export_csv", "export_json"):
        from kbase.formats import exporters

        return getattr(exporters, name)
    raise AttributeError(name)
