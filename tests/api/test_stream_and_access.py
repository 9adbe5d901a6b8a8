"""GET /stream (SSE) on a real Redis, and API keys, CORS, health, metrics and the documents."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis

from schemas import Event
from services.api.live import Hub, trimmed_after
from services.runtime import streams
from services.runtime.settings import Settings
from tests.api.harness import sample_event, serve, store


def publish(settings: Settings, events: list[Event]) -> list[str]:
    async def go() -> list[str]:
        redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
        try:
            return await streams.publish(redis, [(settings.keys.events, e) for e in events])
        finally:
            await redis.aclose()

    return asyncio.run(go())


@pytest.fixture
def live(settings: Settings, redis_url: str) -> Iterator[tuple[str, Settings]]:
    settings = settings.model_copy(update={"api_heartbeat_s": 1.0})
    asyncio.run(store(settings.sqlalchemy_url(), []))
    with serve(settings, redis_url) as base:
        yield base, settings


def read_sse(
    url: str,
    *,
    until: int,
    headers: dict[str, str] | None = None,
    on_open: Any = None,
    max_lines: int = 10_000,
) -> list[dict[str, str]]:
    """Read messages (comments included, as {"comment": ...}) until `until` non-comment messages."""
    out: list[dict[str, str]] = []
    current: dict[str, str] = {}
    with httpx.stream("GET", url, headers=headers, timeout=httpx.Timeout(30, read=20)) as reply:
        assert reply.status_code == 200, reply.read()
        assert reply.headers["content-type"].startswith("text/event-stream")
        for n, line in enumerate(reply.iter_lines()):
            if line == "":
                if current:
                    out.append(current)
                    if "comment" in current and current["comment"] == "connected" and on_open:
                        on_open()
                current = {}
                if sum(1 for m in out if "data" in m) >= until or n > max_lines:
                    return out
                continue
            field, _, value = line.partition(":")
            current["comment" if field == "" else field] = value.strip()
    return out


def data_ids(messages: list[dict[str, str]]) -> list[str]:
    return [json.loads(m["data"])["event_id"] for m in messages if "data" in m and m.get("event") != "reset"]


def test_since_filters_and_resume(live: tuple[str, Settings]) -> None:
    base, settings = live
    events = [sample_event(1), sample_event(2, event_type="protest", country="FRA"), sample_event(3)]
    entry_ids = publish(settings, events)
    got = read_sse(f"{base}/stream?since=0", until=3)
    messages = [m for m in got if "data" in m]
    assert [m["id"] for m in messages] == entry_ids
    assert Event.model_validate_json(messages[1]["data"]) == events[1]
    assert data_ids(read_sse(f"{base}/stream?since=0&event_type=protest", until=1)) == ["e000002"]
    resumed = read_sse(f"{base}/stream", until=1, headers={"Last-Event-ID": entry_ids[1]})
    assert data_ids(resumed) == ["e000003"]  # strictly after the last id seen


def test_live_entries_reach_a_connected_client_and_heartbeats_flow(live: tuple[str, Settings]) -> None:
    base, settings = live
    publish(settings, [sample_event(1)])  # before connecting: not sent without since

    def publish_later() -> None:
        publish(settings, [sample_event(2), sample_event(3, country="RUS")])

    def on_open() -> None:
        threading.Timer(0.3, publish_later).start()

    got = read_sse(f"{base}/stream?country=RUS", until=1, on_open=on_open)
    assert data_ids(got) == ["e000003"]  # not e000001, published before it connected
    idle = read_sse(f"{base}/stream", until=1, max_lines=12, on_open=None)
    assert any(m.get("comment", "").startswith("ping") for m in idle)  # heartbeats while idle


def test_reset_when_the_resume_id_was_trimmed(live: tuple[str, Settings]) -> None:
    base, settings = live
    entry_ids = publish(settings, [sample_event(n) for n in range(1, 6)])

    async def trim() -> None:
        redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
        await redis.xtrim(settings.keys.events, minid=entry_ids[3], approximate=False)
        await redis.aclose()

    asyncio.run(trim())
    got = read_sse(f"{base}/stream?since={entry_ids[0]}", until=3)
    reset = next(m for m in got if "data" in m)
    assert reset["event"] == "reset" and json.loads(reset["data"])["first_id"] == entry_ids[3]
    assert data_ids(got) == ["e000004", "e000005"]
    untouched = read_sse(f"{base}/stream?since={entry_ids[3]}", until=1)
    assert all(m.get("event") != "reset" for m in untouched) and data_ids(untouched) == ["e000005"]


def test_a_resume_from_an_id_still_held_gets_no_reset(live: tuple[str, Settings]) -> None:
    """An entry deleted after the resume id (XDEL moves `max-deleted-entry-id` on Redis 7.0) and the
    oldest entries trimmed before it: nothing after the id was trimmed, so no reset."""
    base, settings = live
    entry_ids = publish(settings, [sample_event(n) for n in range(1, 6)])

    async def trim_and_delete() -> None:
        redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
        await redis.xtrim(settings.keys.events, minid=entry_ids[1], approximate=False)
        await redis.xdel(settings.keys.events, entry_ids[3])
        await redis.aclose()

    asyncio.run(trim_and_delete())
    got = read_sse(f"{base}/stream", until=1, headers={"Last-Event-ID": entry_ids[1]})
    assert all(m.get("event") != "reset" for m in got) and data_ids(got) == ["e000003"]
    gone = read_sse(f"{base}/stream", until=2, headers={"Last-Event-ID": entry_ids[0]})
    assert gone[1]["event"] == "reset" and json.loads(gone[1]["data"])["first_id"] == entry_ids[1]


async def test_the_gap_check_compares_with_the_first_entry_held(redis: Redis, settings: Settings) -> None:
    stream = settings.keys.events
    ids = [streams.text(await redis.xadd(stream, {"n": str(n)})) for n in range(6)]
    await redis.xtrim(stream, minid=ids[2], approximate=False)  # ids[0] and ids[1] trimmed
    await redis.xdel(stream, ids[4])  # deleted, not trimmed
    assert [await trimmed_after(redis, stream, i) for i in ids] == [ids[2], ids[2], None, None, None, None]
    assert await trimmed_after(redis, stream, "0") is None  # from the beginning
    await redis.xtrim(stream, maxlen=0, approximate=False)  # trimmed empty
    assert await trimmed_after(redis, stream, ids[3]) == "0-0"
    assert await trimmed_after(redis, stream, ids[5]) is None  # had seen everything
    assert await trimmed_after(redis, f"{stream}.none", ids[3]) is None  # no such stream


def test_bad_stream_parameters_get_400(live: tuple[str, Settings]) -> None:
    base, _ = live
    for query, name in (("since=yesterday", "since"), ("bbox=1", "bbox"), ("colour=1", "colour")):
        reply = httpx.get(f"{base}/stream?{query}", timeout=10)
        assert reply.status_code == 400 and reply.json()["parameter"] == name
    reply = httpx.get(f"{base}/stream", headers={"Last-Event-ID": "drop table"}, timeout=10)
    assert reply.status_code == 400


async def test_a_slow_client_is_dropped_and_others_get_everything(redis: Redis, settings: Settings) -> None:
    hub = Hub(redis, settings.keys.events, queue_size=2, block_ms=100)
    stop = asyncio.Event()
    task = asyncio.create_task(hub.run(stop))
    await asyncio.wait_for(hub.ready.wait(), 10)
    slow, _ = hub.connect()
    fast, _ = hub.connect()
    received: list[str] = []

    async def drain() -> None:
        while len(received) < 5:
            entry_id, _ = await fast.queue.get()
            received.append(entry_id)

    drainer = asyncio.create_task(drain())
    entry_ids = []
    for n in range(5):
        entry_ids += await streams.publish(redis, [(settings.keys.events, sample_event(n))])
        await asyncio.sleep(0.15)
    await asyncio.wait_for(drainer, 10)
    stop.set()
    await task
    assert received == entry_ids
    assert slow.dropped.is_set() and slow not in hub.clients and slow.queue.qsize() == 2
    assert hub.dropped_total == 1 and fast in hub.clients


def test_api_keys_cors_health_metrics_and_documents(settings: Settings, redis_url: str) -> None:
    settings = settings.model_copy(
        update={"api_keys": SecretStr("k1, k2"), "api_cors_origins": ["https://viewer.test"]}
    )
    asyncio.run(store(settings.sqlalchemy_url(), [sample_event(1)]))
    with serve(settings, redis_url) as base:
        assert httpx.get(f"{base}/events", timeout=10).status_code == 401
        assert httpx.get(f"{base}/events", headers={"X-API-Key": "nope"}, timeout=10).status_code == 401
        assert httpx.get(f"{base}/events", headers={"X-API-Key": "k2"}, timeout=10).status_code == 200
        ok = httpx.get(f"{base}/events", headers={"Authorization": "Bearer k1"}, timeout=10)
        assert ok.status_code == 200 and ok.json()["events"][0]["event_id"] == "e000001"
        assert httpx.get(f"{base}/events?api_key=k1", timeout=10).status_code == 200
        for path in ("/", "/stream", "/metrics", "/asyncapi.json", "/openapi.json", "/events/e000001"):
            assert httpx.get(base + path, timeout=10).status_code == 401, path
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 200 and health.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
        }

        key = {"X-API-Key": "k1"}
        cors = httpx.get(f"{base}/events", headers={**key, "Origin": "https://viewer.test"}, timeout=10)
        assert cors.headers["access-control-allow-origin"] == "https://viewer.test"
        other = httpx.get(f"{base}/events", headers={**key, "Origin": "https://evil.test"}, timeout=10)
        assert "access-control-allow-origin" not in other.headers

        metrics = httpx.get(f"{base}/metrics", headers=key, timeout=10).text
        assert 'newswire_api_requests_total{route="/events",status="401"}' in metrics
        assert 'newswire_api_requests_total{route="/events",status="200"}' in metrics
        openapi = httpx.get(f"{base}/openapi.json", headers=key, timeout=10).json()
        names = {p["name"] for p in openapi["paths"]["/events"]["get"]["parameters"]}
        assert {"event_type", "datetime", "bbox", "cursor", "f", "min_killed", "q"} <= names
        asyncapi = httpx.get(f"{base}/asyncapi.json", headers=key, timeout=10).json()
        assert asyncapi["asyncapi"] == "3.0.0" and settings.keys.events in {
            c["address"] for c in asyncapi["channels"].values()
        }
