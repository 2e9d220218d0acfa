"""Catalogue API: create, read, update, delete, link and merge records (no Qt); names in names.py."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel, col

from kbase.catalogue import history
from kbase.catalogue.columns import key, table_of
from kbase.catalogue.fields import (
    check_values,
    check_year,
    clean_field,
    clean_keys,
    kind_of,
    needs,
    primary_name,
    record_type,
    required,
)
from kbase.catalogue.names import Names, add_aliases, alias_names
from kbase.errors import ConflictError, InvalidInput, LibraryError, NotFound
from kbase.i18n import N_
from kbase.library import models as m
from kbase.library.db import Library
from kbase.text import clean_text

CHANGE_LOG_LOCK = 0x6B62617365  # "kbase": the advisory lock write transactions take on PostgreSQL
ALIAS_TABLES = m.ALIAS_TABLES
Listener = Callable[[str, int, str], None]  # (kind, record ID, op), told after each commit


class Catalogue(Names):
    """All reads and writes of records go through here; the CLI and the GUI share it."""

    def __init__(self, library: Library):
        self.library = library
        self._session: Session | None = None
        self._log_rows: list[dict[str, Any]] | None = None  # see logging_together
        self.listeners: list[Listener] = []
        self._desktop_user: str | None = None

    # -- sessions -----------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work; nested calls join the outer one."""
        if self._session is not None:
            yield self._session
            return
        if self.library.read_only:
            raise LibraryError(N_("library {folder} is read-only").format(folder=self.library.folder))
        session = self.library.session()
        self._session = session
        self._pending: list[tuple[str, int, str]] = []
        self._touched: set[tuple[str, int]] = set()
        try:
            if self.library.is_shared:
                # writers take turns on PostgreSQL, so change numbers become visible in order and
                # an index catching up from the log never skips a change that committed late
                session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
            yield session
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise InvalidInput(N_("the change breaks a rule of the catalogue: {reason}").format(
                reason=str(exc.orig).splitlines()[0])) from exc
        except OperationalError as exc:
            session.rollback()
            raise LibraryError(N_("the catalogue could not be written: {reason}").format(
                reason=str(exc.orig).splitlines()[0])) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            self._session = None
            session.close()
        pending, self._pending = self._pending, []
        for listener in list(self.listeners):
            for kind, rid, op in pending:
                listener(kind, rid, op)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        if self._session is not None:
            yield self._session
            return
        session = self.library.session()
        try:
            yield session
        except OperationalError as exc:
            raise LibraryError(N_("the catalogue could not be read: {reason}").format(
                reason=str(exc.orig).splitlines()[0])) from exc
        finally:
            session.close()

    def touch(self, session: Session, kind: str, record_id: int) -> None:
        """A link changed: bump the record's version once per transaction and log it."""
        if (kind, record_id) in self._touched:
            return
        self._touched.add((kind, record_id))
        table = table_of(m.RECORD_TYPES[kind])
        session.execute(update(table).where(table.c.id == record_id)
                        .values(version=table.c.version + 1, updated=m.utcnow()))
        self.log_change(session, kind, record_id)

    def log_changes(self, session: Session, kind: str, record_ids: Sequence[int], op: str = "update") -> None:
        """log_change for many records in one statement (bulk imports and batch edits)."""
        ids = list(record_ids)
        if not ids:
            return
        self._append_log(session, history.rows_for(kind, ids, op, self.desktop_user))
        self._pending.extend((kind, i, op) for i in ids)

    def log_change(self, session: Session, kind: str, record_id: int, op: str = "update",
                   fields: dict[str, Any] | None = None, version: int | None = None, secret: bool = False) -> None:
        """One row of the change log: which fields changed ({name: [old, new]}) and the version made."""
        session.flush()  # the change's own rows first: the log's order is the order of the writes
        self._append_log(session, history.rows_for(kind, [record_id], op, self.desktop_user, fields, version, secret))
        self._pending.append((kind, record_id, op))

    def _append_log(self, session: Session, rows: list[dict[str, Any]]) -> None:
        if self._log_rows is not None:
            self._log_rows.extend(rows)
        else:
            history.append(session, rows)

    @contextmanager
    def logging_together(self, session: Session) -> Iterator[None]:
        """The change-log rows of the block go in with one statement at its end instead of one
        each (on SQLite each also reads the newest row first): an imported file logs its
        publication, its attachment and any new person. Nothing in the block may read the log."""
        if self._log_rows is not None:  # an outer block writes them
            yield
            return
        self._log_rows = []
        try:
            yield
            rows, self._log_rows = self._log_rows, None
            history.append(session, rows)
        finally:
            self._log_rows = None

    @property
    def desktop_user(self) -> str:
        if self._desktop_user is None:
            self._desktop_user = history.desktop_user()
        return self._desktop_user

    # -- generic CRUD -------------------------------------------------------------------
    def _check(self, model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
        return check_values(model, values)

    def add(self, model: type[SQLModel], **values: Any) -> Any:
        clean = self._check(model, values)
        missing = [key for key in required(model) if key not in clean]
        if missing:  # said plainly, before the database refuses the row with its own words
            raise InvalidInput(needs(model, missing[0]))
        with self.transaction() as s:
            obj: Any = model(**clean)  # of the type given at run time: its columns are not known here
            s.add(obj)
            s.flush()
            if isinstance(obj, m.Region):
                self._set_region_path(s, obj)
            if model in ALIAS_TABLES:
                add_aliases(s, obj, primary_name(obj))
            self.log_change(s, kind_of(model), obj.id, "insert", history.diff({}, history.values_of(obj)),
                            getattr(obj, "version", None))  # a saved search has no version
            return obj

    def add_row(self, session: Session, model: type[SQLModel], **values: Any) -> int:
        """add() inside an open transaction as plain INSERTs; returns the new ID. The same row, aliases
        and change-log row, without the ORM's unit of work: an import creates hundreds of people,
        and add() cost 2 ms each. A region takes add() (its path needs its ID first)."""
        if model is m.Region:
            return int(self.add(model, **values).id)
        clean = self._check(model, values)
        missing = [key for key in required(model) if key not in clean]
        if missing:
            raise InvalidInput(needs(model, missing[0]))
        obj: Any = model(**clean)  # its defaults (version, created), as add() writes them
        table = table_of(model)
        row = {c.key: getattr(obj, c.key) for c in table.columns if not c.primary_key}
        obj.id = new_id = int(session.execute(insert(table).values(**row).returning(table.c.id)).scalar_one())
        if model in ALIAS_TABLES and primary_name(obj):  # the aliases add() gives a new record
            alias_model, fk = ALIAS_TABLES[model]
            names = alias_names(obj, primary_name(obj))
            session.execute(insert(table_of(alias_model)),
                            [{fk: new_id, "alias": alias, "norm": norm} for norm, alias in names.items()])
        self.log_change(session, kind_of(model), new_id, "insert", history.diff({}, history.values_of(obj)),
                        getattr(obj, "version", None))
        return new_id

    def get(self, model: type[SQLModel], record_id: int) -> Any:
        with self.reading() as s:
            obj = s.get(model, record_id)
            if obj is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind_of(model), id=record_id))
            return obj

    def update(self, model: type[SQLModel], record_id: int, expected_version: int | None = None, **values: Any) -> Any:
        """Change fields; with expected_version, refuse if someone saved in between."""
        clean = self._check(model, values)
        with self.transaction() as s:
            obj: Any = s.get(model, record_id)  # of the type given at run time
            if obj is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind_of(model), id=record_id))
            before = history.values_of(obj)
            if expected_version is not None:
                table = table_of(model)
                saved = s.execute(  # the saved row comes back: no second read inside the writers' lock
                    update(table)
                    .where(table.c.id == record_id, table.c.version == expected_version)
                    .values(version=expected_version + 1, updated=m.utcnow(), **clean)
                    .returning(*table.c)
                ).first()
                if saved is None:
                    s.refresh(obj)
                    theirs = obj.model_dump()
                    raise ConflictError(
                        N_("{kind} {id} was changed by someone else (your version {expected_version}, saved version "
                           "{saved_version})").format(
                            kind=kind_of(model), id=record_id, expected_version=expected_version,
                            saved_version=theirs.get('version')),
                        mine=values, theirs=theirs,
                    )
                for prop in sa_inspect(model).column_attrs:  # what refresh() would read
                    set_committed_value(obj, prop.key, saved._mapping[prop.columns[0]])
            else:
                for key, value in clean.items():
                    setattr(obj, key, value)
                obj.version = (obj.version or 0) + 1
                obj.updated = m.utcnow()
                s.add(obj)
                s.flush()
            if isinstance(obj, m.Region) and "parent_id" in clean:
                self._set_region_path(s, obj, cascade=True)
            if model in ALIAS_TABLES and (set(clean) & {"name", "acronym", "name_fr", "name_local"}):
                add_aliases(s, obj, primary_name(obj))
            self._touched.add((kind_of(model), record_id))
            self.log_change(s, kind_of(model), record_id, "update", history.diff(before, history.values_of(obj)),
                            obj.version)
            if before.get("visibility") != "confidential" and getattr(obj, "visibility", None) == "confidential":
                # a bare row those who saw the record may still read: their desktops drop it from their index
                self.log_change(s, kind_of(model), record_id, "hide")
            return obj

    def delete(self, model: type[SQLModel], record_id: int) -> Any:
        """Delete a record and its links; returns a snapshot that restore() puts back exactly.

        A record that others still refer to (an organisation as a publisher, a series with its
        publications…) is not deleted: the error names who refers to it."""
        from kbase.catalogue import restore

        with self.transaction() as s:
            obj = s.get(model, record_id)
            if obj is None:
                raise NotFound(N_("no {kind} with ID {id}").format(kind=kind_of(model), id=record_id))
            if model is m.Region and s.scalar(select(func.count()).where(col(m.Region.parent_id) == record_id)):
                raise InvalidInput(N_("region {id} has regions below it; move or delete them first").format(
                    id=record_id))
            table = table_of(model)
            used = restore.blockers(s, table, record_id, ignore=("attachment",) if model is m.Publication else ())
            if used:
                kind = kind_of(model)
                said = "; ".join(f"{name} {', '.join(map(str, ids[:10]))}{' and more' if len(ids) > 10 else ''}"
                                 for name, ids in used.items())
                raise InvalidInput(N_("{kind} {id} is still used by {said}: change those first, or merge it into "
                                      "another {other_kind}").format(
                    kind=kind, other_kind=kind, id=record_id, said=said))
            snapshot = restore.take(s, table, record_id)
            snapshot.dependants.extend(restore.take_by_kind(s, kind_of(model), record_id))
            if model is m.Publication:  # its attachments go with it; the stored file stays until `check --repair`
                attachments = select(key(m.Attachment.id)).where(col(m.Attachment.publication_id) == record_id)
                for att_id in list(s.scalars(attachments)):
                    s.execute(delete(m.PageText).where(col(m.PageText.attachment_id) == att_id))
                    s.execute(delete(m.Attachment).where(col(m.Attachment.id) == att_id))
                    self.log_change(s, "attachment", att_id, "delete",
                                    secret=getattr(obj, "visibility", None) == "confidential")
            gone = history.values_of(obj)
            secret = gone.get("visibility") == "confidential"
            s.delete(obj)
            s.flush()
            self.log_change(s, kind_of(model), record_id, "delete", history.diff(gone, dict.fromkeys(gone)),
                            secret=secret)
            return snapshot

    def restore(self, snapshot: Any) -> int:
        """Put back a record deleted by delete(): same ID, fields, dates and links; returns the ID.

        A publication's attachments must still exist (detach them before deleting it to undo)."""
        from kbase.catalogue import restore

        kind = snapshot.table
        with self.transaction() as s:
            restore.put_back(s, snapshot)
            self.log_change(s, kind, snapshot.row["id"], "insert")
        return int(snapshot.row["id"])

    def count(self, model: type[SQLModel]) -> int:
        with self.reading() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0

    def all(self, model: type[SQLModel]) -> list[Any]:
        with self.reading() as s:
            return list(s.scalars(select(model).order_by(table_of(model).c.id)))

    # -- regions ------------------------------------------------------------------------
    def _set_region_path(self, s: Session, region: m.Region, cascade: bool = False) -> None:
        old = region.path
        parent_path = "/"
        if region.parent_id is not None:
            parent = s.get(m.Region, region.parent_id)
            if parent is None:
                raise NotFound(N_("no region with ID {id}").format(id=region.parent_id))
            if f"/{region.id}/" in parent.path:
                raise InvalidInput(N_("region {id} cannot be placed below its own descendant").format(id=region.id))
            parent_path = parent.path
        region.path = f"{parent_path}{region.id}/"
        s.add(region)
        s.flush()
        if cascade and old and old != "/" and old != region.path:
            below = select(m.Region).where(col(m.Region.path).startswith(old), col(m.Region.id) != region.id)
            for child in s.scalars(below):
                child.path = region.path + child.path[len(old):]
                s.add(child)
            s.flush()

    def region_ids_below(self, region_id: int) -> list[int]:
        with self.reading() as s:
            region = s.get(m.Region, region_id)
            if region is None:
                raise NotFound(N_("no region with ID {id}").format(id=region_id))
            return list(s.scalars(select(key(m.Region.id)).where(col(m.Region.path).startswith(region.path))))

    def region_ancestors(self, region_id: int) -> list[m.Region]:
        region = self.get(m.Region, region_id)
        ids = [int(p) for p in region.path.strip("/").split("/") if p]
        with self.reading() as s:
            return [r for r in (s.get(m.Region, i) for i in ids) if r is not None]

    # -- links --------------------------------------------------------------------------
    def link(self, link_model: type[SQLModel], **keys: Any) -> None:
        """Add a link row (idempotent), e.g. link(PublicationProject, publication_id=1, project_id=2)."""
        keys = clean_keys(link_model, keys)
        primary_key = table_of(link_model).primary_key.columns
        with self.transaction() as s:
            pk = {c.name: keys[c.name] for c in primary_key if c.name in keys}
            existing = s.get(link_model, tuple(pk.values())) if len(pk) == len(primary_key) else None
            if existing is None:
                s.add(link_model(**keys))
                s.flush()
            self._log_link(s, keys)

    def unlink(self, link_model: type[SQLModel], **keys: Any) -> None:
        keys = clean_keys(link_model, keys)  # the row was stored cleaned
        with self.transaction() as s:
            table = table_of(link_model)
            s.execute(delete(table).where(*[table.c[k] == v for k, v in keys.items()]))
            self._log_link(s, keys)

    def _log_link(self, s: Session, keys: dict[str, Any]) -> None:
        for field, kind in (("publication_id", "publication"), ("project_id", "project"),
                            ("event_id", "event"), ("person_id", "person")):
            if field in keys:
                self.touch(s, kind, keys[field])
                return

    def set_contributors(self, publication_id: int, people_or_orgs: Sequence[tuple[str, str, int]]) -> None:
        """Replace the ordered contributors: (role, 'person'|'organisation', id) triples."""
        with self.transaction() as s:
            s.execute(delete(m.Contributor).where(col(m.Contributor.publication_id) == publication_id))
            for pos, (role, kind, rid) in enumerate(people_or_orgs):
                if role not in m.CONTRIBUTOR_ROLES:
                    raise InvalidInput(N_("contributor role must be author or editor (got {role})").format(
                        role=repr(role)))
                s.add(m.Contributor(
                    publication_id=publication_id, position=pos, role=role,
                    person_id=rid if kind == "person" else None,
                    organisation_id=rid if kind == "organisation" else None,
                ))
            s.flush()
            self.touch(s, "publication", publication_id)

    def set_assignment(self, project_id: int, year: int, client_ids: Sequence[int], note: str | None = None) -> None:
        check_year(year)
        note = clean_field(m.Assignment, "note", note) if isinstance(note, str) else note
        with self.transaction() as s:
            a = s.scalar(select(m.Assignment).where(col(m.Assignment.project_id) == project_id,
                                                    col(m.Assignment.year) == year))
            if a is None:
                a = m.Assignment(project_id=project_id, year=year, note=note)
                s.add(a)
                s.flush()
            assert a.id is not None  # flushed
            C = m.AssignmentClient
            # a client that stays keeps the name the contract gives it
            labels: dict[int, str | None] = {
                oid: label for oid, label in s.execute(select(col(C.organisation_id), col(C.label))
                                                       .where(col(C.assignment_id) == a.id))}
            s.execute(delete(C).where(col(C.assignment_id) == a.id))
            for pos, oid in enumerate(dict.fromkeys(client_ids)):
                s.add(C(assignment_id=a.id, organisation_id=oid, position=pos, label=labels.get(oid)))
            s.flush()
            self.touch(s, "project", project_id)

    def delete_assignment(self, project_id: int, year: int) -> None:
        with self.transaction() as s:
            s.execute(delete(m.Assignment).where(col(m.Assignment.project_id) == project_id,
                                                 col(m.Assignment.year) == year))
            self.touch(s, "project", project_id)

    # -- merging ------------------------------------------------------------------------
    def merge(self, model: type[SQLModel], survivor_id: int, loser_id: int) -> Any:
        from kbase.catalogue.merge import merge_records

        if survivor_id == loser_id:
            raise InvalidInput(N_("cannot merge a record with itself"))
        with self.transaction() as s:
            survivor, loser = s.get(model, survivor_id), s.get(model, loser_id)
            for rid, obj in ((survivor_id, survivor), (loser_id, loser)):
                if obj is None:
                    raise NotFound(N_("no {kind} with ID {id}").format(kind=kind_of(model), id=rid))
            merge_records(self, s, model, survivor, loser)
            self.log_change(s, kind_of(model), loser_id, "delete")
            self.log_change(s, kind_of(model), survivor_id, "update")
            return survivor

    # -- settings -----------------------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self.reading() as s:
            row = s.get(m.Setting, key)
            return row.value if row else default

    def set_setting(self, key: str, value: str | None) -> None:
        value = clean_text(value) if isinstance(value, str) else value
        with self.transaction() as s:
            row = s.get(m.Setting, key) or m.Setting(key=key)
            row.value = value
            s.add(row)

    def extra(self, publication: m.Publication) -> dict[str, Any]:
        return json.loads(publication.extra) if publication.extra else {}


__all__ = ["Catalogue", "ALIAS_TABLES", "record_type", "kind_of", "clean_field"]  # the last three: fields.py
