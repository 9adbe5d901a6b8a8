"""Incidents in the database: the incident rows, which event is in which incident, and the match index.

- `incidents`: one row per incident, its full JSON and a `version` used for optimistic updates (an
  update names the version it read; a row changed meanwhile makes it fail and the event is retried);
- `incident_mentions`: event id → incident id, the primary key that makes each event count once;
- `incident_keys`: (type group, day, country) → incident, the buckets candidates are read from, so
  matching reads the incidents of a few days, never the whole table.
Same code on SQLite and PostgreSQL; the tables are declared with the store's (services/store/db.py)
and made by its migrations (`newswire db upgrade`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from schemas import Incident
from services.store.db import IncidentKeyRow, IncidentMentionRow, IncidentRow, _insert


class StaleIncident(Exception):
    """The incident changed (or was created) since it was read: resolve the event again."""


EVIDENCE_CHARS = 20_000  # the mentions' sentences kept for text search (`q`)


def _utc(when: datetime | None) -> datetime | None:
    return None if when is None else when.astimezone(UTC)


def _values(incident: Incident) -> dict[str, Any]:
    where, actor, recipient = incident.location, incident.actor, incident.recipient
    killed = next((f.value for f in incident.quantities if f.kind == "killed"), None)
    start = incident.time.start if incident.time is not None else None
    occurred = start if start is not None and start.tzinfo is not None else incident.first_seen
    return {
        "mode": incident.mode,
        "actor_country": actor.country if actor else None,
        "recipient_country": recipient.country if recipient else None,
        "lat": where.lat if where else None,
        "lon": where.lon if where else None,
        "killed": killed,
        "occurred_at": _utc(occurred or incident.updated_at),
        "evidence": "\n".join(m.evidence.text for m in incident.mentions)[:EVIDENCE_CHARS],
        "incident_id": incident.incident_id,
        "version": incident.version,
        "event_type": incident.event_type,
        "country": incident.location.country if incident.location else None,
        "date": incident.date,
        "num_sources": incident.num_sources,
        "num_articles": incident.num_articles,
        "first_seen": incident.first_seen,
        "last_seen": incident.last_seen,
        "payload": incident.model_dump(mode="json"),
        "updated_at": incident.updated_at,
    }


async def incident_of_event(engine: AsyncEngine, event_id: str) -> Incident | None:
    """The incident an event is already in (a redelivered event), if any."""
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(IncidentRow.payload)
                .join(IncidentMentionRow, IncidentMentionRow.incident_id == IncidentRow.incident_id)
                .where(IncidentMentionRow.event_id == event_id)
            )
        ).scalar_one_or_none()
    return None if row is None else Incident.model_validate(row)


async def candidates(
    engine: AsyncEngine, type_group: str, days: range, countries: Sequence[str] | None
) -> list[Incident]:
    """Incidents filed under the type group on any of the days (and one of the countries, when given)."""
    if not days:
        return []
    keys = select(IncidentKeyRow.incident_id).where(
        IncidentKeyRow.type_group == type_group, IncidentKeyRow.day.between(days.start, days.stop - 1)
    )
    if countries is not None:
        keys = keys.where(IncidentKeyRow.country.in_(list(countries)))
    query = select(IncidentRow.payload).where(IncidentRow.incident_id.in_(keys.distinct()))
    async with engine.connect() as conn:
        rows = (await conn.execute(query.order_by(IncidentRow.incident_id))).scalars().all()
    return [Incident.model_validate(r) for r in rows]


async def save(
    engine: AsyncEngine,
    incident: Incident,
    event_id: str,
    article_id: str,
    keys: Iterable[tuple[int, str, str]],
) -> None:
    """Write a new or changed incident with its new mention and index keys, in one transaction.

    Raises StaleIncident if another writer got there first (the version moved, or the incident or the
    mention exists already); nothing is written then.
    """
    async with engine.begin() as conn:
        try:
            if incident.version == 1:
                await conn.execute(_insert(engine, IncidentRow.__table__).values(**_values(incident)))
            else:
                result = await conn.execute(
                    update(IncidentRow)
                    .where(
                        IncidentRow.incident_id == incident.incident_id,
                        IncidentRow.version == incident.version - 1,
                    )
                    .values(**_values(incident))
                )
                if result.rowcount != 1:
                    raise StaleIncident(f"{incident.incident_id} changed since it was read")
            await conn.execute(
                _insert(engine, IncidentMentionRow.__table__).values(
                    event_id=event_id, incident_id=incident.incident_id, article_id=article_id
                )
            )
            rows = [
                {"type_group": g, "day": d, "country": c, "incident_id": incident.incident_id}
                for d, g, c in set(keys)
            ]
            if rows:
                stmt = _insert(engine, IncidentKeyRow.__table__).on_conflict_do_nothing()
                await conn.execute(stmt, rows)
        except IntegrityError as exc:
            raise StaleIncident(f"{incident.incident_id} or event {event_id} written meanwhile") from exc


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        incidents = (await conn.execute(select(func.count()).select_from(IncidentRow))).scalar_one()
        mentions = (await conn.execute(select(func.count()).select_from(IncidentMentionRow))).scalar_one()
    return {"incidents": int(incidents), "incident_mentions": int(mentions)}
