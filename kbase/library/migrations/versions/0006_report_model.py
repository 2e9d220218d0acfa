"""the report's model: assignment titles, parent organisations, output funders, event organisers and hosts, series parents, people's roles over time

Revision ID: 0006
Revises: 0005
"""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
