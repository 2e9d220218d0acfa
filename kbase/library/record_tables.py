"""The record tables: what the catalogue holds (publications, projects, people, organisations, regions,
events, attachments, collections, notes), with the closed lists of their kinds, roles and statuses."""

from datetime import date as Date
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

PUBLICATION_TYPES = (
    "report", "summary report", "briefing", "bulletin", "insight", "review paper",
    "case studies", "book", "book chapter", "article", "workshop report", "webmap",
    "dashboard", "static maps", "video", "other",
)
VISIBILITIES = ("public", "internal", "confidential")
CONTRIBUTOR_ROLES = ("author", "editor")
ORG_ROLES = ("partner", "funder", "client", "publisher")
ORG_KINDS = (
    "NGO", "CSO", "government", "donor", "UN agency", "university", "company",
    "network", "research institute", "other",
)
PERSON_ROLES = ("staff", "associate researcher", "focal point", "board", "external")
# what an organisation with a parent body is to it; kbase.catalogue.organisations prints each its own way
ORG_PART_KINDS = ("programme", "instrument", "department", "consortium")
PUBLICATION_ORG_ROLES = ("funder", "supporter")
EVENT_ORG_ROLES = ("organiser", "host", "funder", "supporter")
REGION_LEVELS = ("region", "country", "province", "territory", "site")
EVENT_KINDS = (
    "lecture", "workshop", "presentation", "webinar", "conference", "meeting",
    "training", "round table", "briefing",
)
ATTACHMENT_STATUSES = (
    "ok", "no text layer", "encrypted", "damaged", "not a pdf", "empty", "too large", "pending", "repaired",
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Record(SQLModel):
    """Columns every top-level record carries; version guards against lost updates."""

    version: int = Field(default=1)
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


class Programme(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    description: Optional[str] = Field(default=None, sa_column=Column(Text))


class Series(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    periodical: bool = False
    programme_id: Optional[int] = Field(default=None, foreign_key="programme.id")
    parent_id: Optional[int] = Field(default=None, foreign_key="series.id", index=True)  # "Voices from the South"


class Subject(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="subject.id")


class Organisation(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    acronym: Optional[str] = None
    kind: Optional[str] = None
    country: Optional[str] = None
    url: Optional[str] = None
    notes: Optional[str] = Field(default=None, sa_column=Column(Text))
    # a programme, instrument, department or consortium of a larger body, printed with it
    parent_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True)
    part_kind: Optional[str] = None


class Person(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    role: Optional[str] = None
    title: Optional[str] = None
    email: Optional[str] = None
    notes: Optional[str] = Field(default=None, sa_column=Column(Text))


class Region(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    name_fr: Optional[str] = None
    name_local: Optional[str] = None
    level: str = "country"
    parent_id: Optional[int] = Field(default=None, foreign_key="region.id", index=True)
    # "/1/5/9/": ancestors and self, so "everything below" is one LIKE on an index
    path: str = Field(default="/", index=True)


class Project(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str = Field(index=True)
    short_name: Optional[str] = Field(default=None, index=True)
    programme_id: Optional[int] = Field(default=None, foreign_key="programme.id", index=True)
    summary: Optional[str] = Field(default=None, sa_column=Column(Text))
    start: Optional[Date] = None
    end: Optional[Date] = None
    url: Optional[str] = None
    visibility: str = Field(default="public", index=True)


class Publication(Record, table=True):
    __table_args__ = (
        Index("ix_publication_year_month", "year", "month"),
        Index("ix_publication_type_year", "type", "year"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    title_norm: str = Field(default="", index=True)
    subtitle: Optional[str] = None
    type: str = Field(default="other", index=True)
    year: Optional[int] = Field(default=None, index=True)
    month: Optional[int] = None
    month_end: Optional[int] = None
    day: Optional[int] = None
    series_id: Optional[int] = Field(default=None, foreign_key="series.id", index=True)
    number: Optional[str] = None
    language: Optional[str] = Field(default=None, index=True)
    abstract: Optional[str] = Field(default=None, sa_column=Column(Text))
    url: Optional[str] = None
    publisher_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True)
    place: Optional[str] = None
    isbn: Optional[str] = Field(default=None, index=True)
    doi: Optional[str] = Field(default=None, index=True)
    pages: Optional[str] = None
    container: Optional[str] = None  # book or journal a chapter/article sits in
    # a report covering a period that need not be a calendar year (April 2021 – March 2022)
    period_start: Optional[Date] = None
    period_end: Optional[Date] = None
    editors_et_al: bool = False  # more editors than are listed: "et al."
    visibility: str = Field(default="public", index=True)
    citekey: Optional[str] = Field(default=None, index=True)
    # fields with no column (BibTeX extras, original entry type) kept as JSON text
    extra: Optional[str] = Field(default=None, sa_column=Column(Text))


class Event(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    title: str
    kind: Optional[str] = None
    date: Optional[Date] = Field(default=None, index=True)
    end_date: Optional[Date] = None
    place: Optional[str] = None
    description: Optional[str] = Field(default=None, sa_column=Column(Text))
    project_id: Optional[int] = Field(default=None, foreign_key="project.id", index=True)
    visibility: str = Field(default="public")


class StoredFile(SQLModel, table=True):
    """One file in the content-addressed store; several attachments may share it."""

    __tablename__ = "stored_file"
    sha256: str = Field(primary_key=True)
    size: int = 0
    # set when the library keeps its files in the database (team libraries)
    content: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))


class Attachment(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: Optional[int] = Field(default=None, foreign_key="publication.id", index=True)
    sha256: str = Field(foreign_key="stored_file.sha256", index=True)
    filename: str
    mime: str = "application/pdf"
    status: str = Field(default="pending", index=True)
    message: Optional[str] = None
    page_count: int = 0
    has_thumbnail: bool = False


class PageText(SQLModel, table=True):
    __tablename__ = "page_text"
    __table_args__ = (UniqueConstraint("attachment_id", "page"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    attachment_id: int = Field(foreign_key="attachment.id", index=True, ondelete="CASCADE")
    page: int  # 1-based
    text: str = Field(default="", sa_column=Column(Text))
    source: str = Field(default="text", sa_column_kwargs={"server_default": "text"})  # text | ocr


class Collection(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="collection.id", index=True, ondelete="CASCADE")


class Note(SQLModel, table=True):
    """Markdown text on any record (kind = the record's table)."""

    __table_args__ = (Index("ix_note_record", "kind", "record_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    record_id: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


class SavedSearch(SQLModel, table=True):
    __tablename__ = "saved_search"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    query: str = ""
    filters: Optional[str] = Field(default=None, sa_column=Column(Text))  # JSON


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: Optional[str] = Field(default=None, sa_column=Column(Text))


class ReportText(SQLModel, table=True):
    """A report's own prose (the chair's word, preface, a project's narrative…), Markdown, per year and language."""

    __tablename__ = "report_text"
    __table_args__ = (UniqueConstraint("report", "year", "key", "lang"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    report: str = "annual"
    year: int
    key: str  # preface, chair, mission… or programme-3, project-12
    lang: str = "en"
    body: Optional[str] = Field(default=None, sa_column=Column(Text))
    updated: datetime = Field(default_factory=utcnow)


# the annual report's income and expenses
FINANCE_KINDS = ("income", "expense")


class FinanceLine(SQLModel, table=True):
    """One line of a year's accounts: income by source or expenses by category, in whole cents."""

    __tablename__ = "finance_line"
    __table_args__ = (UniqueConstraint("year", "kind", "label"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    kind: str  # income | expense
    label: str  # the source or category as the report prints it
    # the funder when the source is an organisation of the catalogue; the label stays as printed
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", ondelete="SET NULL")
    amount_cents: int = Field(sa_column=Column(BigInteger, nullable=False))
    currency: str = "EUR"
    position: int = 0  # order within the year and kind, as the report lists them
