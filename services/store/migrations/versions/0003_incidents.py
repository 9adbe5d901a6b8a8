"""Incidents: the incident rows, event → incident, and the match buckets (type group, day, country).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("country", sa.String(8), nullable=True),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("num_sources", sa.Integer(), nullable=False),
        sa.Column("num_articles", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_incidents_last_seen", "incidents", ["last_seen"])
    op.create_index("ix_incidents_type", "incidents", ["event_type"])
    op.create_table(
        "incident_mentions",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("article_id", sa.String(64), nullable=False),
    )
    op.create_index("ix_incident_mentions_incident", "incident_mentions", ["incident_id"])
    op.create_table(
        "incident_keys",
        sa.Column("type_group", sa.String(32), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("country", sa.String(8), primary_key=True),
        sa.Column("incident_id", sa.String(64), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("incident_keys")
    op.drop_table("incident_mentions")
    op.drop_table("incidents")
