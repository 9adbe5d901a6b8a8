"""The events resource: its filters (as SQL for /events, as a predicate for /stream), its export shape,
and the routes GET /events and GET /events/{event_id}."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import pyarrow as pa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import ColumnElement, Table
from sqlalchemy.sql.expression import ColumnCollection

from services.api import params
from services.api.filters import DEFAULT_LIMIT, MAX_LIMIT, ListingFilter, doc, listing
from services.api.formats import SIDES_AND_PLACE, Column, Record, Shape, path, point
from services.api.query import KeysetQuery
from services.store import search
from services.store.db import EventRow

TABLE = EventRow.__table__
QUERY = KeysetQuery(TABLE, "occurred_at", "event_id")  # type: ignore[arg-type]


@dataclass(frozen=True)
class EventFilter(ListingFilter):
    table: ClassVar[Table] = TABLE  # type: ignore[assignment]
    own: ClassVar[tuple[str, ...]] = ("min_confidence",)

    min_confidence: float | None = None

    @classmethod
    def extras(cls, query: Mapping[str, str]) -> dict[str, Any]:
        return {"min_confidence": params.number(query, "min_confidence", lo=0.0, hi=1.0)}

    def extra_conditions(self, c: ColumnCollection[str, Any]) -> list[ColumnElement[bool]]:
        return [] if self.min_confidence is None else [c.confidence >= self.min_confidence]

    def matches(self, event: Record) -> bool:
        """The same filter on an Event's JSON, for the live stream (updated_since: every new entry is)."""
        where = event.get("location") or {}
        actor = event.get("actor") or {}
        recipient = event.get("recipient") or {}
        for values, value in ((self.types, event.get("event_type")), (self.modes, event.get("mode")),
                              (self.countries, where.get("country")),
                              (self.actor_countries, actor.get("country")),
                              (self.recipient_countries, recipient.get("country"))):  # fmt: skip
            if values and value not in values:
                return False
        if self.start is not None or self.end is not None:
            when = occurred(event)
            if when is None or (self.start and when < self.start) or (self.end and when > self.end):
                return False
        if self.bbox is not None:
            lat, lon = where.get("lat"), where.get("lon")
            if lat is None or lon is None or not self.bbox.contains(lon, lat):
                return False
        if self.min_killed is not None and (killed(event) or -1) < self.min_killed:
            return False
        evidence = (event.get("evidence") or {}).get("text")
        if self.q is not None and not search.contains(evidence, search.fold(self.q)):
            return False
        return self.min_confidence is None or float(event.get("confidence") or 0) >= self.min_confidence


FILTERS = EventFilter.names()


def occurred(event: Record) -> datetime | None:
    value = (event.get("time") or {}).get("start") or event.get("published_at")
    if not value:
        return None
    try:
        return params.instant("time", value)
    except params.BadParameter:
        return None


def killed(event: Record) -> int | None:
    values = [q["value"] for q in event.get("quantities") or [] if q.get("kind") == "killed"]
    return max(values) if values else None


def _quantity(kind: str) -> Column:
    def get(event: Record) -> int | None:
        values = [q["value"] for q in event.get("quantities") or [] if q.get("kind") == kind]
        return sum(values) if values else None

    return Column(kind, pa.int64(), get)


SHAPE = Shape(
    collection="events",
    id_field="event_id",
    geometry=point,
    columns=[
        Column("event_id", pa.string(), path("event_id")),
        Column("event_type", pa.string(), path("event_type")),
        Column("mode", pa.string(), path("mode")),
        *SIDES_AND_PLACE,
        Column("time", pa.string(), lambda e: path("time", "start")(e) or e.get("published_at")),
        Column("published_at", pa.string(), path("published_at")),
        _quantity("killed"),
        _quantity("injured"),
        _quantity("detained"),
        _quantity("displaced"),
        Column("claimant", pa.string(), path("claimant")),
        Column("confidence", pa.float64(), path("confidence")),
        Column("evidence", pa.string(), path("evidence", "text")),
        Column("source_url", pa.string(), path("source_url")),
        Column("article_id", pa.string(), path("article_id")),
    ],
)


router = APIRouter()


@router.get("/events", summary="Query and export stored events", response_model=None)
async def list_events(
    request: Request,
    event_type: str | None = doc("PLOVER types, comma-separated"),
    mode: str | None = doc("PLOVER modes, comma-separated"),
    country: str | None = doc("ISO3 of the event's place, comma-separated"),
    actor_country: str | None = doc("ISO3 of the actor, comma-separated"),
    recipient_country: str | None = doc("ISO3 of the recipient, comma-separated"),
    datetime: str | None = doc("RFC 3339 interval start/end, `..` for an open end, on the event's time "
                                "or else its publication time"),
    updated_since: str | None = doc("RFC 3339: stored or updated at or after"),
    bbox: str | None = doc("minLon,minLat,maxLon,maxLat (CRS84; minLon > maxLon crosses the antimeridian)"),
    min_killed: str | None = doc("at least this many killed"),
    q: str | None = doc("text in the evidence sentence: a substring, case ignored"),
    min_confidence: str | None = doc("0..1"),
    limit: str | None = doc(f"page size, default {DEFAULT_LIMIT}, at most {MAX_LIMIT}"),
    cursor: str | None = doc("opaque keyset cursor from `next`"),
    f: str | None = doc("json | geojson | csv | ndjson | parquet"),
) -> Response:  # fmt: skip
    return await listing(request, EventFilter, QUERY, SHAPE)


@router.get("/events/{event_id}", summary="One event as JSON, or 404", response_model=None)
async def get_event(request: Request, event_id: str) -> Response:
    if len(event_id) > 64:
        return JSONResponse({"error": "not_found", "detail": "no such event"}, status_code=404)
    found = await QUERY.one(request.app.state.engine, event_id)
    if found is None:
        return JSONResponse({"error": "not_found", "detail": f"no event {event_id}"}, status_code=404)
    return JSONResponse(found)
