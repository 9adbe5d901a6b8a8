"""Stream entries: how messages are encoded on Redis streams, published, inspected and trimmed.

Public topics (`events`, `events.<type>`) carry the Event as plain JSON in the field `event`, with
`event_type` beside it, and `incidents` the Incident in the field `incident`, with `incident_id` and
`version` beside it, so any client reads them with XRANGE/XREAD and no FastStream parser; our own
workers read those same entries. Internal streams (urls, articles, dead) use FastStream's binary
message format in the `__data__` field. An entry written by an outside producer in another shape
(plain fields, raw JSON) is decoded as FastStream would.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from faststream.redis.message import bDATA_KEY
from faststream.redis.parser import BinaryMessageFormatV1
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from schemas import Event, Incident

EVENT_FIELD = b"event"
EVENT_TYPE_FIELD = b"event_type"
INCIDENT_FIELD = b"incident"

Entry = tuple[str, BaseModel]


@dataclass(frozen=True)
class RedisCommand:
    """A Redis command a handler wants run in the same transaction as its outputs and the ack."""

    args: tuple[str | bytes | int | float, ...]


@dataclass(frozen=True)
class TopicEntry:
    """An entry on a topic no consumer group of ours reads (`events.<type>`): kept to about `maxlen`
    entries (XADD MAXLEN ~), since nothing acknowledges it and it would otherwise grow for good."""

    stream: str
    model: BaseModel
    maxlen: int


Output = Entry | RedisCommand | TopicEntry


# A handler's entries and the acknowledgement of its input in one command, atomically like MULTI/EXEC:
# each payload is sent once and added to every stream it goes on (an event on `events` and on its
# `events.<type>` topic), and the XACK comes last, so a failed XADD leaves the input pending.
# KEYS: the input stream, then the output streams. ARGV: the group, the number of ids, the ids; then
# per payload: its number of streams, (key index, MAXLEN ~ or 0 for none) per stream, its number of
# fields, then field, value, ...
PUBLISH_AND_ACK = """
local n_ids = tonumber(ARGV[2])
local i = 3 + n_ids
while i <= #ARGV do
  local n_streams = tonumber(ARGV[i])
  local at = i + 1
  local n_fields = tonumber(ARGV[at + 2 * n_streams])
  local first = at + 2 * n_streams + 1
  local last = first + 2 * n_fields - 1
  for s = 0, n_streams - 1 do
    local key, maxlen = KEYS[tonumber(ARGV[at + 2 * s])], ARGV[at + 2 * s + 1]
    if maxlen == "0" then
      redis.call("XADD", key, "*", unpack(ARGV, first, last))
    else
      redis.call("XADD", key, "MAXLEN", "~", maxlen, "*", unpack(ARGV, first, last))
    end
  end
  i = last + 1
end
if n_ids > 0 then
  redis.call("XACK", KEYS[1], ARGV[1], unpack(ARGV, 3, 2 + n_ids))
