"""The log tables: the change log local indexes catch up from, import batches (for undo), the trash and
the OCR queue."""

from datetime import datetime
from typing import Optional

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from kbase.library.record_tables import utcnow


class Change(SQLModel, table=True):
    """Monotonic log of changed records; local indexes catch up from it."""

    __table_args__ = (Index("ix_change_record", "kind", "record_id"),
                      Index("ix_change_txn", "txn", "kind", "record_id"))  # 0011: the trigger's lookup

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
    txn: Optional[int] = Field(default=None, sa_type=BigInteger)  # PostgreSQL: the writing transaction (0011)


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
    # JSON: changed fields' old values, or link keys
    before: Optional[str] = Field(default=None, sa_column=Column(Text))


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
