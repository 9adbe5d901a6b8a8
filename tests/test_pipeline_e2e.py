"""End to end: a local site and feed, the three workers as separate processes, real Redis and database."""

from __future__ import annotations

import asyncio
import signal

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from services.ingest.feed_registry import add_feed
from services.ops.dlq import dead_letters
from services.ops.stats import collect_stats
from services.ops.submit import submit_urls
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from tests.pipeline_harness import http_get, start_news_site, start_worker, wait_idle, worker_env

pytestmark = pytest.mark.slow


def test_pipeline_from_feed_to_stored_events(settings: Settings, database_url: str) -> None:
    settings = settings.model_copy(update={"database_url": SecretStr(database_url)})
    server, base, site = start_news_site()
    pages = [path for path in site if path.startswith("/articles/")]
    url = settings.redis_url.get_secret_value()  # type: ignore[union-attr]

    async def prepare() -> None:
        redis = Redis.from_url(url)
        await add_feed(redis, settings, f"{base}/feed.xml")
        await redis.aclose()
        bad = await submit_urls(url, settings, [f"{base}/gone.html", f"{base}/image.png", base + pages[0]])
        assert bad == []

    asyncio.run(prepare())
    env = worker_env(settings)
    ports = {name: free_port() for name in ("ingest", "extractor", "store")}
    procs = {name: start_worker(name, env, port) for name, port in ports.items()}
    try:
        wait_idle(settings)
        stats = asyncio.run(collect_stats(url, settings))
        assert stats["articles"] == len(pages)  # the page submitted twice (feed + submit) is stored once
        assert stats["events"] > len(pages)
        assert stats["events_by_type"].get("assault", 0) > 0
        assert stats["streams"]["events.assault"]["length"] == stats["events_by_type"]["assault"]
        assert stats["dead_letters"] == 2

        letters = asyncio.run(_letters(url, settings))
        reasons = sorted(letter.error for letter in letters)
        assert any("HTTP 404" in r for r in reasons) and any("not HTML" in r for r in reasons)

        status, body = http_get(f"http://127.0.0.1:{ports['extractor']}/metrics")
        assert status == 200
        assert 'newswire_events_total{event_type="assault"}' in body
        assert "faststream_received_messages_total" in body
        status, body = http_get(f"http://127.0.0.1:{ports['ingest']}/metrics")
        assert 'newswire_fetched_total{status="200"}' in body and "newswire_articles_published_total" in body
        for port in ports.values():
            status, body = http_get(f"http://127.0.0.1:{port}/healthz")
            assert status == 200 and '"status": "ok"' in body
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        codes = {name: proc.wait(timeout=60) for name, proc in procs.items()}
        server.shutdown()
    assert codes == {"ingest": 0, "extractor": 0, "store": 0}


async def _letters(url: str, settings: Settings) -> list:  # type: ignore[type-arg]
    redis = Redis.from_url(url)
    try:
        return [letter for _, letter in await dead_letters(redis, settings, []) if letter]
    finally:
        await redis.aclose()
