"""The feeds ingest polls: the Redis hash `feeds` (feed URL → JSON state), and finding a site's feed.

`newswire feeds add|list|remove`, `newswire run --feed` and `NEWSWIRE_FEEDS` go through here; the poll
loop (services/ingest/feed_poller.py) reads and updates the same state.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.asyncio import Redis

from services.ingest.feeds import discover_feeds, parse_feed
from services.ingest.fetcher import Fetcher, FetchError
from services.runtime import streams
from services.runtime.settings import Settings

log = logging.getLogger(__name__)


async def add_feed(redis: Redis, settings: Settings, url: str) -> bool:
    state = {"url": url, "next_poll": 0.0, "errors": 0}
    return bool(await redis.hsetnx(settings.keys.feeds, url, json.dumps(state)))


async def remove_feed(redis: Redis, settings: Settings, url: str) -> bool:
    keys = settings.keys
    removed = bool(await redis.hdel(keys.feeds, url))
    await redis.delete(keys.feed_entries(url), keys.feed_entries_seen(url))
    return removed


async def list_feeds(redis: Redis, settings: Settings) -> dict[str, dict[str, Any]]:
    raw = await redis.hgetall(settings.keys.feeds)
    return {streams.text(k): json.loads(v) for k, v in raw.items()}


async def resolve_feed_url(settings: Settings, url: str) -> str:
    """The feed behind `url`: itself when it is a feed, else the first feed its page links to."""
    fetcher = Fetcher.from_settings(settings)
    try:
        result = await fetcher.fetch(url)
    except FetchError as exc:
        log.warning("could not fetch %s to check it is a feed (%s); adding it as given", url, exc)
        return url
    finally:
        await fetcher.aclose()
    if result.status != 200 or parse_feed(result.body, url, headers=result.headers).entries:
        return url
    found = discover_feeds(result.body, result.final_url)
    return found[0] if found else url
