"""The store worker: reads `articles` and `events` and upserts them into the database.

A database outage makes the handler raise: the entry is not acknowledged and is retried by the
reclaim loop until the database is back, so nothing is lost; upserts make the retries harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from schemas import Article, Event
from services.runtime.consumer import DependencyUnavailable
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Entry
from services.runtime.worker import Subscription, WorkerContext, WorkerSpec
from services.store import db

log = logging.getLogger(__name__)


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

    async def store_article(article: Article) -> Sequence[Entry]:
        try:
            await ensure_schema()
            metrics.stored.labels("articles").inc(await db.upsert_articles(engine, [article]))
        except (SQLAlchemyError, OSError) as exc:
            raise DatabaseUnavailable(f"database write failed: {type(exc).__name__}") from exc
        return []

    async def store_event(event: Event) -> Sequence[Entry]:
        try:
            await ensure_schema()
            metrics.stored.labels("events").inc(await db.upsert_events(engine, [event]))
        except (SQLAlchemyError, OSError) as exc:
            raise DatabaseUnavailable(f"database write failed: {type(exc).__name__}") from exc
        return []

    async def dispose() -> None:
        await engine.dispose()

    return WorkerSpec(
        name="store",
        group="store",
        subscriptions=[
            Subscription("articles", Article, store_article),
            Subscription("events", Event, store_event),
        ],
        on_start=[start],
        on_stop=[dispose],
    )
