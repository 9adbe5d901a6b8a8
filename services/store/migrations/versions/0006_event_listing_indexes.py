"""Covering indexes for GET /events: the listing order (occurred_at, event_id) with every filter column,
so that a filter checked while scanning in order never reads the table; and updated_at with the order
columns, so `updated_since` sorts from the index alone. Measured by bench/bench_query.py.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LISTING_FILTER_COLUMNS = [
    "event_type", "mode", "country", "actor_country", "recipient_country", "killed", "confidence", "lat",
    "lon", "updated_at",
]  # fmt: skip


def upgrade() -> None:
    op.drop_index("ix_events_occurred", table_name="events")
    op.drop_index("ix_events_updated", table_name="events")
    op.create_index("ix_events_listing", "events", ["occurred_at", "event_id", *LISTING_FILTER_COLUMNS])
    op.create_index("ix_events_updated_occurred", "events", ["updated_at", "occurred_at", "event_id"])


def downgrade() -> None:
    op.drop_index("ix_events_updated_occurred", table_name="events")
    op.drop_index("ix_events_listing", table_name="events")
    op.create_index("ix_events_updated", "events", ["updated_at", "event_id"])
    op.create_index("ix_events_occurred", "events", ["occurred_at", "event_id"])
