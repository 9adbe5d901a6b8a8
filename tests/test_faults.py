"""Fault injection on real processes: kill -9 mid-run, a replica that never returns, a Redis restart.

Every article and event must end stored exactly once: the stored ids are compared with the ids a
clean, in-process run of the same engine gives for the same articles.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from schemas import Article, article_id_for, content_hash
from services.devsite import sample_texts
from services.extractor.engine import get_engine
from services.runtime import streams
from services.runtime.embedded_redis import RedisProcess, free_port
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology
from services.store import db
from tests.conftest import pg_admin
from tests.pipeline_harness import http_get, start_worker, wait_idle, worker_env

pytestmark = pytest.mark.slow


def make_articles(n: int) -> list[Article]:
    texts = list(sample_texts().values())
    out = []
    for i in range(n):
        url = f"https://news.test/story/{i}"
        text = f"Report {i}. " + texts[i % len(texts)]
        out.append(Article(article_id=article_id_for(url), url=url, canonical_url=url, text=text,
                           content_hash=content_hash(text)))  # fmt: skip
    return out


async def publish_articles(settings: Settings, articles: list[Article]) -> None:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        await ensure_topology(redis, settings)
        for start in range(0, len(articles), 100):
            chunk = articles[start : start + 100]
            await streams.publish(redis, [(settings.keys.articles, a) for a in chunk])
    finally:
        await redis.aclose()


async def stored_ids(database_url: str) -> tuple[list[str], list[str]]:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        return await db.stored_ids(engine)
    finally:
        await engine.dispose()


def wait_for_rows(database_url: str, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(asyncio.run(stored_ids(database_url))[0]) >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {at_least} articles stored after {timeout}s")


def expected_event_ids(articles: list[Article]) -> set[str]:
    engine = get_engine()
    return {e.event_id for a in articles for e in engine.extract(a)}


def kill9(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def stop_all(procs: list[subprocess.Popen[bytes]]) -> list[int]:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    return [proc.wait(timeout=60) for proc in procs]


def test_kill9_mid_run_and_a_replica_that_never_returns(settings: Settings, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'faults.db'}"
    settings = settings.model_copy(update={"database_url": SecretStr(database_url)})
    articles = make_articles(500)
    asyncio.run(publish_articles(settings, articles))
    env = worker_env(settings)
    first = [
        start_worker("extractor", {**env, "NEWSWIRE_CONSUMER": "extractor-a"}),
        start_worker("store", {**env, "NEWSWIRE_CONSUMER": "store-a"}),
    ]
    later: list[subprocess.Popen[bytes]] = []
    try:
        wait_for_rows(database_url, 120)
        for proc in first:
            kill9(proc)  # extractor-a never comes back: its pending entries must be reclaimed
        later = [
            start_worker("extractor", {**env, "NEWSWIRE_CONSUMER": "extractor-b"}),
            start_worker("store", {**env, "NEWSWIRE_CONSUMER": "store-a"}),
        ]
        wait_idle(settings, timeout=300)
    finally:
        codes = stop_all(later)
    assert codes == [0, 0]
    article_ids, event_ids = asyncio.run(stored_ids(database_url))
    assert sorted(article_ids) == sorted(a.article_id for a in articles)
    assert len(event_ids) == len(set(event_ids))
    assert set(event_ids) == expected_event_ids(articles)


def test_sigterm_finishes_in_flight_work_within_the_bound(settings: Settings, tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'term.db'}"
    settings = settings.model_copy(update={"database_url": SecretStr(database_url)})
    asyncio.run(publish_articles(settings, make_articles(150)))
    env = worker_env(settings, {"NEWSWIRE_SHUTDOWN_TIMEOUT_S": "10"})
    port = free_port()
    extractor = start_worker("extractor", {**env, "NEWSWIRE_CONSUMER": "extractor-t"}, port)
    store = start_worker("store", env)
    try:
        assert http_get(f"http://127.0.0.1:{port}/healthz", timeout=60)[0] == 200
        time.sleep(1)  # mid-run: extracting
        started = time.monotonic()
        extractor.send_signal(signal.SIGTERM)
        assert extractor.wait(timeout=60) == 0
        assert time.monotonic() - started < 10 + 5

        async def pending_of(consumer: str) -> int:
            redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
            try:
                rows = await redis.xpending_range(
                    settings.keys.articles, "extractor", "-", "+", 1000, consumer
                )
                return len(rows)
            finally:
                await redis.aclose()

        # only the entries read ahead stay pending, for a replica (or this one, restarted) to reclaim
        assert asyncio.run(pending_of("extractor-t")) <= settings.prefetch
    finally:
        stop_all([store])


def test_redis_restart_mid_run_loses_nothing(settings: Settings, tmp_path: Path) -> None:
    server = RedisProcess(tmp_path / "redis", appendonly=True)
    server.start()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}"
    settings = settings.model_copy(
        update={"redis_url": SecretStr(server.url), "database_url": SecretStr(database_url)}
    )
    articles = make_articles(300)
    asyncio.run(publish_articles(settings, articles))
    env = worker_env(settings)
    procs = [start_worker("extractor", env), start_worker("store", env)]
    try:
        wait_for_rows(database_url, 50)
        server.stop()  # SIGTERM: Redis flushes its append-only file
        time.sleep(1.5)
        server.start()
        wait_idle(settings, timeout=300)
    finally:
        codes = stop_all(procs)
        server.stop()
    assert codes == [0, 0]
    article_ids, event_ids = asyncio.run(stored_ids(database_url))
    assert sorted(article_ids) == sorted(a.article_id for a in articles)
    assert set(event_ids) == expected_event_ids(articles)


@pytest.mark.postgres
def test_database_outage_is_caught_up_without_duplicates(
    settings: Settings, postgres_url: str, postgres_admin_url: str
) -> None:
    name = postgres_url.rsplit("/", 1)[1]

    def admin(sql: str) -> None:
        pg_admin(postgres_admin_url, sql)

    def outage(on: bool) -> None:
        admin(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {"false" if on else "true"}')
        if on:  # cut the connections the store already holds
            admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")

    settings = settings.model_copy(update={"database_url": SecretStr(postgres_url)})
    articles = make_articles(60)
    asyncio.run(stored_ids(postgres_url))  # create the schema
    env = worker_env(settings)
    procs = [start_worker("extractor", env), start_worker("store", env)]
    try:
        time.sleep(2)
        outage(True)
        asyncio.run(publish_articles(settings, articles))
        time.sleep(4)
        outage(False)
        assert len(asyncio.run(stored_ids(postgres_url))[0]) < len(articles)  # the outage held writes back
        wait_idle(settings, timeout=300)
    finally:
        outage(False)
        codes = stop_all(procs)
    assert codes == [0, 0]
    article_ids, event_ids = asyncio.run(stored_ids(postgres_url))
    assert sorted(article_ids) == sorted(a.article_id for a in articles)
    assert set(event_ids) == expected_event_ids(articles)
