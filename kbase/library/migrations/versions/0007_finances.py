"""finances: a year's income by source and expenses by category, for the annual report

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finance_line",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), sa.ForeignKey("organisation.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.UniqueConstraint("year", "kind", "label"),
    )
    op.create_index("ix_finance_line_year", "finance_line", ["year"])


def downgrade() -> None:
    op.drop_index("ix_finance_line_year", table_name="finance_line")
    op.drop_table("finance_line")
