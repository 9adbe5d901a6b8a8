"""The incidents resource: GET /incidents (the filters and formats of /events, GeoJSON included) and
GET /incidents/{incident_id} with its mentions and sources.

A listing gives each incident without its mentions (its counts, sources and consolidated figures are
there); one incident gives everything, mentions included. `min_sources` keeps the incidents reported
by at least that many distinct sources. Events' `min_confidence` has no meaning for an incident.
"""

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
from services.api.events import ACCESS, DEFAULT_LIMIT, MAX_LIMIT, next_url
from services.api.formats import FORMATS, Column, Record, Shape, response
from services.api.query import KeysetQuery
from services.store.db import IncidentRow

FILTERS = (
    "event_type", "mode", "country", "actor_country", "recipient_country", "datetime", "updated_since",
    "bbox", "min_killed", "min_sources", "q",
)  # fmt: skip
TABLE = IncidentRow.__table__
QUERY = KeysetQuery(TABLE, "occurred_at", "incident_id")  # type: ignore[arg-type]


@dataclass(frozen=True)
class IncidentFilter:
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
    min_sources: int | None = None
    q: str | None = None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> IncidentFilter:
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
            min_sources=params.integer(query, "min_sources", hi=1_000_000),
            q=params.one(query, "q"),
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
        if self.min_sources is not None:
            out.append(c.num_sources >= self.min_sources)
        return out


def _path(*keys: str) -> Any:
    def get(record: Record) -> Any:
        value: Any = record
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return get


def _name(key: str) -> Any:
    return lambda r: _path(key, "name")(r) or _path(key, "text")(r)


def _figure(kind: str) -> Column:
    def get(record: Record) -> int | None:
        return next((f["value"] for f in record.get("quantities") or [] if f.get("kind") == kind), None)

    return Column(kind, pa.int64(), get)


def geometry(record: Record) -> dict[str, Any] | None:
    where = record.get("location") or {}
    if where.get("lat") is None or where.get("lon") is None:
        return None
    return {"type": "Point", "coordinates": [where["lon"], where["lat"]]}


def summary(record: Record) -> Record:
    """An incident as a listing shows it: everything but its mentions."""
    return {k: v for k, v in record.items() if k != "mentions"}


SHAPE = Shape(
    collection="incidents",
    id_field="incident_id",
    geometry=geometry,
    columns=[
        Column("incident_id", pa.string(), _path("incident_id")),
        Column("version", pa.int64(), _path("version")),
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
        Column("date", pa.string(), _path("date")),
        Column("first_seen", pa.string(), _path("first_seen")),
        Column("last_seen", pa.string(), _path("last_seen")),
        Column("num_mentions", pa.int64(), _path("num_mentions")),
        Column("num_articles", pa.int64(), _path("num_articles")),
        Column("num_sources", pa.int64(), _path("num_sources")),
        Column("sources", pa.string(), lambda r: "; ".join(r.get("sources") or []) or None),
        _figure("killed"),
        _figure("injured"),
        _figure("detained"),
        _figure("displaced"),
    ],
)


def _doc(description: str) -> Any:
    return Query(None, description=description)


router = APIRouter()


@router.get("/incidents", summary="Query and export incidents (one real-world event, many reports)",
            response_model=None)  # fmt: skip
async def list_incidents(
    request: Request,
    event_type: str | None = _doc("PLOVER types, comma-separated"),
    mode: str | None = _doc("PLOVER modes, comma-separated"),
    country: str | None = _doc("ISO3 of the incident's place, comma-separated"),
    actor_country: str | None = _doc("ISO3 of the actor, comma-separated"),
    recipient_country: str | None = _doc("ISO3 of the recipient, comma-separated"),
    datetime: str | None = _doc("RFC 3339 interval start/end, `..` for an open end, on the incident's time "
                                "or else when it was first seen"),
    updated_since: str | None = _doc("RFC 3339: created or changed at or after"),
    bbox: str | None = _doc("minLon,minLat,maxLon,maxLat (CRS84; minLon > maxLon crosses the antimeridian)"),
    min_killed: str | None = _doc("consolidated killed at least this"),
    min_sources: str | None = _doc("reported by at least this many distinct sources"),
    q: str | None = _doc("text in the evidence of any mention: a substring, case ignored"),
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
    found = IncidentFilter.parse(query)
    page = await QUERY.page(request.app.state.engine, found.conditions(), limit=size or DEFAULT_LIMIT,
                            after=params.decode_cursor(query), search=found.q)  # fmt: skip
    rows = [summary(r) for r in page.rows]
    return response(fmt, SHAPE, rows, page.next_cursor, next_url(request, page.next_cursor))


@router.get("/incidents/{incident_id}", summary="One incident with its mentions and sources, or 404",
            response_model=None)  # fmt: skip
async def get_incident(request: Request, incident_id: str) -> Response:
    found = None if len(incident_id) > 64 else await QUERY.one(request.app.state.engine, incident_id)
    if found is None:
        return JSONResponse(
            {"error": "not_found", "detail": f"no incident {incident_id[:64]}"}, status_code=404
        )
    return JSONResponse(found)
