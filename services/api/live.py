"""GET /stream: Server-Sent Events from the `events` topic, one Redis reader per process.

The `Hub` runs one XREAD loop and offers each entry to every connected client's bounded queue; a
client whose queue is full is dropped (it reconnects with Last-Event-ID and loses nothing). No HTTP
client gets a consumer group. A client resuming from an id first reads its backlog with XRANGE up to
where the hub stood when it connected, then takes the hub's entries, so nothing repeats or is missed.
When entries after the client's id were trimmed, it gets `event: reset` and continues from the
oldest entry still held (it can backfill the gap from GET /events?updated_since=...).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.runtime import streams
from services.subscribe import ENTRY_ID

log = logging.getLogger(__name__)
Entry = tuple[str, bytes]  # (entry id, Event JSON)


def id_tuple(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@dataclass(eq=False)
class Client:
    queue: asyncio.Queue[Entry]
    dropped: asyncio.Event = field(default_factory=asyncio.Event)


class Hub:
    def __init__(self, redis: Redis, stream: str, queue_size: int, block_ms: int = 1000) -> None:
        self.redis = redis
        self.stream = stream
        self.queue_size = queue_size
        self.block_ms = block_ms
        self.clients: set[Client] = set()
        self.position = "0-0"
        self.dropped_total = 0
        self.ready = asyncio.Event()

    def connect(self) -> tuple[Client, str]:
        """A new client, and the id up to which it must read its backlog itself."""
        client = Client(asyncio.Queue(self.queue_size))
        self.clients.add(client)
        return client, self.position

    def disconnect(self, client: Client) -> None:
        self.clients.discard(client)

    def _offer(self, entry: Entry) -> None:
        for client in list(self.clients):
            try:
                client.queue.put_nowait(entry)
            except asyncio.QueueFull:  # too slow: drop it rather than buffer without bound
                self.clients.discard(client)
                client.dropped.set()
                self.dropped_total += 1

    async def run(self, stop: asyncio.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            try:
                if not self.ready.is_set():
                    self.position = await last_id(self.redis, self.stream)
                    self.ready.set()
                reply: Any = await self.redis.xread(
                    {self.stream: self.position}, count=500, block=self.block_ms
                )
                delay = 0.2
            except (RedisError, OSError) as exc:
                log.warning("stream reader: %s; retrying in %.1fs", type(exc).__name__, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, 10.0)
                continue
            for _, entries in reply or []:
                for raw_id, fields in entries:
                    self.position = streams.text(raw_id)  # set and fanned out with no await between
                    self._offer((self.position, streams.decode(fields)))


async def last_id(redis: Redis, stream: str) -> str:
    try:
        info = await redis.xinfo_stream(stream)
    except ResponseError:
        return "0-0"
    return streams.text(info["last-generated-id"])


async def trimmed_after(redis: Redis, stream: str, since: str) -> str | None:
    """If entries after `since` may have been trimmed, the id of the oldest entry still held ("0-0" when
    none is); None when nothing after `since` was lost.

    Trimming (XTRIM, XADD MAXLEN/MINID) removes the oldest entries only, so entries after `since` were
    lost exactly when `since` is older than the first entry the stream holds, read with XRANGE - + COUNT 1
    (or, for a stream trimmed empty, older than its last generated id). An id at or after the first entry
    held lost nothing, whatever XINFO's `max-deleted-entry-id` says: on Redis 7.0 XDEL of any entry moves
    it and trimming does not, so it tells nothing about a gap. When `since` was itself the last entry
    trimmed, nothing after it may be missing, but that cannot be told apart: the reset is then harmless."""
    after = id_tuple(since)
    if after == (0, 0):  # from the beginning: whatever is held
        return None
    first: Any = await redis.xrange(stream, "-", "+", count=1)
    if first:
        first_id = streams.text(first[0][0])
        return first_id if id_tuple(first_id) > after else None
    try:
        info = await redis.xinfo_stream(stream)
    except ResponseError:  # no such stream: nothing was ever there
        return None
    return "0-0" if id_tuple(streams.text(info["last-generated-id"])) > after else None


def start_id(last_event_id: str | None, since: str | None) -> str | None:
    """Where a client resumes: Last-Event-ID, else ?since=ID|0, else now (None). Raises on a bad id."""
    value = last_event_id or since
    if value is None or value == "now":
        return None
    if not ENTRY_ID.match(value):
        raise ValueError(value)
    return value


async def sse_events(
    hub: Hub, since: str | None, matches: Any, heartbeat_s: float, disconnected: Any
) -> AsyncIterator[ServerSentEvent]:
    client, hub_at = hub.connect()
    try:
        yield ServerSentEvent(comment="connected", retry=3000)
        last = hub_at
        if since is not None:
            last = since
            oldest = await trimmed_after(hub.redis, hub.stream, since)
            if oldest is not None:
                yield ServerSentEvent(event="reset", data=json.dumps({"since": since, "first_id": oldest}))
                last = "0"
            while id_tuple(last) < id_tuple(hub_at):  # the backlog, up to where the hub stood
                chunk: Any = await hub.redis.xrange(hub.stream, min="(" + last if last != "0" else "-",
                                                    max=hub_at, count=500)  # fmt: skip
                if not chunk:
                    break
                for raw_id, fields in chunk:
                    last = streams.text(raw_id)
                    body = streams.decode(fields)
                    if _wanted(body, matches):
                        yield ServerSentEvent(data=body.decode(), id=last)
            last = max(last, hub_at, key=id_tuple)
        while not client.dropped.is_set():
            if await disconnected():
                return
            try:
                entry_id, body = await asyncio.wait_for(client.queue.get(), timeout=heartbeat_s)
            except TimeoutError:
                continue  # sse-starlette sends the heartbeat comments
            if id_tuple(entry_id) <= id_tuple(last):
                continue
            last = entry_id
            if _wanted(body, matches):
                yield ServerSentEvent(data=body.decode(), id=entry_id)
    finally:
        hub.disconnect(client)


def _wanted(body: bytes, matches: Any) -> bool:
    try:
        event = json.loads(body)
    except ValueError:
        return False
    return isinstance(event, dict) and bool(matches(event))


def stream_response(events: AsyncIterator[ServerSentEvent], heartbeat_s: float) -> EventSourceResponse:
    return EventSourceResponse(
        events, ping=max(1, int(heartbeat_s)), send_timeout=30, headers={"X-Accel-Buffering": "no"}
    )
