"""`newswire submit`: queue URLs on the `urls` stream, refusing what is not an http(s) URL."""

from __future__ import annotations

from schemas import UrlRequest
from services.ingest.dedup import canonical_url
from services.runtime import streams
from services.runtime.connections import connect
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology


async def submit_urls(
    url: str, settings: Settings, urls: list[str], feed_url: str | None = None
) -> list[str]:
    """Queue each URL; returns an error line for each that is not an http(s) URL."""
    bad = []
    redis = connect(url, settings)
    try:
        await ensure_topology(redis, settings)
        for raw in urls:
            try:
                canonical_url(raw)
            except ValueError as exc:
                bad.append(f"{raw}: {exc}")
                continue
            await streams.publish(redis, [(settings.keys.urls, UrlRequest(url=raw, feed_url=feed_url))])
    finally:
        await redis.aclose()
    return bad


async def init_groups(url: str, settings: Settings) -> None:
    """Create every stream and consumer group (idempotent): what a cluster's init Job runs, so that
    autoscalers reading the groups' lag find them before any worker has started."""
    redis = connect(url, settings)
    try:
        await ensure_topology(redis, settings)
    finally:
        await redis.aclose()
