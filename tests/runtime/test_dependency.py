"""A dependency got ready once and shared by a worker's handlers, on real Redis and real databases:
down at start, the worker starts and its entries wait (never dead-lettered) until the database is back;
a database that cannot be used stops it; what the work raises reaches the failure model classified."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from schemas import UrlRequest
from services.runtime import streams
from services.runtime.consumer import ReliableConsumer
from services.runtime.dependency import Dependency
from services.runtime.errors import ConfigurationError, PermanentError, RetryPolicy
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output
from services.store import db
from services.store.errors import BadData, DatabaseMisconfigured, classify


def schema_dependency(url: str, metrics: Metrics, engine: AsyncEngine) -> tuple[Dependency, list[int]]:
    """The store's dependency: the schema upgraded on first use; `calls` counts the upgrades tried."""
    calls: list[int] = []

    async def prepare() -> None:
        calls.append(1)
        await db.upgrade(engine)

    return Dependency("test", prepare, lambda exc: classify(exc, url), metrics), calls


async def _collect_failed() -> None:
    """Collect aiosqlite connections that failed, which error tracebacks kept alive, while the loop still
    runs: their worker thread answers the loop when they are freed, and a closed loop makes that thread
    raise (an unhandled thread exception in whichever test runs next)."""
    gc.collect()
    await asyncio.sleep(0.05)


async def allow_connections(admin_url: str, database: str, allowed: bool) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            await conn.execute(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
            )
    finally:
        await conn.close()


@pytest.mark.postgres
async def test_a_database_down_at_start_holds_entries_until_it_is_back(
    redis: Redis, settings: Settings, postgres_url: str, postgres_admin_url: str
) -> None:
    name = postgres_url.rsplit("/", 1)[1]
    metrics = Metrics("test")
    engine = db.make_engine(postgres_url)
    dependency, calls = schema_dependency(postgres_url, metrics, engine)

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        revision = await dependency.run(lambda: db.current_revision(engine))
        return [(settings.keys.stream("out"), msg.model_copy(update={"request_id": revision or ""}))]

    consumer = ReliableConsumer(
        redis=redis, settings=settings, stream=settings.keys.urls, group="g", model=UrlRequest,
        handle=handle, metrics=metrics, health=Health(30),
        policy=RetryPolicy(base_s=0.05, dependency_max_s=0.1),
    )  # fmt: skip
    await streams.ensure_group(redis, consumer.stream, "g")
    await allow_connections(postgres_admin_url, name, False)
    try:
        await dependency.start()  # down: the worker starts anyway
        assert not dependency.ready
        assert metrics.errors.labels("test", "dependency")._value.get() == 1
        await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/1"))])
        reply = await redis.xreadgroup("g", "c1", {consumer.stream: ">"}, count=10)
        for _, entries in reply:
            for entry_id, fields in entries:
                await consumer.process(entry_id.decode(), streams.decode(fields), 1)
        assert (await redis.xpending(consumer.stream, "g"))["pending"] == 1
        assert await redis.xlen(settings.keys.dead) == 0
        assert await redis.xlen(settings.keys.stream("out")) == 0
    finally:
        await allow_connections(postgres_admin_url, name, True)
    try:
        for _ in range(50):
            await asyncio.sleep(0.1)
            await consumer.retry_own("c1")
            if (await redis.xpending(consumer.stream, "g"))["pending"] == 0:
                break
        assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0
        assert dependency.ready
        out = await redis.xrange(settings.keys.stream("out"))
        assert [UrlRequest.model_validate_json(streams.decode(f)).request_id for _, f in out] == [
            db.head_revision()
        ]
        tried = len(calls)
        await dependency.run(lambda: db.current_revision(engine))
        assert len(calls) == tried  # ready once: not upgraded again
        assert await redis.xlen(settings.keys.dead) == 0
    finally:
        await engine.dispose()


async def test_a_database_that_cannot_be_opened_stops_the_worker_at_start(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}"  # a folder, not a file
    engine = db.make_engine(url)
    dependency, _ = schema_dependency(url, Metrics("test"), engine)
    try:
        with pytest.raises(DatabaseMisconfigured, match="unable to open database file") as caught:
            await dependency.start()
        assert isinstance(caught.value, ConfigurationError)
        assert not dependency.ready
        del caught  # its traceback holds the connection that failed to open (see _collect_failed)
    finally:
        await engine.dispose()
        await _collect_failed()


async def test_work_errors_are_classified_and_unknown_ones_pass_unchanged(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    engine = db.make_engine(url)
    dependency, calls = schema_dependency(url, Metrics("test"), engine)
    try:
        await dependency.start()
        assert dependency.ready and len(calls) == 1
        assert await dependency.run(lambda: db.current_revision(engine)) == db.head_revision()

        async def insert_null() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO events (event_id) VALUES ('e1')"))

        with pytest.raises(BadData, match="NOT NULL") as caught:
            await dependency.run(insert_null)
        assert isinstance(caught.value, PermanentError)
        # its chained cause's traceback holds the failed aiosqlite connection: let the collection below
        # free it while the loop still runs, so that its thread never answers a closed loop
        del caught

        async def unknown() -> None:
            raise LookupError("not a database error")

        with pytest.raises(LookupError, match="not a database error"):
            await dependency.run(unknown)
        assert len(calls) == 1
    finally:
        await engine.dispose()
        await _collect_failed()
