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


async def subscribe(redis: Redis, settings: Settings, sub: Subscription, out: TextIO) -> int:
    """Write matching events to `out` until `sub.count` lines (forever without one); returns the lines."""
    stream = settings.keys.events
    start = sub.start_id()
    written = 0

    def emit(body: str, event: dict[str, Any] | None) -> bool:
        nonlocal written
        if event is None or not sub.matches(event):
            return False
        out.write(body + "\n")
        out.flush()
        written += 1
        return True

    def done() -> bool:
        return sub.count is not None and written >= sub.count

    def batch() -> int:  # read no more than is left to write, so a group keeps nothing pending at exit
        return 100 if sub.count is None else max(1, min(100, sub.count - written))

    if sub.group is None:
        cursor = await _last_id(redis, stream) if start == "$" else start
        while not done():
            reply: Any = await redis.xread({stream: cursor}, count=batch(), block=BLOCK_MS)
            for _, entries in reply or []:
                for entry_id, fields in entries:
                    cursor = streams.text(entry_id)
                    emit(*_event(fields))
                    if done():
                        return written
        return written

    try:
        await redis.xgroup_create(stream, sub.group, id=start, mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise
    position = "0"  # first what this consumer read and did not acknowledge, then new entries
    while not done():
        block = None if position == "0" else BLOCK_MS
        answer: Any = await redis.xreadgroup(
            sub.group, sub.consumer, {stream: position}, count=batch(), block=block
        )
        entries = [e for _, chunk in answer or [] for e in chunk]
        if position == "0" and not entries:
            position = ">"
            continue
        for entry_id, fields in entries:
            if fields:  # an entry trimmed while pending has no fields left
                emit(*_event(fields))
            await redis.xack(stream, sub.group, entry_id)  # after its line is written
            if done():
                return written
    return written
