"""The incidents resource: GET /incidents (the filters and formats of /events, GeoJSON included) and
GET /incidents/{incident_id} with its mentions and sources.

A listing gives each incident without its mentions (its counts, sources and consolidated figures are
there); one incident gives everything, mentions included. `min_sources` keeps the incidents reported
by at least that many distinct sources. Events' `min_confidence` has no meaning for an incident.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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
from services.store.db import IncidentRow

TABLE = IncidentRow.__table__
QUERY = KeysetQuery(TABLE, "occurred_at", "incident_id")  # type: ignore[arg-type]


@dataclass(frozen=True)
class IncidentFilter(ListingFilter):
    table: ClassVar[Table] = TABLE  # type: ignore[assignment]
    own: ClassVar[tuple[str, ...]] = ("min_sources",)

    min_sources: int | None = None

    @classmethod
    def extras(cls, query: Mapping[str, str]) -> dict[str, Any]:
        return {"min_sources": params.integer(query, "min_sources", hi=1_000_000)}

    def extra_conditions(self, c: ColumnCollection[str, Any]) -> list[ColumnElement[bool]]:
        return [] if self.min_sources is None else [c.num_sources >= self.min_sources]


FILTERS = IncidentFilter.names()


def _figure(kind: str) -> Column:
    def get(record: Record) -> int | None:
        return next((f["value"] for f in record.get("quantities") or [] if f.get("kind") == kind), None)

    return Column(kind, pa.int64(), get)


def summary(record: Record) -> Record:
    """An incident as a listing shows it: everything but its mentions."""
    return {k: v for k, v in record.items() if k != "mentions"}


SHAPE = Shape(
    collection="incidents",
    id_field="incident_id",
    geometry=point,
    columns=[
        Column("incident_id", pa.string(), path("incident_id")),
        Column("version", pa.int64(), path("version")),
        Column("event_type", pa.string(), path("event_type")),
        Column("mode", pa.string(), path("mode")),
        *SIDES_AND_PLACE,
        Column("date", pa.string(), path("date")),
        Column("first_seen", pa.string(), path("first_seen")),
        Column("last_seen", pa.string(), path("last_seen")),
        Column("num_mentions", pa.int64(), path("num_mentions")),
        Column("num_articles", pa.int64(), path("num_articles")),
        Column("num_sources", pa.int64(), path("num_sources")),
        Column("sources", pa.string(), lambda r: "; ".join(r.get("sources") or []) or None),
        _figure("killed"),
        _figure("injured"),
        _figure("detained"),
        _figure("displaced"),
    ],
)


router = APIRouter()


@router.get("/incidents", summary="Query and export incidents (one real-world event, many reports)",
            response_model=None)  # fmt: skip
async def list_incidents(
    request: Request,
    event_type: str | None = doc("PLOVER types, comma-separated"),
    mode: str | None = doc("PLOVER modes, comma-separated"),
    country: str | None = doc("ISO3 of the incident's place, comma-separated"),
    actor_country: str | None = doc("ISO3 of the actor, comma-separated"),
    recipient_country: str | None = doc("ISO3 of the recipient, comma-separated"),
    datetime: str | None = doc("RFC 3339 interval start/end, `..` for an open end, on the incident's time "
                                "or else when it was first seen"),
    updated_since: str | None = doc("RFC 3339: created or changed at or after"),
    bbox: str | None = doc("minLon,minLat,maxLon,maxLat (CRS84; minLon > maxLon crosses the antimeridian)"),
    min_killed: str | None = doc("consolidated killed at least this"),
    min_sources: str | None = doc("reported by at least this many distinct sources"),
    q: str | None = doc("text in the evidence of any mention: a substring, case ignored"),
    limit: str | None = doc(f"page size, default {DEFAULT_LIMIT}, at most {MAX_LIMIT}"),
    cursor: str | None = doc("opaque keyset cursor from `next`"),
    f: str | None = doc("json | geojson | csv | ndjson | parquet"),
) -> Response:  # fmt: skip
    return await listing(request, IncidentFilter, QUERY, SHAPE, summary)


@router.get("/incidents/{incident_id}", summary="One incident with its mentions and sources, or 404",
            response_model=None)  # fmt: skip
async def get_incident(request: Request, incident_id: str) -> Response:
    found = None if len(incident_id) > 64 else await QUERY.one(request.app.state.engine, incident_id)
    if found is None:
        return JSONResponse(
            {"error": "not_found", "detail": f"no incident {incident_id[:64]}"}, status_code=404
        )
    return JSONResponse(found)
