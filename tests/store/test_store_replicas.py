"""Two store replicas as processes on one PostgreSQL: the consumer group splits the work, and every
article and event ends stored once, with no deadlock or retry even though every entry is published
twice (as redeliveries are), so the two replicas upsert overlapping rows at the same time."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from schemas import Article, Event, article_id_for, event_id_for
from services.runtime import streams
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology
from tests.pipeline_harness import start_worker, worker_env
from tests.schemas.test_schemas import make_event
from tests.test_faults import stop_all, stored_ids

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ARTICLES, EVENTS_PER_ARTICLE = 150, 20


def corpus() -> tuple[list[Article], list[Event]]:
    template = make_event()
    articles, events = [], []
    for n in range(ARTICLES):
        url = f"https://news.test/replicas/{n}"
        article = Article(article_id=article_id_for(url), url=url, canonical_url=url, text=f"story {n}",
                          content_hash=f"h{n}")  # fmt: skip
        articles.append(article)
        for i in range(EVENTS_PER_ARTICLE):
            event_id = event_id_for(article.article_id, "assault", i, i + 5)
            update = {"event_id": event_id, "article_id": article.article_id}
            events.append(template.model_copy(update=update))
    return articles, events


async def publish_twice(settings: Settings, articles: list[Article], events: list[Event]) -> None:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        await ensure_topology(redis, settings)
        entries: list[streams.Entry] = [(settings.keys.articles, a) for a in articles]
        entries += [(settings.keys.events, e) for e in events]
        for start in range(0, len(entries), 200):
            chunk = entries[start : start + 200]
            await streams.publish(redis, chunk + chunk[::-1])  # each id twice, in both orders
    finally:
        await redis.aclose()


async def store_lag(settings: Settings) -> int:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        keys = (settings.keys.articles, settings.keys.events)
        lags = [await streams.group_lag(redis, key, "store") for key in keys]
        return sum(lags)
    finally:
        await redis.aclose()


def wait_store_drained(settings: Settings, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while asyncio.run(store_lag(settings)):
        assert time.monotonic() < deadline, f"the store group still lags after {timeout}s"
        time.sleep(0.3)


def metric(port: int, name: str, **labels: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_two_store_replicas_on_one_postgres_store_everything_once_without_deadlocks(
    settings: Settings, postgres_url: str, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": SecretStr(postgres_url)})
    articles, events = corpus()
    asyncio.run(publish_twice(settings, articles, events))
    env = worker_env(settings, {"NEWSWIRE_BATCH_SIZE": "50"})
    ports = [free_port(), free_port()]
    procs = [
        start_worker("store", {**env, "NEWSWIRE_CONSUMER": f"store-{i}"}, port=port)
        for i, port in enumerate(ports)
    ]  # both start at once: the schema is created under an advisory lock
    try:
        wait_store_drained(settings, timeout=240)
        handled = [metric(p, "newswire_messages_total", outcome="ok") for p in ports]
        retries = [metric(p, "newswire_messages_total", outcome="retry") for p in ports]
        dead = [metric(p, "newswire_messages_total", outcome="dead") for p in ports]
    finally:
        codes = stop_all(procs)
    assert codes == [0, 0]
    assert sum(handled) == 2 * (len(articles) + len(events))
    assert all(h > 0.1 * sum(handled) for h in handled), f"the group did not split the work: {handled}"
    assert retries == [0, 0] and dead == [0, 0], "a deadlock or a failed batch would show as retries"
    article_ids, event_ids = asyncio.run(stored_ids(postgres_url))
    assert sorted(article_ids) == sorted(a.article_id for a in articles)
    assert sorted(event_ids) == sorted(e.event_id for e in events)
