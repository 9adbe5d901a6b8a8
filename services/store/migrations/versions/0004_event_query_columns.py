"""Query columns on events (mode, place/actor/recipient country, lat/lon, killed, confidence, the time
listings sort on, when the row was last written) and the indexes GET /events reads, filled in for
rows stored before.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("mode", sa.String(32), nullable=True),
    sa.Column("country", sa.String(3), nullable=True),
    sa.Column("actor_country", sa.String(3), nullable=True),
    sa.Column("recipient_country", sa.String(3), nullable=True),
    sa.Column("lat", sa.Float(), nullable=True),
    sa.Column("lon", sa.Float(), nullable=True),
    sa.Column("killed", sa.Integer(), nullable=True),
    sa.Column("confidence", sa.Float(), nullable=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
)
INDEXES = {
    "ix_events_occurred": ["occurred_at", "event_id"],
    "ix_events_type_occurred": ["event_type", "occurred_at", "event_id"],
    "ix_events_country_occurred": ["country", "occurred_at", "event_id"],
    "ix_events_actor_country_occurred": ["actor_country", "occurred_at", "event_id"],
    "ix_events_recipient_country_occurred": ["recipient_country", "occurred_at", "event_id"],
    "ix_events_updated": ["updated_at", "event_id"],
    "ix_events_killed_occurred": ["killed", "occurred_at", "event_id"],
}


def _backfill() -> None:
    from pydantic import ValidationError

    from schemas import Event
    from services.store.db import query_columns

    bind = op.get_bind()
    events = sa.table(
        "events",
        sa.column("event_id"),
        sa.column("payload", sa.JSON()),
        sa.column("stored_at", sa.DateTime(timezone=True)),
        *(sa.column(c.name, c.type) for c in COLUMNS),
    )
    rows = bind.execute(sa.select(events.c.event_id, events.c.payload, events.c.stored_at)).all()
    for event_id, payload, stored_at in rows:
        try:
            values = query_columns(Event.model_validate(payload))
        except ValidationError:  # a payload of an older shape: sortable, not filterable
            values = {}
        values["occurred_at"] = values.get("occurred_at") or stored_at
        values["updated_at"] = stored_at
        bind.execute(sa.update(events).where(events.c.event_id == event_id).values(**values))


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        for column in COLUMNS:
            batch.add_column(column._copy())
    _backfill()
    for name, columns in INDEXES.items():
        op.create_index(name, "events", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="events")
    with op.batch_alter_table("events") as batch:
        for column in COLUMNS:
            batch.drop_column(column.name)
