"""Retention of the public topics (`events`, `events.<type>`): a time window and a length cap.

Subscribers outside the pipeline read these topics, so they are not trimmed as soon as our groups
acknowledge: entries stay for `topic_retention_s` (at most `topic_maxlen` of them), whatever any group
acknowledged. Our own groups (the store on `events`) are still protected: an entry one of them has not
acknowledged is never trimmed, so a stopped store loses nothing. Subscribers' groups hold nothing back.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from redis.asyncio import Redis

from services.runtime import streams
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, PUBLIC_TOPICS


async def trim_topic(
    redis: Redis,
    stream: str,
    *,
    retention_s: float,
    maxlen: int,
    protect_groups: Sequence[str] = (),
    now_s: float | None = None,
) -> int:
    """Drop entries older than the window, then the oldest beyond `maxlen`, but none that a group in
    `protect_groups` still needs. Returns how many entries were removed."""
    now_ms = int((time.time() if now_s is None else now_s) * 1000)
    window = (max(now_ms - int(retention_s * 1000), 0), 0)
    needed = await streams.acknowledged_floor(redis, stream, protect_groups) if protect_groups else None
    minid = window if needed is None else min(window, needed)
    removed = 0
    if minid > (0, 0):
        removed += int(await redis.xtrim(stream, minid=f"{minid[0]}-{minid[1]}", approximate=False))
    length = int(await redis.xlen(stream))
    if length <= maxlen:
        return removed
    unread = 0
    for group in protect_groups:
        unread = max(unread, await streams.group_lag(redis, stream, group))
    if unread <= maxlen:
        removed += int(await redis.xtrim(stream, maxlen=maxlen, approximate=False))
    elif needed is not None:  # over the cap with more unread than the cap: keep what is unread
        removed += int(await redis.xtrim(stream, minid=f"{needed[0]}-{needed[1]}", approximate=False))
    return removed


async def trim_public_topics(redis: Redis, settings: Settings) -> int:
    """Apply retention to every public topic, protecting what our own groups on it have not read."""
    removed = 0
    for name in PUBLIC_TOPICS:
        removed += await trim_topic(
            redis,
            settings.keys.stream(name),
            retention_s=settings.topic_retention_s,
            maxlen=settings.topic_maxlen,
            protect_groups=CONSUMER_GROUPS.get(name, ()),
        )
    return removed
