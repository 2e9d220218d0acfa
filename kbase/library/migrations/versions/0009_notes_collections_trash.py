"""notes, related publications, collections, the trash and web links (issue 14)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

STR = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", STR(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", WHEN(), nullable=False),
        sa.Column("updated", WHEN(), nullable=False),
    )
    op.create_index("ix_note_record", "note", ["kind", "record_id"])
    op.create_table(
        "publication_relation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publication.id", ondelete="CASCADE"), nullable=False),
        sa.Column("relation", STR(), nullable=False),
        sa.Column("other_id", sa.Integer(), sa.ForeignKey("publication.id", ondelete="CASCADE"), nullable=False),
        sa.UniqueConstraint("publication_id", "relation", "other_id"),
    )
    op.create_index("ix_publication_relation_publication_id", "publication_relation", ["publication_id"])
    op.create_index("ix_publication_relation_other_id", "publication_relation", ["other_id"])
    op.create_table(
        "collection",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created", WHEN(), nullable=False),
        sa.Column("updated", WHEN(), nullable=False),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", STR(), nullable=False),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("collection.id", ondelete="CASCADE"), nullable=True),
    )
    op.create_index("ix_collection_name", "collection", ["name"])
    op.create_index("ix_collection_parent_id", "collection", ["parent_id"])
    op.create_table(
        "collection_item",
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("kind", STR(), primary_key=True),
        sa.Column("record_id", sa.Integer(), primary_key=True),
        sa.Column("added", WHEN(), nullable=False),
    )
    op.create_index("ix_collection_item_record", "collection_item", ["kind", "record_id"])
    op.create_table(
        "trash",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", STR(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("label", STR(), nullable=False),
        sa.Column("deleted", WHEN(), nullable=False),
        sa.Column("user", STR(), nullable=True),
        sa.Column("snapshot", sa.Text(), nullable=False),
    )
    op.create_index("ix_trash_record", "trash", ["kind", "record_id"])
    op.create_index("ix_trash_deleted", "trash", ["deleted"])
    op.create_table(
        "publication_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publication.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url", STR(), nullable=False),
        sa.Column("title", STR(), nullable=True),
        sa.Column("created", WHEN(), nullable=False),
    )
    op.create_index("ix_publication_link_publication_id", "publication_link", ["publication_id"])


def downgrade() -> None:
    op.drop_table("publication_link")
    op.drop_table("trash")
    op.drop_table("collection_item")
    op.drop_table("collection")
    op.drop_table("publication_relation")
    op.drop_table("note")
