"""`kbase import refs.bib`: a plan (new, matches record N, refused), then one transaction for the file.

One import for both halves: each format's entry point (`sources`) and the planning and writing of the
records any reader gives (`writing`)."""

from __future__ import annotations

from kbase.imports.sources import (
    FORMATS,
    NEW_NAMES,
    bibliography_format,
    decode_head,
    import_bib,
    import_bibliography,
    import_csl_json,
    import_ris,
    import_spreadsheet,
    spreadsheet_options,
)
from kbase.imports.writing import CHUNK, ON_DUPLICATE, BibReport, Planned, find_files, import_records

__all__ = ["ON_DUPLICATE", "CHUNK", "BibReport", "Planned", "import_records", "find_files", "import_bib", "FORMATS",
           "bibliography_format", "decode_head", "import_bibliography", "import_ris", "import_csl_json", "NEW_NAMES",
           "spreadsheet_options", "import_spreadsheet"]
