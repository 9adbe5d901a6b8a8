"""The filters GET /events and GET /incidents share: their values, their parsing from the query string
and their SQL conditions, in one base; and the listing route both run (parameters checked, the keyset
page read, the format answered).

A resource subclasses `ListingFilter` with its table, the names of its own parameters, and the parsing
(`extras`) and conditions (`extra_conditions`) of those only. The table has the query columns both
tables carry: event_type, mode, country, actor_country, recipient_country, occurred_at, updated_at,
lat, lon, killed and evidence (`q`, searched by services/store/search.py through the keyset query).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self

from fastapi import Query, Request
from fastapi.responses import Response
from sqlalchemy import ColumnElement, Table, and_, or_
from sqlalchemy.sql.expression import ColumnCollection

from schemas.vocab import EVENT_TYPES
from services.api import params
from services.api.formats import FORMATS, Record, Shape, response
from services.api.query import KeysetQuery

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
ACCESS = ("api_key",)
PAGING = ("limit", "cursor", "f")
COMMON = (
    "event_type", "mode", "country", "actor_country", "recipient_country", "datetime", "updated_since",
    "bbox", "min_killed", "q",
)  # fmt: skip


@dataclass(frozen=True)
class ListingFilter:
    table: ClassVar[Table]
    own: ClassVar[tuple[str, ...]] = ()  # the names of a resource's own parameters

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

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every filter parameter of the resource."""
        return (*COMMON, *cls.own)

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Self:
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
            q=params.search_text(query, "q"),
            **cls.extras(query),
        )

    @classmethod
    def extras(cls, query: Mapping[str, str]) -> dict[str, Any]:
        """The resource's own parameters, parsed: field name → value."""
        return {}

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL for every filter but `q` (which the keyset query searches, choosing its plan)."""
        c = self.table.c
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
        return out + self.extra_conditions(c)

    def extra_conditions(self, c: ColumnCollection[str, Any]) -> list[ColumnElement[bool]]:
        """SQL for the resource's own parameters."""
        return []


def doc(description: str) -> Any:
    """A route parameter's description for the OpenAPI document (parsing is `ListingFilter`'s)."""
    return Query(None, description=description)


def next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


async def listing(
    request: Request,
    kind: type[ListingFilter],
    query_: KeysetQuery,
    shape: Shape,
    row: Callable[[Record], Record] = lambda r: r,
) -> Response:
    """A listing route: the parameters checked, the first or next page read, answered in format `f`."""
    query = request.query_params
    params.check_known(query, (*kind.names(), *PAGING, *ACCESS))
    fmt = params.one(query, "f") or "json"
    if fmt not in FORMATS:
        raise params.BadParameter("f", f"one of {', '.join(FORMATS)}")
    size = params.integer(query, "limit", DEFAULT_LIMIT, lo=1, hi=MAX_LIMIT)
    found = kind.parse(query)
    page = await query_.page(request.app.state.engine, found.conditions(), limit=size or DEFAULT_LIMIT,
                             after=params.decode_cursor(query), search=found.q)  # fmt: skip
    rows = [row(r) for r in page.rows]
    return response(fmt, shape, rows, page.next_cursor, next_url(request, page.next_cursor))
