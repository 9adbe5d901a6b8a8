"""Back pressure: ingest holds fetching while the extractor's lag on `articles` is above the bound."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from schemas import UrlRequest
from services.ingest.worker import Ingestor
from services.runtime import streams
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext, ensure_topology


async def test_ingest_waits_while_articles_lag_is_above_the_bound(redis: Redis, settings: Settings) -> None:
    settings = settings.model_copy(update={"articles_max_lag": 3})
    await ensure_topology(redis, settings)
    backlog = [(settings.keys.articles, UrlRequest(url=f"https://a.test/{i}")) for i in range(5)]
    await streams.publish(redis, backlog)  # five unread entries: lag 5 > 3
    metrics = Metrics("ingest")
    ingestor = Ingestor(settings, metrics)
    await ingestor.start(WorkerContext(settings, redis, metrics, Health(30), asyncio.Event()))
    waiting = asyncio.create_task(ingestor._wait_for_capacity())
    await asyncio.sleep(1.5)
    assert not waiting.done()
    assert metrics.backpressure._value.get() == 1  # type: ignore[attr-defined]
    # the extractor catches up: read and acknowledge three entries, lag 2 <= 3
    reply = await redis.xreadgroup("extractor", "x", {settings.keys.articles: ">"}, count=3)
    read_ids = [i for _, entries in reply for i, _ in entries]
    await redis.xack(settings.keys.articles, "extractor", *read_ids)
    await asyncio.wait_for(waiting, timeout=5)
    assert metrics.backpressure._value.get() == 0  # type: ignore[attr-defined]
    await ingestor.fetcher.aclose()
