"""Alembic environment: runs on the connection `services.store.db.upgrade` hands over (SQLite or
PostgreSQL, through the async engine's sync bridge), never on a URL of its own."""

from __future__ import annotations

from alembic import context

from services.store.db import Base, include_name

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_name=include_name,  # not the text-search objects of revision 0007
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
