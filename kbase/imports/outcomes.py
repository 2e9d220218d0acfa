"""What an import reports: its progress as it goes, each file's result and the whole report, with the
statuses and the size limit they are read against."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from kbase.catalogue.records import Catalogue
from kbase.errors import InvalidInput
from kbase.i18n import N_

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
MAX_BYTES_SETTING = "import.max_bytes"
VISIBILITY_SETTING = "import.visibility"  # imported documents are internal until a librarian says otherwise
# file statuses that mean the file's record was not created
REFUSED = {"damaged", "not a pdf", "empty", "too large", "missing", "failed", "cancelled"}
# statuses of a file of records (its counts are its records'), as opposed to a document's
BIBLIOGRAPHIES = ("bibtex", "ris", "csl-json", "spreadsheet", "zotero")
# the formats among them by the names their users write (the status itself is lower case); no
# language translates them
FORMAT_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON", "zotero": "Zotero"}


@dataclass
class ImportProgress:
    files_done: int
    files_total: int
    pages_done: int
    bytes_done: int
    bytes_total: int
    elapsed: float
    current: str = ""
    phase: str = "importing"  # importing | indexing | done | cancelled

    @property
    def pages_per_second(self) -> float:
        return self.pages_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def pages_left(self) -> float:
        """A guess of the pages still to come, from the bytes still to read. Over the last 30% of
        an import of 800 of texlive's manuals it was 480 pages off on average, against 1,050 for a
        guess from the files left (the indexer's last segment is sized from it)."""
        if not self.bytes_done:
            return float("inf")
        return self.pages_done * (self.bytes_total - self.bytes_done) / self.bytes_done

    @property
    def seconds_left(self) -> float | None:
        if not self.bytes_done or self.elapsed <= 0:
            return None
        return self.elapsed * (self.bytes_total - self.bytes_done) / self.bytes_done


@dataclass
class FileResult:
    path: str
    status: str  # an attachment status, or duplicate | missing | failed | cancelled | bibtex
    message: str = ""
    attachment_id: int | None = None
    publication_id: int | None = None
    pages: int = 0
    duplicate_of: int | None = None  # the publication that already holds this file
    batch: int | None = None
    # a document is one record; a .bib file has many: created + matched + refused = what was read
    created: int = 0
    matched: int = 0
    refused: int = 0
    encoding: str | None = None  # a .bib file's, as read
    problems: list[dict[str, Any]] = field(default_factory=list)  # {file, line, key, reason}
    notes: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # the plan, entry by entry
    mapping: dict[str, Any] = field(default_factory=dict)  # a spreadsheet's columns → fields, and how it was read
    new_names: dict[str, list[str]] = field(default_factory=dict)  # kind → names (to be) created
    zotero: dict[str, dict[str, int]] = field(default_factory=dict)  # a Zotero database's accounting, thing by thing

    @property
    def imported(self) -> bool:
        return self.attachment_id is not None and self.duplicate_of is None

    def count(self, to_existing: bool = False) -> "FileResult":
        """Set a document's three numbers from its status."""
        if self.status in REFUSED:
            self.refused = 1
            self.problems = [{"file": self.path, "line": None, "key": "", "reason": self.message or self.status}]
        elif self.status == "duplicate" or to_existing:
            self.matched = 1
        else:
            self.created = 1
        return self

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [], "", {}) or k in ("created", "matched",
                                                                                              "refused")}


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    cancelled: bool = False
    dry_run: bool = False
    batch: int | None = None
    elapsed: float = 0.0
    index_message: str | None = None
    indexed: int = 0
    worker_peaks_mb: list[float] = field(default_factory=list)
    index_peak_mb: float = 0.0  # the index process's peak memory, when the import had one
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # workers, main thread, index thread

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(f.status for f in self.files))

    @property
    def imported(self) -> int:
        return sum(1 for f in self.files if f.imported)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files if f.imported)

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(f, k) for f in self.files) for k in ("created", "matched", "refused")}

    @property
    def problems(self) -> list[dict[str, Any]]:
        return [p for f in self.files for p in f.problems]

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `kbase import --json`: totals, every problem with its file and line, and each file."""
        return {**self.totals(), "problems": self.problems, "batch": self.batch, "dry_run": self.dry_run,
                "files": [f.as_dict() for f in self.files], "counts": self.counts, "imported": self.imported,
                "pages": self.pages, "cancelled": self.cancelled, "seconds": round(self.elapsed, 2),
                "index_message": self.index_message}


def max_bytes_for(cat: Catalogue, requested: int | None = None) -> int:
    """The size limit: the caller's, else the library setting import.max_bytes, else 256 MB."""
    if requested:
        return requested
    value = cat.get_setting(MAX_BYTES_SETTING)
    try:
        return int(value) if value else DEFAULT_MAX_BYTES
    except ValueError:
        raise InvalidInput(N_("library setting {max_bytes_setting} must be a number of bytes (got {value})").format(
            max_bytes_setting=MAX_BYTES_SETTING, value=repr(value))) from None


def duplicate_result(path: str, found: tuple[int, int | None]) -> FileResult:
    att, pub = found
    said = (N_("already in the library (publication {id}); nothing done").format(id=pub) if pub is not None
            else N_("already in the library (attachment {id}); nothing done").format(id=att))
    return FileResult(path, "duplicate", said,
                      attachment_id=att, publication_id=pub, duplicate_of=pub)
