"""The events resource: its filters (as SQL for /events, as a predicate for /stream), its export shape,
and the routes GET /events and GET /events/{event_id}."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import ColumnElement, and_, or_

from schemas.vocab import EVENT_TYPES
from services.api import params
from services.api.formats import FORMATS, Column, Record, Shape, response
from services.api.query import KeysetQuery
from services.store import search
from services.store.db import EventRow

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
FILTERS = (
    "event_type", "mode", "country", "actor_country", "recipient_country", "datetime", "updated_since",
    "bbox", "min_killed", "q", "min_confidence",
)  # fmt: skip
ACCESS = ("api_key",)
TABLE = EventRow.__table__
QUERY = KeysetQuery(TABLE, "occurred_at", "event_id")  # type: ignore[arg-type]


@dataclass(frozen=True)
class EventFilter:
    types: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    actor_countries: tuple[str, ...] = ()
    recipient_countries: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    updated_since: datetime | None = None
    bbox: params.BBox | None = None
    min_killed: int | None = None
    q: str | None = None
    min_confidence: float | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> EventFilter:
        start, end = params.interval(query, "datetime")
        since = params.one(query, "updated_since")
        return cls(
            types=params.words(query, "event_type", EVENT_TYPES),
            modes=params.words(query, "mode"),
            countries=params.countries(query, "country"),
            actor_countries=params.countries(query, "actor_country"),
            recipient_countries=params.countries(query, "recipient_country"),
            start=start,
            end=end,
            updated_since=None if since is None else params.instant("updated_since", since),
            bbox=params.bbox(query),
            min_killed=params.integer(query, "min_killed", hi=1_000_000_000),
            q=params.one(query, "q"),
            min_confidence=params.number(query, "min_confidence", lo=0.0, hi=1.0),
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        c = TABLE.c
        out: list[ColumnElement[bool]] = []
        for column, values in ((c.event_type, self.types), (c.mode, self.modes), (c.country, self.countries),
                               (c.actor_country, self.actor_countries),
                               (c.recipient_country, self.recipient_countries)):  # fmt: skip
            if values:
                out.append(column == values[0] if len(values) == 1 else column.in_(values))
        if self.start is not None:
            out.append(c.occurred_at >= self.start)
        if self.end is not None:
            out.append(c.occurred_at <= self.end)
        if self.updated_since is not None:
            out.append(c.updated_at >= self.updated_since)
        if self.bbox is not None:
            b = self.bbox
            lon: ColumnElement[bool] = c.lon.between(b.west, b.east)
            if b.crosses_antimeridian:
                lon = or_(c.lon >= b.west, c.lon <= b.east)
            out.append(and_(c.lat.between(b.south, b.north), lon))
        if self.min_killed is not None:
            out.append(c.killed >= self.min_killed)
        if self.min_confidence is not None:
            out.append(c.confidence >= self.min_confidence)
        return out

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


def _path(*keys: str) -> Any:
    def get(event: Record) -> Any:
        value: Any = event
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return get


def _name(key: str) -> Any:
    """The resolved name of an actor, recipient or place, else its words in the text."""
    return lambda e: _path(key, "name")(e) or _path(key, "text")(e)


def geometry(event: Record) -> dict[str, Any] | None:
    where = event.get("location") or {}
    if where.get("lat") is None or where.get("lon") is None:
        return None
    return {"type": "Point", "coordinates": [where["lon"], where["lat"]]}


SHAPE = Shape(
    collection="events",
    id_field="event_id",
    geometry=geometry,
    columns=[
        Column("event_id", pa.string(), _path("event_id")),
        Column("event_type", pa.string(), _path("event_type")),
        Column("mode", pa.string(), _path("mode")),
        Column("actor", pa.string(), _name("actor")),
        Column("actor_country", pa.string(), _path("actor", "country")),
        Column("recipient", pa.string(), _name("recipient")),
        Column("recipient_country", pa.string(), _path("recipient", "country")),
        Column("place", pa.string(), _name("location")),
        Column("admin1", pa.string(), _path("location", "admin1")),
        Column("country", pa.string(), _path("location", "country")),
        Column("lat", pa.float64(), _path("location", "lat")),
        Column("lon", pa.float64(), _path("location", "lon")),
        Column("time", pa.string(), lambda e: _path("time", "start")(e) or e.get("published_at")),
        Column("published_at", pa.string(), _path("published_at")),
        _quantity("killed"),
        _quantity("injured"),
        _quantity("detained"),
        _quantity("displaced"),
        Column("claimant", pa.string(), _path("claimant")),
        Column("confidence", pa.float64(), _path("confidence")),
        Column("evidence", pa.string(), _path("evidence", "text")),
        Column("source_url", pa.string(), _path("source_url")),
        Column("article_id", pa.string(), _path("article_id")),
    ],
)


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


def _doc(description: str) -> Any:
    return Query(None, description=description)


router = APIRouter()


@router.get("/events", summary="Query and export stored events", response_model=None)
async def list_events(
    request: Request,
    event_type: str | None = _doc("PLOVER types, comma-separated"),
    mode: str | None = _doc("PLOVER modes, comma-separated"),
    country: str | None = _doc("ISO3 of the event's place, comma-separated"),
    actor_country: str | None = _doc("ISO3 of the actor, comma-separated"),
    recipient_country: str | None = _doc("ISO3 of the recipient, comma-separated"),
    datetime: str | None = _doc("RFC 3339 interval start/end, `..` for an open end, on the event's time "
                                "or else its publication time"),
    updated_since: str | None = _doc("RFC 3339: stored or updated at or after"),
    bbox: str | None = _doc("minLon,minLat,maxLon,maxLat (CRS84; minLon > maxLon crosses the antimeridian)"),
    min_killed: str | None = _doc("at least this many killed"),
    q: str | None = _doc("text in the evidence sentence: a substring, case ignored"),
    min_confidence: str | None = _doc("0..1"),
    limit: str | None = _doc(f"page size, default {DEFAULT_LIMIT}, at most {MAX_LIMIT}"),
    cursor: str | None = _doc("opaque keyset cursor from `next`"),
    f: str | None = _doc("json | geojson | csv | ndjson | parquet"),
) -> Response:  # fmt: skip
    query = request.query_params
    params.check_known(query, (*FILTERS, "limit", "cursor", "f", *ACCESS))
    fmt = params.one(query, "f") or "json"
    if fmt not in FORMATS:
        raise params.BadParameter("f", f"one of {', '.join(FORMATS)}")
    size = params.integer(query, "limit", DEFAULT_LIMIT, lo=1, hi=MAX_LIMIT)
    found = EventFilter.parse(query)
    page = await QUERY.page(request.app.state.engine, found.conditions(), limit=size or DEFAULT_LIMIT,
                            after=params.decode_cursor(query), search=found.q)  # fmt: skip
    return response(fmt, SHAPE, page.rows, page.next_cursor, next_url(request, page.next_cursor))


@router.get("/events/{event_id}", summary="One event as JSON, or 404", response_model=None)
async def get_event(request: Request, event_id: str) -> Response:
    if len(event_id) > 64:
        return JSONResponse({"error": "not_found", "detail": "no such event"}, status_code=404)
    found = await QUERY.one(request.app.state.engine, event_id)
    if found is None:
        return JSONResponse({"error": "not_found", "detail": f"no event {event_id}"}, status_code=404)
    return JSONResponse(found)
