"""The database: tables, schema creation (`newswire db upgrade`), idempotent upserts and counts.

Rows are keyed by the deterministic message ids, so a redelivered message overwrites its own row
instead of adding one. Works on SQLite (aiosqlite) and PostgreSQL (asyncpg) with the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Index, String, Text, event, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemas import Article, Event

SCHEMA_REVISION = 1
SCHEMA_LOCK_KEY = 0x6E657773  # "news": the advisory lock store replicas take to create the schema


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class ArticleRow(Base):
    __tablename__ = "articles"

    article_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(16))
    sitename: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]]
    content_hash: Mapped[str] = mapped_column(String(128))
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EventRow(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_article", "article_id"), Index("ix_events_type", "event_type"))

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evidence: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _wal(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets readers (newswire stats) run beside the store's writes
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=5)


async def upgrade(engine: AsyncEngine) -> None:
    """Create the tables and indexes that do not exist yet (idempotent, and safe for store replicas
    starting together: on PostgreSQL they take turns on an advisory lock, since two concurrent
    CREATE TABLEs of the same table fail on the catalogue's unique index)."""
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        await conn.run_sync(Base.metadata.create_all)


def _insert(engine: AsyncEngine, table: Any) -> Any:
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _article_values(article: Article, now: datetime) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "text": article.text,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "language": article.language,
        "sitename": article.sitename,
        "authors": article.authors,
        "content_hash": article.content_hash,
        "duplicate_of": article.duplicate_of,
        "payload": article.model_dump(mode="json", exclude={"text"}),
        "stored_at": now,
    }


def _event_values(event: Event, now: datetime) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "article_id": event.article_id,
        "event_type": event.event_type,
        "published_at": event.published_at,
        "evidence": event.evidence.text,
        "payload": event.model_dump(mode="json"),
        "stored_at": now,
    }


async def _upsert(engine: AsyncEngine, table: Any, key: str, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    # One row per id (a batch may hold a redelivery), in id order: store replicas writing overlapping
    # batches (redeliveries) then lock rows in the same order and cannot deadlock one another.
    rows = sorted({row[key]: row for row in rows}.values(), key=lambda row: str(row[key]))
    stmt = _insert(engine, table)
    update = {c: stmt.excluded[c] for c in rows[0] if c not in (key, "stored_at")}
    stmt = stmt.on_conflict_do_update(index_elements=[key], set_=update)
    async with engine.begin() as conn:
        await conn.execute(stmt, list(rows))
    return len(rows)


async def upsert_articles(engine: AsyncEngine, articles: Sequence[Article]) -> int:
    now = datetime.now(UTC)
    return await _upsert(
        engine, ArticleRow.__table__, "article_id", [_article_values(a, now) for a in articles]
    )


async def upsert_events(engine: AsyncEngine, events: Sequence[Event]) -> int:
    now = datetime.now(UTC)
    return await _upsert(engine, EventRow.__table__, "event_id", [_event_values(e, now) for e in events])


async def counts(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        articles = (await conn.execute(select(func.count()).select_from(ArticleRow))).scalar_one()
        events = (await conn.execute(select(func.count()).select_from(EventRow))).scalar_one()
        by_type = dict(
            (
                await conn.execute(select(EventRow.event_type, func.count()).group_by(EventRow.event_type))
            ).all()
        )
    return {
        "articles": int(articles),
        "events": int(events),
        "events_by_type": {k: int(v) for k, v in by_type.items()},
    }


async def recent_events(engine: AsyncEngine, limit: int = 5) -> list[dict[str, Any]]:
    """Events with counts first, newest first: what the demo shows."""
    async with engine.connect() as conn:
        rows = (
            (await conn.execute(select(EventRow.payload).order_by(EventRow.stored_at.desc()))).scalars().all()
        )
    with_counts = [r for r in rows if r.get("quantities")]
    return (with_counts + [r for r in rows if not r.get("quantities")])[:limit]
