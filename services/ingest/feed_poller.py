"""Feed polling shared by all ingest replicas: state and leases in Redis, conditional GET, adaptive interval.

Feeds live in the Redis hash `feeds` (url → JSON state: validators, last and next poll, errors, last
error). Each loop turn takes the due feeds; a feed is polled by the replica that wins its lease (SET NX
with a time-to-live), so two replicas never poll one feed at once. New entries (by GUID, else link) and
entries whose content changed become URL requests on the `urls` stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from schemas import UrlRequest
from services.ingest.feed_registry import add_feed, list_feeds
from services.ingest.feeds import FeedEntry, ParsedFeed, next_poll_interval, parse_feed, parse_sitemap
from services.ingest.fetcher import Fetcher, FetchError, retry_after_seconds
from services.runtime import streams
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext

log = logging.getLogger(__name__)
LEASE_MS = 120_000
# Delete the lease only if it is still ours: a poll that outlived it must not free another replica's.
RELEASE_LEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Forget the entries of a feed not seen in it since ARGV[1] (a time), or past the ARGV[2] newest:
# KEYS[1] is the entry → content hash, KEYS[2] the entry → last seen; both expire after ARGV[3] s.
PRUNE_ENTRIES = """
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])
local extra = redis.call('ZRANGE', KEYS[2], 0, -tonumber(ARGV[2]) - 1)
for _, list in ipairs({old, extra}) do
  for i = 1, #list, 500 do
    local part = {unpack(list, i, math.min(i + 499, #list))}
    redis.call('HDEL', KEYS[1], unpack(part))
    redis.call('ZREM', KEYS[2], unpack(part))
  end
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return #old + #extra
"""


def _max_age(cache_control: str | None) -> float | None:
    for part in (cache_control or "").split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() == "max-age" and value.isdigit():
            return float(value)
    return None


async def poll_feed(ctx: WorkerContext, fetcher: Fetcher, url: str, state: dict[str, Any]) -> dict[str, Any]:
    """Poll one feed (the caller holds its lease); returns the new state."""
    settings, redis, metrics = ctx.settings, ctx.redis, ctx.metrics
    headers = {}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    now = time.time()
    now_utc = datetime.fromtimestamp(now, UTC)
    state["last_poll"] = now
    retry_after = None
    try:
        result = await fetcher.fetch(url, headers=headers)
        metrics.fetched.labels(str(result.status)).inc()
        retry_after = retry_after_seconds(result.headers.get("retry-after"))
        if result.status == 304:
            metrics.feed_polls.labels("not-modified").inc()
            # nothing new: the rhythm still comes from the entries of the last full fetch
            published = [datetime.fromisoformat(d) for d in state.get("published") or []]
            ttl = state.get("ttl")
        elif result.status != 200:
            raise FetchError("http", f"HTTP {result.status}", retryable=True, retry_after=retry_after)
        else:
            feed = parse_feed(result.body, url, headers=result.headers)
            if feed.error and not feed.entries:
                feed = await _as_sitemap(redis, settings, url, result.body) or feed
            if feed.error and not feed.entries:
                raise FetchError("feed", feed.error)
            state["etag"] = result.headers.get("etag")
            state["last_modified"] = result.headers.get("last-modified")
            ttl = state["ttl"] = feed.ttl_minutes
            new = await _queue_new_entries(redis, settings, url, feed.entries)
            metrics.feed_polls.labels("ok").inc()
            published = sorted(e.published for e in feed.entries if e.published and e.published <= now_utc)
            published = published[-30:]  # what next_poll_interval reads; kept for the polls answered 304
            state["published"] = [d.isoformat() for d in published]
            log.info("feed %s: %d entries, %d queued", url, len(feed.entries), new)
        state["errors"], state["last_error"] = 0, None
        interval = next_poll_interval(
            published, ttl_minutes=ttl, cache_max_age=_max_age(result.headers.get("cache-control")),
            retry_after=retry_after, min_s=settings.feed_min_interval_s, max_s=settings.feed_max_interval_s,
        )  # fmt: skip
    except FetchError as exc:
        metrics.feed_polls.labels("error").inc()
        state["errors"] = int(state.get("errors", 0)) + 1
        state["last_error"] = str(exc)
        interval = next_poll_interval(
            [], ttl_minutes=None, cache_max_age=None, retry_after=exc.retry_after,
            min_s=settings.feed_min_interval_s, max_s=settings.feed_max_interval_s, errors=state["errors"],
        )  # fmt: skip
    state["next_poll"] = now + interval
    return state


async def _as_sitemap(redis: Redis, settings: Settings, url: str, body: bytes) -> ParsedFeed | None:
    """A sitemap read as a feed of its pages; the child sitemaps of an index become sources of their own."""
    urls = parse_sitemap(body, url)
    if not urls:
        return None
    head = body[:4096] if body[:2] != b"\x1f\x8b" else b""
    if b"<sitemapindex" in head or all(u.split("?", 1)[0].endswith((".xml", ".xml.gz")) for u in urls):
        for child in urls:
            await add_feed(redis, settings, child)
        return ParsedFeed(title=url, link=url)
    entries = [FeedEntry(u, u, None, None, None, None, content_hash="sitemap") for u in urls]
    return ParsedFeed(title=url, link=url, entries=entries)


async def _queue_new_entries(redis: Redis, settings: Settings, feed_url: str, entries: list[Any]) -> int:
    keys = settings.keys
    hashes, last_seen = keys.feed_entries(feed_url), keys.feed_entries_seen(feed_url)
    queued, now = 0, time.time()
    for entry in entries:
        if not entry.link:
            continue
        key = entry.guid or entry.link
        previous = await redis.hget(hashes, key)
        if previous is not None and streams.text(previous) == entry.content_hash:
            await redis.zadd(last_seen, {key: now})
            continue
        request = UrlRequest(url=entry.link, feed_url=feed_url, refetch=previous is not None)
        async with redis.pipeline(transaction=True) as pipe:
            pipe.xadd(keys.urls, await streams.encode(request))  # type: ignore[arg-type]
            pipe.hset(hashes, key, entry.content_hash)
            pipe.zadd(last_seen, {key: now})
            await pipe.execute()
        queued += 1
    max_age = settings.feed_entries_max_age_s
    await redis.eval(
        PRUNE_ENTRIES, 2, hashes, last_seen, now - max_age, settings.feed_entries_max, int(max_age) + 1
    )
    return queued


async def poll_due_feeds(ctx: WorkerContext, fetcher: Fetcher) -> int:
    polled = 0
    for url, state in (await list_feeds(ctx.redis, ctx.settings)).items():
        if float(state.get("next_poll", 0)) > time.time():
            continue
        lease, token = ctx.settings.keys.lease(url), uuid.uuid4().hex
        if not await ctx.redis.set(lease, token, nx=True, px=LEASE_MS):
            continue
        try:
            # The list above may be stale: another replica can have polled the feed and released its
            # lease since. Only the state read under the lease says whether the feed is still due.
            raw = await ctx.redis.hget(ctx.settings.keys.feeds, url)
            if raw is None:
                continue
            state = json.loads(raw)
            if float(state.get("next_poll", 0)) > time.time():
                continue
            new_state = await poll_feed(ctx, fetcher, url, state)
            if await ctx.redis.hexists(ctx.settings.keys.feeds, url):  # removed meanwhile: keep it removed
                await ctx.redis.hset(ctx.settings.keys.feeds, url, json.dumps(new_state))
            polled += 1
        finally:
            await ctx.redis.eval(RELEASE_LEASE, 1, lease, token)
    return polled


async def _add_configured_feeds(ctx: WorkerContext) -> bool:
    """Add `NEWSWIRE_FEEDS`; False while Redis is away (the loop tries again)."""
    try:
        for url in ctx.settings.feeds:
            await add_feed(ctx.redis, ctx.settings, url)
    except (RedisError, OSError) as exc:
        log.warning("could not add NEWSWIRE_FEEDS yet: %s: %s", type(exc).__name__, exc)
        ctx.metrics.errors.labels("feeds", type(exc).__name__).inc()
        return False
    return True


async def poll_feeds_forever(ctx: WorkerContext, fetcher: Fetcher) -> None:
    feeds_added = False
    while not ctx.stop.is_set():
        feeds_added = feeds_added or await _add_configured_feeds(ctx)
        try:
            await poll_due_feeds(ctx, fetcher)
        except (RedisError, OSError) as exc:
            log.warning("feed polling paused: %s", exc)
            ctx.metrics.errors.labels("feeds", type(exc).__name__).inc()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stop.wait(), timeout=1.0)
