"""A filtered keyset query over any table sorted newest first by (time column, id column).

A resource (events, incidents) gives its table, its two sort columns and its SQL conditions, and the
text `q` searches for (services/store/search.py, which needs the connection to choose its plan);
`page` returns at most `limit` payloads and the cursor of the next page. The cursor is the last row's
sort key, so a page is an index range read whatever the depth, and rows added meanwhile never shift it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from services.api.params import encode_cursor
from services.store import search as text_search


@dataclass(frozen=True)
class Page:
    rows: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class KeysetQuery:
    table: Table
    time_column: str
    id_column: str
    payload_column: str = "payload"
    search_column: str = "evidence"

    async def page(
        self,
        engine: AsyncEngine,
        conditions: Sequence[ColumnElement[bool]],
        *,
        limit: int,
        after: tuple[datetime, str] | None = None,
        search: str | None = None,
    ) -> Page:
        when, key = self.table.c[self.time_column], self.table.c[self.id_column]
        stmt = select(self.table.c[self.payload_column], when, key).where(*conditions)
        if after is not None:
            stmt = stmt.where(tuple_(when, key) < tuple_(after[0], after[1]))
        stmt = stmt.order_by(when.desc(), key.desc()).limit(limit + 1)
        async with engine.connect() as conn:
            if search is not None:
                found = await text_search.condition(conn, self.table, self.search_column, search)
                stmt = stmt.where(found)
            rows = (await conn.execute(stmt)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = None
        if more and rows:
            last_when = rows[-1][1]
            last_when = last_when.replace(tzinfo=UTC) if last_when.tzinfo is None else last_when
            cursor = encode_cursor([last_when.isoformat(), rows[-1][2]])
        return Page([dict(r[0]) for r in rows], cursor)

    async def one(self, engine: AsyncEngine, key: str) -> dict[str, Any] | None:
        stmt = select(self.table.c[self.payload_column]).where(self.table.c[self.id_column] == key)
        async with engine.connect() as conn:
            found = (await conn.execute(stmt)).scalar_one_or_none()
        return None if found is None else dict(found)
