"""OCR: page texts say where they came from (text layer or OCR), and a queue of documents awaiting OCR

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("page_text") as batch:
        batch.add_column(sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False,
                                   server_default="text"))
    op.create_table(
        "ocr_job",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("attachment_id", sa.Integer(), sa.ForeignKey("attachment.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("pages", sa.Text(), nullable=False),
        sa.Column("pages_total", sa.Integer(), nullable=False),
        sa.Column("pages_done", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("updated", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_ocr_job_attachment_id", "ocr_job", ["attachment_id"], unique=True)
    op.create_index("ix_ocr_job_status", "ocr_job", ["status"])


def downgrade() -> None:
    op.drop_index("ix_ocr_job_status", table_name="ocr_job")
    op.drop_index("ix_ocr_job_attachment_id", table_name="ocr_job")
    op.drop_table("ocr_job")
    with op.batch_alter_table("page_text") as batch:
        batch.drop_column("source")
