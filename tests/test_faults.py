"""Fault injection on real processes: kill -9 mid-run, a replica that never returns, a Redis restart,
a database outage, and all of them at once on the whole pipeline (pages in, rows out).

Every article and event must end stored exactly once: the stored ids are compared with the ids a
clean, in-process run of the same engine (what `newswire extract` runs) gives for the same articles.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import select

from schemas import Article, UrlRequest, article_id_for, content_hash
from services.devsite import Route, page, page_html, sample_texts, start_site
from services.extractor.engine import get_engine
from services.ingest.dedup import canonical_url
from services.ops.dlq import dead_letters
from services.ops.submit import submit_urls
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


# --- the whole pipeline, from pages to rows, through every fault at once ---------------------------

BAD_PATHS = ("/missing.html", "/gone.html", "/report.pdf", "/empty.html")
BAD_HOST_URL = "http://no-such-host.invalid/story.html"


def fault_site_routes(n: int) -> dict[str, Route]:
    """`n` distinct pages of corpus sentences (random picks, so no page is a near-copy of another), and
    the four bad pages of BAD_PATHS."""
    from services.extractor.rules.sentences import split_sentences

    pool = sorted(
        {text[s:e].strip() for text in sample_texts().values() for s, e in split_sentences(text)} - {""}
    )
    rng = random.Random(11)
    now = datetime.now(UTC)
    routes: dict[str, Route] = {"/robots.txt": page("text/plain", b"User-agent: *\nAllow: /\n")}
    for i in range(n):
        paragraphs = [" ".join(rng.sample(pool, 3)) for _ in range(5)]
        html = page_html(f"Fault report {i}: {paragraphs[0][:50]}", paragraphs, now)
        routes[f"/story/{i}.html"] = page("text/html; charset=utf-8", html.encode())
    routes["/missing.html"] = (404, {"Content-Type": "text/html"}, b"<html>gone</html>")
    routes["/gone.html"] = (410, {"Content-Type": "text/html"}, b"<html>gone for good</html>")
    routes["/report.pdf"] = page("application/pdf", b"%PDF-1.4 not a page")
    routes["/empty.html"] = page("text/html", b"<html><body></body></html>")
    return routes


async def stored_articles(database_url: str) -> list[Article]:
    engine = db.make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(db.ArticleRow.payload, db.ArticleRow.text))).all()
    finally:
        await engine.dispose()
    return [Article.model_validate({**payload, "text": text}) for payload, text in rows]


def stored_count(database: Path) -> int:
    if not database.exists():  # the store has not created it yet
        return 0
    with contextlib.closing(sqlite3.connect(database)) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
        except sqlite3.OperationalError:  # no table yet
            return 0


def wait_stored(database: Path, at_least: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while stored_count(database) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {at_least} articles stored after {timeout}s")
        time.sleep(0.2)


def test_full_fault_run_stores_every_page_once_and_dead_letters_the_bad_urls(
    settings: Settings, tmp_path: Path
) -> None:
    """150 pages and 5 bad URLs through all three workers, with a data dir nobody created, one extractor
    killed for good, the store killed and restarted, and Redis restarted in the middle."""
    pages = 150
    site = start_site(fault_site_routes(pages))
    server = RedisProcess(tmp_path / "redis", appendonly=True)
    server.start()
    data_dir = tmp_path / "not" / "created" / "yet"
    database = data_dir / "newswire.db"
    settings = settings.model_copy(
        update={"redis_url": SecretStr(server.url), "database_url": None, "data_dir": data_dir}
    )
    good = [f"{site.base}/story/{i}.html" for i in range(pages)]
    bad = [site.base + path for path in BAD_PATHS] + [BAD_HOST_URL]
    env = worker_env(settings)
    procs = {
        "ingest": start_worker("ingest", {**env, "NEWSWIRE_CONSUMER": "ingest-a"}),
        "extractor-a": start_worker("extractor", {**env, "NEWSWIRE_CONSUMER": "extractor-a"}),
        "extractor-b": start_worker("extractor", {**env, "NEWSWIRE_CONSUMER": "extractor-b"}),
        "store": start_worker("store", {**env, "NEWSWIRE_CONSUMER": "store-a"}),
    }
    try:
        assert asyncio.run(submit_urls(server.url, settings, good + bad)) == []
        wait_stored(database, 30)
        kill9(procs.pop("extractor-a"))  # never comes back: its pending articles must be reclaimed
        kill9(procs["store"])
        procs["store"] = start_worker("store", {**env, "NEWSWIRE_CONSUMER": "store-b"})
        wait_stored(database, 80)
        server.stop()  # SIGTERM: Redis writes its append-only file
        time.sleep(1.5)
        server.start()
        wait_idle(settings, timeout=600)
        letters = asyncio.run(dead_letter_urls(settings))
    finally:
        codes = stop_all(list(procs.values()))
        server.stop()
        site.shutdown()
    assert codes == [0, 0, 0]
    article_ids, event_ids = asyncio.run(stored_ids(f"sqlite+aiosqlite:///{database}"))
    assert sorted(article_ids) == sorted(article_id_for(canonical_url(u)) for u in good)  # each once
    articles = asyncio.run(stored_articles(f"sqlite+aiosqlite:///{database}"))
    assert not any(a.duplicate_of for a in articles)
    assert event_ids and len(event_ids) == len(set(event_ids))
    assert set(event_ids) == expected_event_ids(articles)  # what offline extraction gives
    assert sorted(letters) == sorted(bad)


async def dead_letter_urls(settings: Settings) -> list[str]:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        letters = await dead_letters(redis, settings, [])
    finally:
        await redis.aclose()
    return [UrlRequest.model_validate_json(letter.payload).url for _, letter in letters if letter]
