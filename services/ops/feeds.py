"""`newswire feeds add|list|remove`: the feeds ingest polls (services/ingest/feed_registry.py)."""

from __future__ import annotations

import json

from services.ingest import feed_registry
from services.runtime.connections import redis_client
from services.runtime.settings import Settings


async def list_lines(url: str, settings: Settings, as_json: bool) -> list[str]:
    async with redis_client(url, settings) as redis:
        feeds = await feed_registry.list_feeds(redis, settings)
    return [json.dumps({"url": feed, **state}) if as_json else feed for feed, state in feeds.items()]


async def add(url: str, settings: Settings, targets: list[str]) -> list[str]:
    """Add each feed (a site's page adds the feed it links to); one line per target."""
    lines = []
    async with redis_client(url, settings) as redis:
        for target in targets:
            resolved = await feed_registry.resolve_feed_url(settings, target)
            added = await feed_registry.add_feed(redis, settings, resolved)
            lines.append(f"{'added' if added else 'already present'}: {resolved}")
    return lines


async def remove(url: str, settings: Settings, targets: list[str]) -> list[str]:
    lines = []
    async with redis_client(url, settings) as redis:
        for target in targets:
            removed = await feed_registry.remove_feed(redis, settings, target)
            lines.append(f"{'removed' if removed else 'not present'}: {target}")
    return lines
