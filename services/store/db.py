"""The database: tables, migrations (`newswire db upgrade`), idempotent upserts and counts.

Rows are keyed by the deterministic message ids, so a redelivered message overwrites its own row
instead of adding one. Works on SQLite (aiosqlite) and PostgreSQL (asyncpg) with the same code.
The schema is changed only by Alembic revisions in services/store/migrations/versions/.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    JSON,
    Connection,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemas import Article, Event
from services.store import search
from services.store.errors import DatabaseMisconfigured

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Held while migrating, so store replicas starting together on PostgreSQL take turns (two concurrent
# CREATE TABLEs of one table fail on the catalogue's unique index).
PG_MIGRATION_LOCK = 0x6E657773  # "news"
# Text search made by revisions 0007 and 0008 beside the models (services/store/search.py): SQLite FTS5
# tables (and their shadow tables) and the listing index with the evidence, PostgreSQL trigram indexes.
# Left out of comparisons with the models.
SEARCH_OBJECTS = (
    *search.FTS_TABLES.values(), "ix_events_listing_text",
    "ix_events_evidence_trgm", "ix_incidents_evidence_trgm",
)  # fmt: skip


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


LISTING_FILTER_COLUMNS = (
    "event_type", "mode", "country", "actor_country", "recipient_country", "killed", "confidence", "lat",
    "lon", "updated_at",
)  # fmt: skip


class EventRow(Base):
    """An event: its payload, plus the columns the query API filters and sorts on (with their indexes).

    Listing is newest first by `occurred_at` (the event's time, else its publication time, else when it
    was first stored) then `event_id`: every filter index ends with those two so a filtered first page
    is an index range read.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_article", "article_id"),
        Index("ix_events_type", "event_type"),
        Index("ix_events_stored_at", "stored_at"),
        # The listing order plus every filter column: a filter the order scan checks is read from the
        # index, and only the page's own rows are read from the table (revision 0006).
        Index("ix_events_listing", "occurred_at", "event_id", *LISTING_FILTER_COLUMNS),
        Index("ix_events_type_occurred", "event_type", "occurred_at", "event_id"),
        Index("ix_events_country_occurred", "country", "occurred_at", "event_id"),
        Index("ix_events_actor_country_occurred", "actor_country", "occurred_at", "event_id"),
        Index("ix_events_recipient_country_occurred", "recipient_country", "occurred_at", "event_id"),
        Index("ix_events_updated_occurred", "updated_at", "occurred_at", "event_id"),
        Index("ix_events_killed_occurred", "killed", "occurred_at", "event_id"),
    )

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    article_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(32))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evidence: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mode: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(3))
    actor_country: Mapped[str | None] = mapped_column(String(3))
    recipient_country: Mapped[str | None] = mapped_column(String(3))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    killed: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float | None] = mapped_column(Float)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# Incidents (services/incidents/db.py reads and writes them): the incident, event → incident, and
# the (type group, day, country) buckets matching reads candidates from.
class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_last_seen", "last_seen"),
        Index("ix_incidents_type", "event_type"),
        Index("ix_incidents_occurred", "occurred_at", "incident_id"),
        Index("ix_incidents_type_occurred", "event_type", "occurred_at", "incident_id"),
        Index("ix_incidents_country_occurred", "country", "occurred_at", "incident_id"),
        Index("ix_incidents_updated", "updated_at", "incident_id"),
    )

    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(8))
    date: Mapped[str | None] = mapped_column(String(10))
    num_sources: Mapped[int] = mapped_column(Integer)
    num_articles: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    payload: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # what GET /incidents filters and sorts on (revision 0005)
    mode: Mapped[str | None] = mapped_column(String(32))
    actor_country: Mapped[str | None] = mapped_column(String(8))
    recipient_country: Mapped[str | None] = mapped_column(String(8))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    killed: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    evidence: Mapped[str | None] = mapped_column(Text)


class IncidentMentionRow(Base):
    __tablename__ = "incident_mentions"
    __table_args__ = (Index("ix_incident_mentions_incident", "incident_id"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(64))


class IncidentKeyRow(Base):
    __tablename__ = "incident_keys"

    type_group: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(64), primary_key=True)


