"""The store worker: reads `articles` and `events` in batches and upserts them into the database.

Database errors are classified (services/store/db.py `classify`): an outage makes the entries wait,
unacknowledged, until the database is back (never dead-lettered: the messages are fine); bad data is
dead-lettered with the database's reason; a database that does not exist or refuses our credentials
stops the worker with one line and exit code 2. Upserts on the deterministic ids make retries harmless.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from schemas import Article, Event
from services.runtime.dependency import Dependency
from services.runtime.errors import RetryPolicy
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output
from services.runtime.topology import ARTICLES, EVENTS, STORE
from services.runtime.worker import Subscription, WorkerContext, WorkerSpec
from services.store import db
from services.store.errors import classify

T = TypeVar("T")
# An outage is waited out without limit; the wait between attempts grows to at most 10 s, so the
# store catches up soon after the database is back.
STORE_RETRY = RetryPolicy(base_s=0.5, dependency_max_s=10.0)


def build_store(settings: Settings, metrics: Metrics) -> WorkerSpec:
    url = settings.sqlalchemy_url()
    engine = db.make_engine(url)
    database = Dependency("store", lambda: db.upgrade(engine), lambda exc: classify(exc, url), metrics)

    async def start(_: WorkerContext) -> None:
        db.create_sqlite_dir(url)
        await database.start()

    def writer(
        table: str, upsert: Callable[[AsyncEngine, Sequence[T]], Awaitable[int]]
    ) -> tuple[Callable[[T], Awaitable[Sequence[Output]]], Callable[[list[T]], Awaitable[Sequence[Output]]]]:
        async def write_batch(items: list[T]) -> Sequence[Output]:
            metrics.stored.labels(table).inc(await database.run(lambda: upsert(engine, items)))
            return []

        async def write_one(item: T) -> Sequence[Output]:
            return await write_batch([item])

        return write_one, write_batch

    async def dispose() -> None:
        await engine.dispose()

    return WorkerSpec(
        name=STORE.name,
        group=STORE.group,
        subscriptions=[
            Subscription(ARTICLES, Article, *writer("articles", db.upsert_articles), retry=STORE_RETRY),
            Subscription(EVENTS, Event, *writer("events", db.upsert_events), retry=STORE_RETRY),
        ],
        on_start=[start],
        on_stop=[dispose],
        keeps_public_topics=True,
    )
