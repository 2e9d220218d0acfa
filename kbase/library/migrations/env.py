"""Alembic environment: runs on the connection Kbase hands over."""

from alembic import context
from sqlmodel import SQLModel

from kbase.library import models  # noqa: F401  (registers the tables)

connection = context.config.attributes.get("connection")
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
