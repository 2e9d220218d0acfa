"""the report's model: assignment titles, parent organisations, output funders, event organisers and
hosts, series parents, people's roles over time

Revision ID: 0006
Revises: 0005
"""

from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_str = sqlmodel.sql.sqltypes.AutoString


def _link_table(name: str, owner: str) -> None:
    op.create_table(
        name,
        sa.Column(f"{owner}_id", sa.Integer(), sa.ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("role", _str(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index(f"ix_{name}_organisation_id", name, ["organisation_id"])


def _add_reference(bind: sa.engine.Connection, table: str, column: str, target: str) -> None:
    """A nullable column referring to target.id. SQLite's ALTER TABLE adds a column with its
    REFERENCES clause; Alembic's batch would copy the table instead, and dropping the old copy
    would take every row pointing at it (aliases, links) along. (No ON DELETE: SQLite would not
    report it back, and a parent with parts is refused, as a region with regions below it.)"""
    if bind.dialect.name == "sqlite":
        op.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" INTEGER REFERENCES "{target}" (id)')
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id"), nullable=True))


def _set_aside_rows_pointing_at(bind: sa.engine.Connection, table: str) -> dict[str, list[dict[str, Any]]]:
    """Take out the rows of other tables whose foreign key points at table: SQLite drops a column by
    copying the table, and dropping the old copy would delete (cascade) or refuse (no action) them."""
    inspector = sa.inspect(bind)
    kept = {}
    for other in inspector.get_table_names():
        if other != table and any(fk["referred_table"] == table for fk in inspector.get_foreign_keys(other)):
            kept[other] = [dict(r) for r in bind.execute(sa.text(f'SELECT * FROM "{other}"')).mappings()]
            bind.execute(sa.text(f'DELETE FROM "{other}"'))
    return kept


def _put_back(bind: sa.engine.Connection, kept: dict[str, list[dict[str, Any]]]) -> None:
    for name, rows in kept.items():
        if rows:
            table = sa.Table(name, sa.MetaData(), autoload_with=bind)
            bind.execute(table.insert(), rows)


def upgrade() -> None:
    bind = op.get_bind()
    _add_reference(bind, "organisation", "parent_id", "organisation")
    op.add_column("organisation", sa.Column("part_kind", _str(), nullable=True))
    op.create_index("ix_organisation_parent_id", "organisation", ["parent_id"])
    _add_reference(bind, "series", "parent_id", "series")
    op.create_index("ix_series_parent_id", "series", ["parent_id"])
    op.add_column("assignment", sa.Column("title", _str(), nullable=True))
    op.add_column("assignment", sa.Column("reference", _str(), nullable=True))
    op.add_column("assignment", sa.Column("client_separator", _str(), nullable=True))
    op.add_column("assignment_client", sa.Column("label", _str(), nullable=True))
    op.add_column("publication", sa.Column("period_start", sa.Date(), nullable=True))
    op.add_column("publication", sa.Column("period_end", sa.Date(), nullable=True))
    op.add_column("publication", sa.Column("editors_et_al", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))

    _link_table("publication_organisation", "publication")
    _link_table("event_organisation", "event")
    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", _str(), nullable=False),
        sa.Column("title", _str(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
    )
    for column in ("person_id", "role", "organisation_id"):
        op.create_index(f"ix_person_role_{column}", "person_role", [column])

    # an event's one organiser becomes the first of its organisers; a person's role, a role with no dates
    bind.execute(sa.text("INSERT INTO event_organisation (event_id, organisation_id, role, position) "
                         "SELECT id, organiser_id, 'organiser', 0 FROM event WHERE organiser_id IS NOT NULL"))
    bind.execute(sa.text("INSERT INTO person_role (person_id, role, title) "
                         "SELECT id, role, title FROM person WHERE role IS NOT NULL"))
    kept = _set_aside_rows_pointing_at(bind, "event") if bind.dialect.name == "sqlite" else {}
    with op.batch_alter_table("event") as batch:
        batch.drop_column("organiser_id")
    _put_back(bind, kept)


def downgrade() -> None:
    # SQLite drops a column by copying its table; for publication or organisation that would mean
    # setting aside everything that points at them, and what points at those in turn
    raise NotImplementedError("revision 0006 is not undone in place: restore a backup made before the upgrade")
