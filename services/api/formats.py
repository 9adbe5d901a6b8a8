"""Writers of a page of records in each export format, for any resource.

A resource describes itself with a `Shape`: the key of its JSON list, flat columns for CSV and
Parquet (name, Arrow type, getter), and a GeoJSON geometry getter; `path`, `name` and `point` are the
getters both resources use.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.responses import Response

FORMATS = ("json", "geojson", "csv", "ndjson", "parquet")
MEDIA_TYPES = {
    "json": "application/json",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}

Record = dict[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    arrow_type: pa.DataType
    get: Callable[[Record], Any]


@dataclass(frozen=True)
class Shape:
    collection: str  # key of the list in the JSON format: "events"
    id_field: str
    columns: Sequence[Column]
    geometry: Callable[[Record], dict[str, Any] | None]


def path(*keys: str) -> Callable[[Record], Any]:
    """A getter of a nested value (None where a key is missing)."""

    def get(record: Record) -> Any:
        value: Any = record
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return get


def name(key: str) -> Callable[[Record], Any]:
    """The resolved name of an actor, recipient or place, else its words in the text."""
    return lambda r: path(key, "name")(r) or path(key, "text")(r)


# the flat columns events and incidents share: who acted on whom, and where
SIDES_AND_PLACE = (
    Column("actor", pa.string(), name("actor")),
    Column("actor_country", pa.string(), path("actor", "country")),
    Column("recipient", pa.string(), name("recipient")),
    Column("recipient_country", pa.string(), path("recipient", "country")),
    Column("place", pa.string(), name("location")),
    Column("admin1", pa.string(), path("location", "admin1")),
    Column("country", pa.string(), path("location", "country")),
    Column("lat", pa.float64(), path("location", "lat")),
    Column("lon", pa.float64(), path("location", "lon")),
)


def point(record: Record) -> dict[str, Any] | None:
    """The GeoJSON point of a record's `location`, if it has coordinates."""
    where = record.get("location") or {}
    if where.get("lat") is None or where.get("lon") is None:
        return None
    return {"type": "Point", "coordinates": [where["lon"], where["lat"]]}


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def render(fmt: str, shape: Shape, records: list[Record], next_cursor: str | None) -> bytes:
    if fmt == "json":
        return _json({shape.collection: records, "next": next_cursor})
    if fmt == "geojson":
        features = [
            {"type": "Feature", "id": r.get(shape.id_field), "geometry": shape.geometry(r), "properties": r}
            for r in records
        ]
        return _json({"type": "FeatureCollection", "features": features, "next": next_cursor})
    if fmt == "ndjson":
        return b"".join(_json(r) + b"\n" for r in records)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([c.name for c in shape.columns])
        for r in records:
            writer.writerow(["" if (v := c.get(r)) is None else v for c in shape.columns])
        return out.getvalue().encode()
    if fmt == "parquet":
        schema = pa.schema([(c.name, c.arrow_type) for c in shape.columns])
        table = pa.Table.from_pylist([{c.name: c.get(r) for c in shape.columns} for r in records], schema)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return sink.getvalue()
    raise ValueError(fmt)


def response(fmt: str, shape: Shape, records: list[Record], next_cursor: str | None,
             next_url: str | None) -> Response:  # fmt: skip
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    if fmt in ("csv", "parquet"):
        headers["Content-Disposition"] = f'attachment; filename="{shape.collection}.{fmt}"'
    body = render(fmt, shape, records, next_cursor)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
