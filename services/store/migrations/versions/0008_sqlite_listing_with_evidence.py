"""SQLite: the listing order with every filter column and the evidence (`ix_events_listing_text`), so
that `q` checked row by row in listing order (services/store/search.py) reads the evidence from the
index instead of the table: about five times fewer reads for a q on 2 % of the rows. PostgreSQL keeps
its trigram index; a b-tree there would refuse an evidence longer than its entry size limit.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = [
    "occurred_at", "event_id", "event_type", "mode", "country", "actor_country", "recipient_country",
    "killed", "confidence", "lat", "lon", "updated_at", "evidence",
]  # fmt: skip


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index("ix_events_listing_text", "events", COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_events_listing_text", table_name="events")
