"""import batches and their items, so an import can be undone

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("started", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("finished", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("user", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=True),
        sa.Column("counts", sa.Text(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("undone", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_table(
        "import_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("op", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
    )
    op.create_index("ix_import_item_batch_id", "import_item", ["batch_id"])
    op.create_index("ix_import_item_kind_record", "import_item", ["kind", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_import_item_kind_record", table_name="import_item")
    op.drop_index("ix_import_item_batch_id", table_name="import_item")
    op.drop_table("import_item")
    op.drop_table("import_batch")
