"""`newswire subscribe`: the events topic as JSON lines, from a given entry id or now, optionally through
a durable consumer group that acknowledges each event once its line is written.

It reads `events` (one cursor for every type) and filters by type and country itself. Without a group
it is a plain XREAD cursor; with `--group` it first takes back what this consumer had read but not
acknowledged (a crash between reading and writing), then new entries, so a restarted subscriber
resumes where it stopped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from services.runtime import streams
from services.runtime.settings import Settings

ENTRY_ID = re.compile(r"^\d+(-\d+)?$")
BLOCK_MS = 1000


@dataclass(frozen=True)
class Subscription:
    types: Sequence[str] = ()
    country: str | None = None
    since: str = "now"  # an entry id, 0 for everything retained, or now
    group: str | None = None
    consumer: str = "subscriber"
    count: int | None = None

    def start_id(self) -> str:
        if self.since == "now":
            return "$"
        if not ENTRY_ID.match(self.since):
            raise ValueError(f"--since must be an entry id, 0 or now, not {self.since!r}")
        return self.since

    def matches(self, event: Mapping[str, Any]) -> bool:
        if self.types and event.get("event_type") not in self.types:
            return False
        if self.country:
            where = event.get("location") or {}
            if (where.get("country") or "").upper() != self.country.upper():
                return False
        return True


def _event(fields: Mapping[bytes, bytes]) -> tuple[str, dict[str, Any] | None]:
    body = streams.decode(fields)
    try:
        parsed = json.loads(body)
    except ValueError:
        return body.decode(errors="replace"), None
    return body.decode(), parsed if isinstance(parsed, dict) else None


async def _last_id(redis: Redis, stream: str) -> str:
    """The id XREAD's `$` stands for, fixed once so that nothing arriving between two reads is missed."""
    try:
        info = await redis.xinfo_stream(stream)
    except ResponseError:  # no such stream yet
        return "0-0"
    return streams.text(info["last-generated-id"])


@dataclass
class _Writer:
    """Writes the matching events of a subscription and counts them."""

    sub: Subscription
    out: TextIO
    written: int = 0

    def emit(self, fields: Mapping[bytes, bytes]) -> None:
        body, event = _event(fields)
        if event is None or not self.sub.matches(event):
            return
        self.out.write(body + "\n")
        self.out.flush()
        self.written += 1

    def done(self) -> bool:
        return self.sub.count is not None and self.written >= self.sub.count

    def batch(self) -> int:  # read no more than is left to write, so a group keeps nothing pending at exit
        return 100 if self.sub.count is None else max(1, min(100, self.sub.count - self.written))


async def subscribe(redis: Redis, settings: Settings, sub: Subscription, out: TextIO) -> int:
    """Write matching events to `out` until `sub.count` lines (forever without one); returns the lines."""
    writer = _Writer(sub, out)
    if sub.group is None:
        await _follow(redis, settings.keys.events, sub.start_id(), writer)
    else:
        await _follow_group(redis, settings.keys.events, sub.start_id(), sub.group, writer)
    return writer.written


async def _follow(redis: Redis, stream: str, start: str, writer: _Writer) -> None:
    cursor = await _last_id(redis, stream) if start == "$" else start
    while not writer.done():
        reply: Any = await redis.xread({stream: cursor}, count=writer.batch(), block=BLOCK_MS)
        for _, entries in reply or []:
            for entry_id, fields in entries:
                cursor = streams.text(entry_id)
                writer.emit(fields)
                if writer.done():
                    return


async def _follow_group(redis: Redis, stream: str, start: str, group: str, writer: _Writer) -> None:
    try:
        await redis.xgroup_create(stream, group, id=start, mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    consumer = writer.sub.consumer
    position = "0"  # first what this consumer read and did not acknowledge, then new entries
    while not writer.done():
        block = None if position == "0" else BLOCK_MS
        count = writer.batch()
        answer: Any = await redis.xreadgroup(group, consumer, {stream: position}, count=count, block=block)
        entries = [e for _, chunk in answer or [] for e in chunk]
        if position == "0" and not entries:
            position = ">"
            continue
        for entry_id, fields in entries:
            if fields:  # an entry trimmed while pending has no fields left
                writer.emit(fields)
            await redis.xack(stream, group, entry_id)  # after its line is written
            if writer.done():
                return
