"""Articles and events: the schema `create_all` made before migrations (revision 1).

A database made by that older code already has these tables and no `alembic_version`: they are
kept as they are, and the database is stamped at this revision.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "articles" not in existing:
        op.create_table(
            "articles",
            sa.Column("article_id", sa.String(64), primary_key=True),
            sa.Column("url", sa.Text(), nullable=False),
            sa.Column("canonical_url", sa.Text(), nullable=False),
            sa.Column("title", sa.Text(), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("language", sa.String(16), nullable=True),
            sa.Column("sitename", sa.Text(), nullable=True),
            sa.Column("authors", sa.JSON(), nullable=False),
            sa.Column("content_hash", sa.String(128), nullable=False),
            sa.Column("duplicate_of", sa.String(64), nullable=True),
            sa.Column("payload", sa.JSON(), nullable=False),
            sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        )
    if "events" not in existing:
        op.create_table(
            "events",
            sa.Column("event_id", sa.String(64), primary_key=True),
            sa.Column("article_id", sa.String(64), nullable=False),
            sa.Column("event_type", sa.String(32), nullable=False),
            sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("evidence", sa.Text(), nullable=False),
            sa.Column("payload", sa.JSON(), nullable=False),
            sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        )
        op.create_index("ix_events_article", "events", ["article_id"])
        op.create_index("ix_events_type", "events", ["event_type"])


def downgrade() -> None:
    op.drop_table("events")
    op.drop_table("articles")