def exists(url: str) -> bool:
    """False for a SQLite file that is not there (opening it would create it); True otherwise."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    return Path(parsed.database).exists()


def create_sqlite_dir(url: str) -> None:
    """Create the folder of a SQLite file (as workers create their data dir); one clear line if it
    cannot be. Nothing to do for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseMisconfigured(
            f"database {parsed.database}: cannot create {folder}: {exc.strerror}"
        ) from exc


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
            search.register(dbapi_conn)  # what `q` calls (services/store/search.py)

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=5)


def include_name(name: str | None, _type: str, _parents: Any) -> bool:
    """False for the text-search objects the models do not describe (for Alembic's comparisons)."""
    return name is None or not name.startswith(SEARCH_OBJECTS)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision in services/store/migrations/versions/."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK})
    command.upgrade(alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply the migrations the database has not had yet, in one transaction (idempotent)."""
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at; None when it has never been migrated."""
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


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


def _utc(value: datetime | None) -> datetime | None:
    """UTC, so that SQLite (which stores the wall clock as text) sorts and compares correctly."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def occurred_at(event: Event) -> datetime | None:
    """When the event happened for sorting and `datetime`: its own time, else its publication time."""
    return _utc((event.time.start if event.time else None) or event.published_at)


def query_columns(event: Event) -> dict[str, Any]:
    """The columns GET /events filters on, taken from the event (also by migration 0004's backfill)."""
    where, actor, recipient = event.location, event.actor, event.recipient
    killed = [q.value for q in event.quantities if q.kind == "killed"]
    return {
        "mode": event.mode,
        "country": where.country if where else None,
        "actor_country": actor.country if actor else None,
        "recipient_country": recipient.country if recipient else None,
        "lat": where.lat if where else None,
        "lon": where.lon if where else None,
        "killed": max(killed) if killed else None,
        "confidence": event.confidence,
        "occurred_at": occurred_at(event),
    }


def _event_values(event: Event, now: datetime) -> dict[str, Any]:
    columns = query_columns(event)
    return {
        "event_id": event.event_id,
        "article_id": event.article_id,
        "event_type": event.event_type,
        "published_at": _utc(event.published_at),
        "evidence": event.evidence.text,
        "payload": event.model_dump(mode="json"),
        "stored_at": now,
        **columns,
        "occurred_at": columns["occurred_at"] or now,
        "updated_at": now,
    }


async def _upsert(engine: AsyncEngine, table: Any, key: str, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    # One row per id (a batch may hold a redelivery), in id order: store replicas writing overlapping
    # batches (redeliveries) then lock rows in the same order and cannot deadlock one another.
    rows = sorted({row[key]: row for row in rows}.values(), key=lambda row: str(row[key]))
    async with engine.begin() as conn:
        result = await conn.execute(_upsert_statement(engine.dialect.name, table, key), rows)
        return len(result.all())


@functools.cache
def _upsert_statement(dialect: str, table: Any, key: str) -> Any:
    """One statement for every row count, so SQLAlchemy compiles it once: executed with a list of rows
    it is sent as INSERT ... VALUES (...), (...) ... of up to 1000 rows ("insertmanyvalues", which
    SQLAlchemy applies to an upsert only with RETURNING). Many rows to a statement matter: SQLite's FTS5
    index (revision 0007) flushes at every statement its triggers run in, so one statement per row costs
    it several times more; and a multi-row VALUES list built per batch was compiled anew each time
    (half the store's own CPU in the pipeline)."""
    stmt = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in (key, "stored_at")}
    return stmt.on_conflict_do_update(index_elements=[key], set_=update).returning(table.c[key])


async def upsert_articles(engine: AsyncEngine, articles: Sequence[Article]) -> int:
    now = datetime.now(UTC)
    return await _upsert(
        engine, ArticleRow.__table__, "article_id", [_article_values(a, now) for a in articles]
    )


async def upsert_events(engine: AsyncEngine, events: Sequence[Event]) -> int:
    now = datetime.now(UTC)
    return await _upsert(engine, EventRow.__table__, "event_id", [_event_values(e, now) for e in events])


async def stored_ids(engine: AsyncEngine) -> tuple[list[str], list[str]]:
    """Every stored article id and event id (one per row, so a duplicate row would show twice)."""
    async with engine.connect() as conn:
        articles = list((await conn.execute(select(ArticleRow.article_id))).scalars())
        events = list((await conn.execute(select(EventRow.event_id))).scalars())
    return articles, events


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
