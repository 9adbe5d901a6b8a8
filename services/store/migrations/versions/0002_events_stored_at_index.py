"""Index events by `stored_at`: the newest events (the demo, `recent_events`) without a full scan.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_stored_at", "events", ["stored_at"])


def downgrade() -> None:
    op.drop_index("ix_events_stored_at", table_name="events")
