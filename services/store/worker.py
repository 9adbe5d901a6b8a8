"""The store worker: reads `articles` and `events` in batches and upserts them into the database.

A database outage makes the handler raise `DatabaseUnavailable`: the entries are not acknowledged and
are retried until the database is back (never dead-lettered, the messages are fine), so nothing is
lost; upserts on the deterministic ids make the retries harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from schemas import Article, Event
from services.runtime.consumer import DependencyUnavailable
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output
from services.runtime.worker import Subscription, WorkerContext, WorkerSpec
from services.store import db

log = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseUnavailable(DependencyUnavailable):
    pass


def build_store(settings: Settings, metrics: Metrics) -> WorkerSpec:
    engine = db.make_engine(settings.sqlalchemy_url())
    ready = False

    async def ensure_schema() -> None:
        nonlocal ready
        if not ready:
            await db.upgrade(engine)
            ready = True

    async def start(_: WorkerContext) -> None:
        try:
            await ensure_schema()
        except (SQLAlchemyError, OSError) as exc:  # the database may be down: handlers retry later
            log.warning("database not ready at start: %s", type(exc).__name__)

    def writer(
        table: str, upsert: Callable[[AsyncEngine, Sequence[T]], Awaitable[int]]
    ) -> tuple[Callable[[T], Awaitable[Sequence[Output]]], Callable[[list[T]], Awaitable[Sequence[Output]]]]:
        async def write_batch(items: list[T]) -> Sequence[Output]:
            try:
                await ensure_schema()
                metrics.stored.labels(table).inc(await upsert(engine, items))
            except (SQLAlchemyError, OSError) as exc:
                raise DatabaseUnavailable(f"database write failed: {type(exc).__name__}") from exc
            return []

        async def write_one(item: T) -> Sequence[Output]:
            return await write_batch([item])

        return write_one, write_batch

    async def dispose() -> None:
        await engine.dispose()

    return WorkerSpec(
        name="store",
        group="store",
        subscriptions=[
            Subscription("articles", Article, *writer("articles", db.upsert_articles)),
            Subscription("events", Event, *writer("events", db.upsert_events)),
        ],
        on_start=[start],
        on_stop=[dispose],
        keeps_public_topics=True,
    )
