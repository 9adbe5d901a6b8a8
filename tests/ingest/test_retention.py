"""Bounded Redis memory for ingest's own keys: the seen-URL set and the feed-entry hashes are trimmed
by age and size, by their settings."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from services.ingest.feed_poller import _queue_new_entries
from services.ingest.feeds import FeedEntry
from services.ingest.worker import Ingestor
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.streams import RedisCommand
from services.runtime.worker import WorkerContext


async def apply(redis: Redis, outputs: list[object]) -> None:
    async with redis.pipeline(transaction=True) as pipe:
        for output in outputs:
            assert isinstance(output, RedisCommand)
            pipe.execute_command(*output.args)
        await pipe.execute()


async def test_seen_urls_keep_the_newest_and_forget_the_old(settings: Settings, redis: Redis) -> None:
    settings = settings.model_copy(update={"seen_max_urls": 3, "seen_max_age_s": 100.0})
    ingestor = Ingestor(settings, Metrics("ingest"))
    ingestor.ctx = WorkerContext(settings, redis, ingestor.metrics, Health(30.0), asyncio.Event())
    try:
        await redis.zadd(settings.keys.seen, {"https://old.test/a": time.time() - 1000})
        assert not await ingestor._seen("https://old.test/a")  # too old to count as seen
        for i in range(5):
            await apply(redis, ingestor._mark_seen(f"https://a.test/{i}"))
        members = [m.decode() for m in await redis.zrange(settings.keys.seen, 0, -1)]
        assert members == [f"https://a.test/{i}" for i in (2, 3, 4)]  # size bound, newest kept, old dropped
        assert await ingestor._seen("https://a.test/4")
    finally:
        await ingestor.fetcher.aclose()


def entry(n: int) -> FeedEntry:
    return FeedEntry(f"g{n}", f"https://a.test/{n}", None, None, None, None, content_hash=f"h{n}")


async def test_feed_entries_are_bounded_by_size_and_by_time_out_of_the_feed(
    settings: Settings, redis: Redis
) -> None:
    settings = settings.model_copy(update={"feed_entries_max": 3, "feed_entries_max_age_s": 50.0})
    feed = "https://a.test/feed.xml"
    hashes, last_seen = settings.keys.feed_entries(feed), settings.keys.feed_entries_seen(feed)
    assert await _queue_new_entries(redis, settings, feed, [entry(i) for i in range(5)]) == 5
    assert await redis.hlen(hashes) == 3 and await redis.zcard(last_seen) == 3
    await redis.zadd(last_seen, {"g4": time.time() - 100})  # g4 left the feed long ago
    assert await _queue_new_entries(redis, settings, feed, [entry(3)]) == 0  # unchanged: not queued again
    assert sorted(k.decode() for k in await redis.hkeys(hashes)) == ["g2", "g3"]
    assert 0 < await redis.ttl(hashes) <= 51  # a feed no longer polled is forgotten after the age
