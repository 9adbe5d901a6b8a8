"""The public topics contract on a real Redis: plain JSON in `event`, read by any client and by our own
store, and a retention window that our groups' acknowledgements do not shorten."""

from __future__ import annotations

import json
import time
from typing import Any

from redis.asyncio import Redis

from schemas import Article, Event, article_id_for, content_hash
from services.extractor.worker import build_extractor
from services.runtime import retention, streams
from services.runtime.consumer import ReliableConsumer
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology
from services.store import db
from services.store.worker import build_store
from tests.schemas.test_schemas import make_event

ATTACK = "Russian forces fired 40 missiles at Kharkiv overnight, killing three people, officials said. "


def consumer_for(redis: Redis, settings: Settings, stream: str, group: str, sub) -> ReliableConsumer:  # type: ignore[no-untyped-def,type-arg]
    return ReliableConsumer(
        redis=redis, settings=settings, stream=settings.keys.stream(stream), group=group, model=sub.model,
        handle=sub.handle, handle_batch=sub.handle_batch, metrics=Metrics("t"), health=Health(30),
    )  # fmt: skip


async def test_events_are_plain_json_for_any_client_and_the_store_reads_them(
    redis: Redis, settings: Settings
) -> None:
    await ensure_topology(redis, settings)
    url = "https://news.test/kharkiv"
    article = Article(article_id=article_id_for(url), url=url, canonical_url=url, text=ATTACK,
                      content_hash=content_hash(ATTACK))  # fmt: skip
    extractor = build_extractor(settings, Metrics("extractor"))
    await streams.publish(redis, [(settings.keys.articles, article)])
    extract = consumer_for(redis, settings, "articles", "extractor", extractor.subscriptions[0])
    reply: Any = await redis.xreadgroup("extractor", "c", {extract.stream: ">"}, count=10)
    for entry_id, fields in reply[0][1]:
        await extract.process(entry_id.decode(), streams.decode(fields), 1)

    raw = await redis.xrange(settings.keys.events)
    assert raw, "the extractor published no event"
    for _, fields in raw:
        assert set(fields) == {b"event", b"event_type"}  # no FastStream envelope
        body = json.loads(fields[b"event"])
        assert body["kind"] == "event" and body["article_id"] == article.article_id
        assert fields[b"event_type"].decode() == body["event_type"]
    typed = await redis.xrange(settings.keys.topic("assault"))
    assert [json.loads(f[b"event"])["event_id"] for _, f in typed] == [
        json.loads(f[b"event"])["event_id"] for _, f in raw if f[b"event_type"] == b"assault"
    ]

    store = build_store(settings, Metrics("store"))
    events_sub = next(s for s in store.subscriptions if s.stream == "events")
    reader = consumer_for(redis, settings, "events", "store", events_sub)
    reply = await redis.xreadgroup("store", "c", {reader.stream: ">"}, count=100)
    await reader.process_batch([(i.decode(), streams.decode(f)) for i, f in reply[0][1]])
    assert (await redis.xpending(reader.stream, "store"))["pending"] == 0
    assert await redis.xlen(settings.keys.dead) == 0
    engine = db.make_engine(settings.sqlalchemy_url())
    try:
        assert (await db.counts(engine))["events"] == len(raw)
    finally:
        await engine.dispose()
        for hook in store.on_stop:
            await hook()


async def trim(redis: Redis, stream: str, maxlen: int) -> int:
    return await retention.trim_topic(
        redis, stream, retention_s=86_400, maxlen=maxlen, protect_groups=["store"]
    )


async def add_at(redis: Redis, stream: str, ms: int, event: Event) -> str:
    return (await redis.xadd(stream, await streams.encode(event), id=f"{ms}-0")).decode()


async def test_retention_keeps_a_time_window_whatever_groups_acknowledged(
    redis: Redis, settings: Settings
) -> None:
    stream = settings.keys.events
    now_ms = int(time.time() * 1000)
    hour = 3_600_000
    event = make_event()
    old = [await add_at(redis, stream, now_ms - (30 - i) * hour, event) for i in range(3)]  # 30..28 h
    recent = [await add_at(redis, stream, now_ms - (2 - i) * hour, event) for i in range(2)]  # 2..1 h
    await redis.xgroup_create(stream, "store", id="0")
    await redis.xgroup_create(stream, "someone-else", id="0")  # a subscriber's group: holds nothing back
    reply: Any = await redis.xreadgroup("store", "c", {stream: ">"}, count=5)
    await redis.xack(stream, "store", *[i for i, _ in reply[0][1]][1:])  # old[0] still pending

    removed = await trim(redis, stream, 100)
    ids = [i.decode() for i, _ in await redis.xrange(stream)]
    assert ids == old + recent and removed == 0  # the store has not acknowledged old[0]

    await redis.xack(stream, "store", old[0])
    removed = await trim(redis, stream, 100)
    ids = [i.decode() for i, _ in await redis.xrange(stream)]
    assert ids == recent and removed == 3  # acknowledged recent entries stay for subscribers

    more = [await add_at(redis, stream, now_ms - hour // 2 + i, event) for i in range(4)]
    await trim(redis, stream, 3)
    ids = [i.decode() for i, _ in await redis.xrange(stream)]
    assert ids == more  # over the cap, but the store has 4 unread: only acknowledged entries go
    reply = await redis.xreadgroup("store", "c", {stream: ">"}, count=1)
    await redis.xack(stream, "store", reply[0][1][0][0])
    removed = await trim(redis, stream, 3)
    ids = [i.decode() for i, _ in await redis.xrange(stream)]
    assert ids == more[1:]  # the length cap, since the store's unread entries fit in it


async def test_length_cap_never_drops_what_the_store_has_not_read(redis: Redis, settings: Settings) -> None:
    stream = settings.keys.events
    await redis.xgroup_create(stream, "store", id="0", mkstream=True)
    event = make_event()
    now_ms = int(time.time() * 1000)
    ids = [await add_at(redis, stream, now_ms + i, event) for i in range(6)]
    await trim(redis, stream, 2)
    assert [i.decode() for i, _ in await redis.xrange(stream)] == ids
    topic = settings.keys.topic("assault")  # no group protects a typed topic
    typed = [await add_at(redis, topic, now_ms + i, event) for i in range(6)]
    await retention.trim_public_topics(redis, settings)
    assert [i.decode() for i, _ in await redis.xrange(topic)] == typed  # within the window and the cap
    capped = settings.model_copy(update={"topic_maxlen": 2})
    await retention.trim_public_topics(redis, capped)
    assert [i.decode() for i, _ in await redis.xrange(topic)] == typed[-2:]
    assert await redis.xlen(stream) == 6