end
return n_ids
"""


@functools.cache
def _number(n: int) -> bytes:
    return str(n).encode()


async def publish_and_ack_arguments(
    stream: str, group: str, ids: Sequence[str], outputs: Sequence[Entry | TopicEntry]
) -> tuple[list[str], list[bytes | str]]:
    """KEYS and ARGV of PUBLISH_AND_ACK: each model encoded once, with every stream it goes on. Numbers
    go as bytes already, the cheapest argument for redis-py to pack (about 250 per extracted article)."""
    keys: dict[str, bytes] = {stream: b"1"}
    payloads: dict[int, tuple[BaseModel, list[bytes]]] = {}
    for output in outputs:
        name, model, maxlen = (
            (output.stream, output.model, output.maxlen)
            if isinstance(output, TopicEntry)
            else (output[0], output[1], 0)
        )
        index = keys.get(name) or keys.setdefault(name, _number(len(keys) + 1))
        payloads.setdefault(id(model), (model, []))[1].extend((index, _number(maxlen)))
    args: list[bytes | str] = [group, _number(len(ids)), *ids]
    for model, targets in payloads.values():
        fields = await encode(model)
        args.append(_number(len(targets) // 2))
        args += targets
        args.append(_number(len(fields)))
        for field, value in fields.items():
            args += (field, value)
    return list(keys), args


def _correlation_id(model: BaseModel) -> str:
    for attr in ("event_id", "article_id", "request_id", "dead_letter_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return ""


async def encode(model: BaseModel) -> dict[bytes, bytes]:
    body = model.model_dump_json().encode()
    if isinstance(model, Event):
        return {EVENT_FIELD: body, EVENT_TYPE_FIELD: model.event_type.encode()}
    if isinstance(model, Incident):
        version = str(model.version).encode()
        return {INCIDENT_FIELD: body, b"incident_id": model.incident_id.encode(), b"version": version}
    data = await BinaryMessageFormatV1.encode(
        message=body,
        reply_to=None,
        headers={"content-type": "application/json", "schema": type(model).__name__},
        correlation_id=_correlation_id(model),
    )
    return {bDATA_KEY: data}


def raw_fields(body: bytes) -> dict[bytes, bytes]:
    """Fields for a body already serialised (a replayed dead letter): an Event goes back as plain JSON
    in `event`, anything else in `__data__` as FastStream reads it."""
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("kind") == "event":
        return {EVENT_FIELD: body, EVENT_TYPE_FIELD: str(parsed.get("event_type", "")).encode()}
    return {bDATA_KEY: body}


def decode(fields: Mapping[bytes, bytes]) -> bytes:
    """The message body of a stream entry, whatever shape its producer wrote."""
    event = fields.get(EVENT_FIELD, fields.get(INCIDENT_FIELD))
    if event is not None:
        return event
    raw = fields.get(bDATA_KEY)
    if raw is None:
        plain = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in fields.items()}
        return json.dumps(plain).encode()
    body, _headers = BinaryMessageFormatV1.parse(raw)
    return body


async def publish(redis: Redis, entries: Sequence[Entry]) -> list[str]:
    """XADD every entry in one round trip; returns the new entry ids."""
    if not entries:
        return []
    async with redis.pipeline(transaction=True) as pipe:
        for stream, model in entries:
            pipe.xadd(stream, await encode(model))  # type: ignore[arg-type]
        ids = await pipe.execute()
    return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _id_tuple(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


async def group_info(redis: Redis, stream: str) -> list[dict[str, Any]]:
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError as exc:
        if "no such key" in str(exc).lower():  # the stream does not exist yet: it has no groups
            return []
        raise
    out = []
    for g in groups:
        name = g["name"].decode() if isinstance(g["name"], bytes) else str(g["name"])
        last = g.get("last-delivered-id", b"0-0")
        out.append(
            {
                "group": name,
                "pending": int(g.get("pending", 0)),
                "lag": None if g.get("lag") is None else int(g["lag"]),
                "last_delivered_id": last.decode() if isinstance(last, bytes) else str(last),
                "consumers": int(g.get("consumers", 0)),
            }
        )
    return out


async def group_lag(redis: Redis, stream: str, group: str) -> int:
    """Entries not yet delivered to the group plus those delivered but not acknowledged."""
    for g in await group_info(redis, stream):
        if g["group"] == group:
            lag = g["lag"]
            if lag is None:  # Redis < 7 or after a deletion: count what follows the last delivered id
                lag = len(await redis.xrange(stream, min="(" + g["last_delivered_id"], count=100_000) or [])
            return int(lag) + int(g["pending"])
    return int(await redis.xlen(stream))


async def acknowledged_floor(
    redis: Redis, stream: str, groups: Sequence[str] | None = None
) -> tuple[int, int] | None:
    """The smallest entry id some group (of `groups`, or any) still needs: its oldest pending entry, or
    the one after its last delivered. None when the stream has no such group."""
    floor: tuple[int, int] | None = None
    for g in await group_info(redis, stream):
        if groups is not None and g["group"] not in groups:
            continue
        if g["pending"]:
            summary = await redis.xpending(stream, g["group"])
            oldest = summary["min"]
            bound = _id_tuple(oldest.decode() if isinstance(oldest, bytes) else str(oldest))
        else:
            ms, seq = _id_tuple(g["last_delivered_id"])
            bound = (ms, seq + 1)
        floor = bound if floor is None or bound < floor else floor
    return floor


async def trim_acknowledged(redis: Redis, stream: str) -> int:
    """Drop only entries every group has delivered and acknowledged (XTRIM MINID); never unread ones."""
    floor = await acknowledged_floor(redis, stream)
    if floor is None or floor <= (0, 1):
        return 0
    return int(await redis.xtrim(stream, minid=f"{floor[0]}-{floor[1]}", approximate=False))


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if not str(exc).startswith("BUSYGROUP"):  # the group exists already: nothing to do
            raise
