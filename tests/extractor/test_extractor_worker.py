"""The extractor worker process: bounded work on a 1 MB article, skips for duplicates and other languages,
and events published on `events` and `events.<type>`."""

from __future__ import annotations

import asyncio
import signal

import pytest
from redis.asyncio import Redis

from schemas import Article, article_id_for, content_hash
from services.runtime import streams
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology
from tests.pipeline_harness import http_get, start_worker, worker_env

pytestmark = pytest.mark.slow
ATTACK = "Russian forces fired 40 missiles at Kharkiv overnight, killing three people, officials said. "


def article(name: str, text: str, **extra: object) -> Article:
    url = f"https://news.test/{name}"
    return Article(article_id=article_id_for(url), url=url, canonical_url=url, text=text,
                   content_hash=content_hash(text), **extra)  # type: ignore[arg-type]  # fmt: skip


async def run_case(settings: Settings, articles: list[Article]) -> dict[str, list[bytes]]:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        await ensure_topology(redis, settings)
        await streams.publish(redis, [(settings.keys.articles, a) for a in articles])
        for _ in range(600):
            if await streams.group_lag(redis, settings.keys.articles, "extractor") == 0:
                break
            await asyncio.sleep(0.2)
        assert await streams.group_lag(redis, settings.keys.articles, "extractor") == 0
        out: dict[str, list[bytes]] = {}
        for key in ("events", "events.assault", "dead"):
            out[key] = [streams.decode(f) for _, f in await redis.xrange(settings.keys.stream(key))]
        return out
    finally:
        await redis.aclose()


def test_extractor_worker_bounds_and_skips(settings: Settings) -> None:
    huge = article("huge", ATTACK * (1_000_000 // len(ATTACK)))
    duplicate = article("dup", ATTACK, duplicate_of="a-original")
    german = article("de", "Russische Truppen griffen Charkiw an. " * 5, language="de")
    normal = article("normal", ATTACK)
    port = free_port()
    proc = start_worker("extractor", worker_env(settings), port)
    try:
        out = asyncio.run(run_case(settings, [huge, duplicate, german, normal]))
        _, metrics = http_get(f"http://127.0.0.1:{port}/metrics")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert out["dead"] == []  # the 1 MB article is handled, not dead-lettered
    ids = [e.decode() for e in out["events"]]
    by_article = {
        a.article_id: sum(a.article_id in e for e in ids) for a in (huge, duplicate, german, normal)
    }
    assert by_article[huge.article_id] >= 1 and by_article[normal.article_id] >= 1
    assert by_article[duplicate.article_id] == 0 and by_article[german.article_id] == 0
    assert len(out["events.assault"]) == sum(1 for e in ids if '"event_type":"assault"' in e)
    assert 'newswire_skipped_total{reason="duplicate"} 1.0' in metrics
    assert 'newswire_skipped_total{reason="language"} 1.0' in metrics
