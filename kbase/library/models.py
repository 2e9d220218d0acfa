"""The catalogue's tables (SQLModel): records, their links and the change log."""

from datetime import date as Date, datetime, timezone
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


class OrganisationAlias(SQLModel, table=True):
    __tablename__ = "organisation_alias"
    __table_args__ = (UniqueConstraint("organisation_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


class Person(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    role: Optional[str] = None
    title: Optional[str] = None
    email: Optional[str] = None
    notes: Optional[str] = Field(default=None, sa_column=Column(Text))


class PersonAlias(SQLModel, table=True):
    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("person_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


class PersonOrganisation(SQLModel, table=True):
    __tablename__ = "person_organisation"
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    position: Optional[str] = None


class Region(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    name_fr: Optional[str] = None
    name_local: Optional[str] = None
    level: str = "country"
    parent_id: Optional[int] = Field(default=None, foreign_key="region.id", index=True)
    # "/1/5/9/": ancestors and self, so "everything below" is one LIKE on an index
    path: str = Field(default="/", index=True)


class RegionAlias(SQLModel, table=True):
    __tablename__ = "region_alias"
    __table_args__ = (UniqueConstraint("region_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


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


class Assignment(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True, ondelete="CASCADE")
    year: int = Field(index=True)
    note: Optional[str] = None
    title: Optional[str] = None  # as the contract words it; None: the project's title
    reference: Optional[str] = None  # the contract's number or code
    client_separator: Optional[str] = None  # between clients as the contract names them ("DFID/Concordis"); None: ", "


class AssignmentClient(SQLModel, table=True):
    __tablename__ = "assignment_client"
    assignment_id: int = Field(foreign_key="assignment.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    position: int = 0
    label: Optional[str] = None  # the client as the contract names it; None: the organisation's display form


class ProjectOrganisation(SQLModel, table=True):
    __tablename__ = "project_organisation"
    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(primary_key=True)
    position: int = 0


class ProjectRegion(SQLModel, table=True):
    __tablename__ = "project_region"
    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="region.id", primary_key=True, ondelete="CASCADE")


class ProjectSubject(SQLModel, table=True):
    __tablename__ = "project_subject"
    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    subject_id: int = Field(foreign_key="subject.id", primary_key=True, ondelete="CASCADE")


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


class Contributor(SQLModel, table=True):
    __table_args__ = (
        Index("ix_contributor_person", "person_id"),
        Index("ix_contributor_org", "organisation_id"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")
    position: int = 0
    role: str = "author"
    person_id: Optional[int] = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", ondelete="CASCADE")


class PublicationProject(SQLModel, table=True):
    __tablename__ = "publication_project"
    publication_id: int = Field(foreign_key="publication.id", primary_key=True, ondelete="CASCADE")
    project_id: int = Field(foreign_key="project.id", primary_key=True, index=True, ondelete="CASCADE")


class PublicationRegion(SQLModel, table=True):
    __tablename__ = "publication_region"
    publication_id: int = Field(foreign_key="publication.id", primary_key=True, ondelete="CASCADE")
    region_id: int = Field(foreign_key="region.id", primary_key=True, index=True, ondelete="CASCADE")


class PublicationSubject(SQLModel, table=True):
    __tablename__ = "publication_subject"
    publication_id: int = Field(foreign_key="publication.id", primary_key=True, ondelete="CASCADE")
    subject_id: int = Field(foreign_key="subject.id", primary_key=True, index=True, ondelete="CASCADE")


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


class EventPerson(SQLModel, table=True):
    __tablename__ = "event_person"
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True, ondelete="CASCADE")
    position: int = 0


# -- issue 14: the report's model (organisations of outputs and events, people's roles over time) --
class PublicationOrganisation(SQLModel, table=True):
    """Funders and supporters of a publication, in order."""

    __tablename__ = "publication_organisation"
    publication_id: int = Field(foreign_key="publication.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str = Field(primary_key=True)
    position: int = 0


class EventOrganisation(SQLModel, table=True):
    """Organisers, hosts, funders and supporters of an event, in order (speakers are EventPerson)."""

    __tablename__ = "event_organisation"
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, index=True, ondelete="CASCADE")
    role: str = Field(primary_key=True)
    position: int = 0


class PersonRole(SQLModel, table=True):
    """A role a person held (staff, board…) from start to end; open ends mean still or always."""

    __tablename__ = "person_role"
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(index=True)
    title: Optional[str] = None  # the position held: "Chair", "Researcher"
    organisation_id: Optional[int] = Field(default=None, foreign_key="organisation.id", index=True,
                                           ondelete="CASCADE")
    start: Optional[Date] = None
    end: Optional[Date] = None


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


class SavedSearch(SQLModel, table=True):
    __tablename__ = "saved_search"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    query: str = ""
    filters: Optional[str] = Field(default=None, sa_column=Column(Text))  # JSON


class Change(SQLModel, table=True):
    """Monotonic log of changed records; local indexes catch up from it."""

    __table_args__ = (Index("ix_change_record", "kind", "record_id"),)

    seq: Optional[int] = Field(default=None, primary_key=True)
    kind: str  # table name of the changed record
    record_id: int
    op: str = "update"  # insert | update | delete | restore
    at: datetime = Field(default_factory=utcnow)
    # issue 19: who, which fields (JSON {field: [old, new]}), the version it made, and the chain
    db_user: Optional[str] = None
    user: Optional[str] = None  # the desktop user
    version: Optional[int] = None
    fields: Optional[str] = Field(default=None, sa_column=Column(Text))
    secret: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})  # a confidential record, gone
    checksum: Optional[str] = None  # sha256 of the previous row's checksum and this row


class ImportBatch(SQLModel, table=True):
    """One `kbase import` (or import dialog run): what it read and what it did, so it can be undone."""

    __tablename__ = "import_batch"
    id: Optional[int] = Field(default=None, primary_key=True)
    started: datetime = Field(default_factory=utcnow)
    finished: Optional[datetime] = None  # None: still running, or killed before it ended
    user: Optional[str] = None  # the desktop user and, on PostgreSQL, the database role
    sources: str = Field(default="[]", sa_column=Column(Text))  # JSON list of the paths given
    counts: Optional[str] = Field(default=None, sa_column=Column(Text))  # JSON: created, matched, refused
    status: str = "running"  # running | done | undone
    undone: Optional[datetime] = None


class ImportItem(SQLModel, table=True):
    """A record a batch created, changed or linked; written in the same transaction as the record."""

    __tablename__ = "import_item"
    __table_args__ = (Index("ix_import_item_kind_record", "kind", "record_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batch.id", index=True, ondelete="CASCADE")
    kind: str  # the record's table: publication, attachment, person, organisation…; or a link table
    record_id: int = 0  # 0 for a link row (its keys are in `before`)
    op: str = "created"  # created | changed | linked
    version: Optional[int] = None  # the record's version after the import: a later edit shows as a higher one
    before: Optional[str] = Field(default=None, sa_column=Column(Text))  # JSON: changed fields' old values, or link keys


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: Optional[str] = Field(default=None, sa_column=Column(Text))


# -- report texts (issue 15) ---------------------------------------------------------------
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


# -- OCR queue (issue 18) -------------------------------------------------------------------
class OcrJob(SQLModel, table=True):
    """A document's pages awaiting OCR: the queue survives a restart and goes on where it stopped."""

    __tablename__ = "ocr_job"
    id: Optional[int] = Field(default=None, primary_key=True)
    attachment_id: int = Field(foreign_key="attachment.id", unique=True, index=True, ondelete="CASCADE")
    status: str = Field(default="queued", index=True)  # queued | running | done | cancelled | failed
    language: Optional[str] = None  # en | fr, else detected
    pages: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON: page numbers still to read
    pages_total: int = 0
    pages_done: int = 0
    message: Optional[str] = Field(default=None, sa_column=Column(Text))
    updated: datetime = Field(default_factory=utcnow)


# -- notes, related publications, collections, the trash, web links (issue 14) --------------
# a relation read from its subject, and how it reads from the other end
RELATIONS: dict[str, str] = {
    "translation of": "has translation",
    "summary of": "has summary",
    "chapter of": "has chapter",
    "revised edition of": "has revised edition",
    "see also": "see also",
}


class Note(SQLModel, table=True):
    """Markdown text on any record (kind = the record's table)."""

    __table_args__ = (Index("ix_note_record", "kind", "record_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    record_id: int
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)


class PublicationRelation(SQLModel, table=True):
    """publication_id is RELATION of other_id: "12 is a translation of 7"."""

    __tablename__ = "publication_relation"
    __table_args__ = (UniqueConstraint("publication_id", "relation", "other_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")
    relation: str
    other_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")


class Collection(Record, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="collection.id", index=True, ondelete="CASCADE")


class CollectionItem(SQLModel, table=True):
    __tablename__ = "collection_item"
    __table_args__ = (Index("ix_collection_item_record", "kind", "record_id"),)
    collection_id: int = Field(foreign_key="collection.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True)
    record_id: int = Field(primary_key=True)
    added: datetime = Field(default_factory=utcnow)


class TrashEntry(SQLModel, table=True):
    """A deleted record with every row that went with it (JSON), until restored or emptied."""

    __tablename__ = "trash"
    __table_args__ = (Index("ix_trash_record", "kind", "record_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    record_id: int
    label: str = ""
    deleted: datetime = Field(default_factory=utcnow, index=True)
    user: Optional[str] = None
    snapshot: str = Field(default="{}", sa_column=Column(Text, nullable=False))


class PublicationLink(SQLModel, table=True):
    """A web page attached to a publication: a link rather than a stored file."""

    __tablename__ = "publication_link"
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")
    url: str
    title: Optional[str] = None
    created: datetime = Field(default_factory=utcnow)


# Record kinds the CLI and the API know by name.
RECORD_TYPES: dict[str, type[SQLModel]] = {
    "publication": Publication,
    "project": Project,
    "organisation": Organisation,
    "person": Person,
    "region": Region,
    "programme": Programme,
    "series": Series,
    "subject": Subject,
    "event": Event,
    "attachment": Attachment,
}

# records looked up by any of their names: the table of names and its key to the record
ALIAS_TABLES: dict[type[SQLModel], tuple[type[SQLModel], str]] = {
    Organisation: (OrganisationAlias, "organisation_id"),
    Person: (PersonAlias, "person_id"),
    Region: (RegionAlias, "region_id"),
}


# -- finances (issue 15): the annual report's income and expenses ---------------------------
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
