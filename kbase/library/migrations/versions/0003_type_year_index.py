"""publication (type, year) index for the common type + year-range filter

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_publication_type_year", "publication", ["type", "year"])


def downgrade() -> None:
    op.drop_index("ix_publication_type_year", table_name="publication")
