"""the change log becomes a history: who, which fields (old and new), a checksum chain (issue 19)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("change") as batch:
        batch.add_column(sa.Column("db_user", STR(), nullable=True))
        batch.add_column(sa.Column("user", STR(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fields", sa.Text(), nullable=True))
        batch.add_column(sa.Column("secret", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("checksum", STR(), nullable=True))
    op.create_index("ix_change_record", "change", ["kind", "record_id"])


def downgrade() -> None:
    op.drop_index("ix_change_record", "change")
    with op.batch_alter_table("change") as batch:
        for name in ("checksum", "secret", "fields", "version", "user", "db_user"):
            batch.drop_column(name)
