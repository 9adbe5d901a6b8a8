"""Query columns on incidents (mode, actor/recipient country, lat/lon, consolidated killed, the time
listings sort on, the mentions' evidence for text search) and the indexes GET /incidents reads.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def query_columns() -> tuple[sa.Column[object], ...]:
    """Fresh column objects each time: a Column belongs to the table it is added to."""
    return (
        sa.Column("mode", sa.String(32), nullable=True),
        sa.Column("actor_country", sa.String(8), nullable=True),
        sa.Column("recipient_country", sa.String(8), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("killed", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=True),
    )


INDEXES = {
    "ix_incidents_occurred": ["occurred_at", "incident_id"],
    "ix_incidents_type_occurred": ["event_type", "occurred_at", "incident_id"],
    "ix_incidents_country_occurred": ["country", "occurred_at", "incident_id"],
    "ix_incidents_updated": ["updated_at", "incident_id"],
}


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        for column in query_columns():
            batch.add_column(column)
    # rows written before: sortable by when they were last written; filters fill in on their next update
    op.execute("UPDATE incidents SET occurred_at = updated_at WHERE occurred_at IS NULL")
    for name, columns in INDEXES.items():
        op.create_index(name, "incidents", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        for column in query_columns():
            batch.drop_column(column.name)
