"""BibTeX and biblatex import and export (bibtexparser 2.x plus our own macros, names and LaTeX)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbase.formats.bibtex.importer import BibReport

__all__ = ["import_bib", "export_bib", "export_csl_json", "export_csv", "BibReport"]


def __getattr__(name: str) -> Any:
    # lazy, so that `import kbase.formats.bibtex` stays cheap for the CLI and has no side effects
    if name in ("import_bib", "BibReport"):
        from kbase.formats.bibtex import importer

        return getattr(importer, name)
    if name == "export_bib":
        from kbase.formats.bibtex.export import export_bib

        return export_bib
    if name in ("export_csl_json", "export_csv", "export_json"):
        from kbase.formats import exporters

        return getattr(exporters, name)
    raise AttributeError(name)
