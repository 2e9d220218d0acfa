"""The link tables: a record's other names, and the rows that tie records together (authors, a project's
partners and regions, a person's roles, related publications, collection items, web links)."""

from datetime import date as Date
from datetime import datetime
from typing import Optional

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kbase.library.record_tables import utcnow

# a relation read from its subject, and how it reads from the other end
RELATIONS: dict[str, str] = {
    "translation of": "has translation",
    "summary of": "has summary",
    "chapter of": "has chapter",
    "revised edition of": "has revised edition",
    "see also": "see also",
}


class OrganisationAlias(SQLModel, table=True):
    __tablename__ = "organisation_alias"
    __table_args__ = (UniqueConstraint("organisation_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


class PersonAlias(SQLModel, table=True):
    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("person_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


class RegionAlias(SQLModel, table=True):
    __tablename__ = "region_alias"
    __table_args__ = (UniqueConstraint("region_id", "norm"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    region_id: int = Field(foreign_key="region.id", index=True, ondelete="CASCADE")
    alias: str
    norm: str = Field(index=True)


class PersonOrganisation(SQLModel, table=True):
    __tablename__ = "person_organisation"
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True, ondelete="CASCADE")
    position: Optional[str] = None


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


class EventPerson(SQLModel, table=True):
    __tablename__ = "event_person"
    event_id: int = Field(foreign_key="event.id", primary_key=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True, ondelete="CASCADE")
    position: int = 0


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


class PublicationRelation(SQLModel, table=True):
    """publication_id is RELATION of other_id: "12 is a translation of 7"."""

    __tablename__ = "publication_relation"
    __table_args__ = (UniqueConstraint("publication_id", "relation", "other_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")
    relation: str
    other_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")


class CollectionItem(SQLModel, table=True):
    __tablename__ = "collection_item"
    __table_args__ = (Index("ix_collection_item_record", "kind", "record_id"),)
    collection_id: int = Field(foreign_key="collection.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True)
    record_id: int = Field(primary_key=True)
    added: datetime = Field(default_factory=utcnow)


class PublicationLink(SQLModel, table=True):
    """A web page attached to a publication: a link rather than a stored file."""

    __tablename__ = "publication_link"
    id: Optional[int] = Field(default=None, primary_key=True)
    publication_id: int = Field(foreign_key="publication.id", index=True, ondelete="CASCADE")
    url: str
    title: Optional[str] = None
    created: datetime = Field(default_factory=utcnow)
