"""Delivery guarantees on a real Redis: ack after publish, reclaim, dead letters, replay, trimming."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from redis.asyncio import Redis

from schemas import UrlRequest
from services.ops.dlq import dead_letters, run_dlq
from services.runtime import streams
from services.runtime.consumer import ReliableConsumer
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output
from services.runtime.worker import Subscription, WorkerSpec, run_worker


def make_consumer(redis: Redis, settings: Settings, handle, group: str = "g") -> ReliableConsumer[UrlRequest]:  # type: ignore[no-untyped-def]
    return ReliableConsumer(
        redis=redis, settings=settings, stream=settings.keys.urls, group=group, model=UrlRequest,
        handle=handle, metrics=Metrics("test"), health=Health(30),
    )  # fmt: skip


async def read_new(
    redis: Redis, consumer: ReliableConsumer[UrlRequest], name: str
) -> list[tuple[str, bytes]]:
    reply = await redis.xreadgroup(consumer.group, name, {consumer.stream: ">"}, count=100)
    return [(i.decode(), streams.decode(f)) for _, entries in reply for i, f in entries]


async def test_outputs_published_and_input_acked_together(redis: Redis, settings: Settings) -> None:
    async def handle(msg: UrlRequest) -> Sequence[Output]:
        return [(settings.keys.stream("out"), msg)]

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/1"))])
    for entry_id, body in await read_new(redis, consumer, "c1"):
        await consumer.process(entry_id, body, 1)
    assert await redis.xlen(settings.keys.stream("out")) == 1
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


async def test_poison_message_is_dead_lettered_after_max_deliveries_and_replays(
    redis: Redis, settings: Settings, redis_url: str
) -> None:
    calls = 0

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/poison"))])
    for entry_id, body in await read_new(redis, consumer, "c1"):
        await consumer.process(entry_id, body, 1)
    assert await redis.xlen(settings.keys.dead) == 0
    for _ in range(settings.max_deliveries + 2):
        await asyncio.sleep(settings.reclaim_idle_ms / 1000 + 0.05)
        await consumer.reclaim_once("c2")
    assert calls == settings.max_deliveries
    letters = await dead_letters(redis, settings, [])
    assert len(letters) == 1
    letter = letters[0][1]
    assert letter is not None
    assert (letter.error_type, letter.error, letter.attempts) == (
        "RuntimeError",
        "boom",
        settings.max_deliveries,
    )
    assert letter.stream == consumer.stream and letter.group == "g"
    assert UrlRequest.model_validate_json(letter.payload).url == "https://a.test/poison"
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0

    assert await run_dlq(redis_url, settings, "replay", []) == 0
    assert await redis.xlen(settings.keys.dead) == 0
    replayed = await read_new(redis, consumer, "c1")
    assert [UrlRequest.model_validate_json(b).url for _, b in replayed] == ["https://a.test/poison"]


async def test_invalid_and_non_json_entries_are_dead_lettered_at_once(
    redis: Redis, settings: Settings
) -> None:
    async def handle(msg: UrlRequest) -> Sequence[Output]:
        return []

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await redis.xadd(consumer.stream, {"__data__": b"not json at all"})
    await redis.xadd(consumer.stream, {"url": ""})  # an outside producer's plain fields, schema-invalid
    await redis.xadd(consumer.stream, {"url": "https://a.test/plain"})  # plain fields, valid
    for entry_id, body in await read_new(redis, consumer, "c1"):
        await consumer.process(entry_id, body, 1)
    letters = [letter for _, letter in await dead_letters(redis, settings, [])]
    assert [le.error_type for le in letters if le] == ["InvalidMessage", "InvalidMessage"]
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


async def test_pending_entries_of_a_dead_consumer_are_reclaimed(redis: Redis, settings: Settings) -> None:
    handled: list[str] = []

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        handled.append(msg.url)
        return []

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url=f"https://a.test/{i}")) for i in range(5)])
    assert len(await read_new(redis, consumer, "died")) == 5  # read, never acked: the consumer died
    await asyncio.sleep(settings.reclaim_idle_ms / 1000 + 0.05)
    assert await consumer.reclaim_once("survivor") == 5
    assert sorted(handled) == [f"https://a.test/{i}" for i in range(5)]
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


async def test_trim_keeps_everything_a_group_has_not_acknowledged(redis: Redis, settings: Settings) -> None:
    stream = settings.keys.articles
    for group in ("fast", "slow"):
        await streams.ensure_group(redis, stream, group)
    await streams.publish(redis, [(stream, UrlRequest(url=f"https://a.test/{i}")) for i in range(10)])
    fast = await redis.xreadgroup("fast", "c", {stream: ">"}, count=10)
    await redis.xack(stream, "fast", *[i for _, entries in fast for i, _ in entries])
    slow = await redis.xreadgroup("slow", "c", {stream: ">"}, count=4)
    slow_ids = [i for _, entries in slow for i, _ in entries]
    await redis.xack(stream, "slow", *slow_ids[:2])  # two acked, two pending, six undelivered
    assert await streams.trim_acknowledged(redis, stream) == 2
    assert await redis.xlen(stream) == 8
    assert await streams.group_lag(redis, stream, "slow") == 8


async def test_worker_consumes_through_faststream_and_stops_on_request(settings: Settings) -> None:
    seen: list[str] = []

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        seen.append(msg.url)
        return [(settings.keys.stream("out"), msg)]

    spec = WorkerSpec(name="test", group="test", subscriptions=[Subscription("urls", UrlRequest, handle)])
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(spec, settings, Metrics("test"), stop))
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        await asyncio.sleep(0.5)
        await streams.publish(redis, [(settings.keys.urls, UrlRequest(url="https://a.test/w"))])
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.1)
        assert seen == ["https://a.test/w"]
        await asyncio.sleep(0.2)
        assert await redis.xlen(settings.keys.stream("out")) == 1
        assert (await redis.xpending(settings.keys.urls, "test"))["pending"] == 0
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await redis.aclose()


async def test_batch_is_handled_together_and_a_bad_entry_cannot_block_it(
    redis: Redis, settings: Settings
) -> None:
    batches: list[list[str]] = []
    singles: list[str] = []

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        singles.append(msg.url)
        if msg.url.endswith("poison"):
            raise RuntimeError("poison")
        return [(settings.keys.stream("out"), msg)]

    async def handle_batch(msgs: list[UrlRequest]) -> Sequence[Output]:
        batches.append([m.url for m in msgs])
        if any(m.url.endswith("poison") for m in msgs):
            raise RuntimeError("poison in batch")
        return [(settings.keys.stream("out"), m) for m in msgs]

    consumer = make_consumer(redis, settings, handle)
    consumer.handle_batch = handle_batch
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url=f"https://a.test/{i}")) for i in range(3)])
    await redis.xadd(consumer.stream, {"__data__": b"{not json"})
    await consumer.process_batch(await read_new(redis, consumer, "c1"))
    assert batches == [[f"https://a.test/{i}" for i in range(3)]] and singles == []
    assert await redis.xlen(settings.keys.stream("out")) == 3
    assert await redis.xlen(settings.keys.dead) == 1
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0

    urls = ["https://a.test/ok-1", "https://a.test/poison", "https://a.test/ok-2"]
    await streams.publish(redis, [(consumer.stream, UrlRequest(url=u)) for u in urls])
    await consumer.process_batch(await read_new(redis, consumer, "c1"))
    assert singles == urls  # the failed batch was handled entry by entry
    assert await redis.xlen(settings.keys.stream("out")) == 5
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 1  # only the poison waits for a retry


async def test_topic_entries_are_capped_since_no_group_acknowledges_them(
    redis: Redis, settings: Settings
) -> None:
    topic = settings.keys.topic("assault")

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        return [streams.TopicEntry(topic, msg, maxlen=50)]

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(
        redis, [(consumer.stream, UrlRequest(url=f"https://a.test/{i}")) for i in range(600)]
    )
    while batch := await read_new(redis, consumer, "c1"):
        for entry_id, body in batch:
            await consumer.process(entry_id, body, 1)
    length = await redis.xlen(topic)
    assert 50 <= length < 250  # MAXLEN ~ trims whole nodes of 100 entries: about the cap, never all 600
    newest = await redis.xrevrange(topic, count=1)
    assert UrlRequest.model_validate_json(streams.decode(newest[0][1])).url == "https://a.test/599"


async def test_a_model_on_two_streams_lands_on_both_in_order_and_the_input_is_acked(
    redis: Redis, settings: Settings
) -> None:
    out, topic = settings.keys.stream("out"), settings.keys.topic("assault")

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        other = UrlRequest(url=msg.url + "/other")
        return [(out, msg), streams.TopicEntry(topic, msg, maxlen=50), (out, other)]

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/both"))])
    for entry_id, body in await read_new(redis, consumer, "c1"):
        await consumer.process(entry_id, body, 1)
    on_out = [streams.decode(f) for _, f in await redis.xrange(out)]
    on_topic = [f for _, f in await redis.xrange(topic)]
    assert [UrlRequest.model_validate_json(b).url for b in on_out] == [
        "https://a.test/both",
        "https://a.test/both/other",
    ]
    assert len(on_topic) == 1 and streams.decode(on_topic[0]) == on_out[0]  # the same payload on both
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


async def test_publishing_reloads_its_script_after_redis_forgot_it(redis: Redis, settings: Settings) -> None:
    """A restarted Redis, or a replica promoted by Sentinel, may not have the publishing script cached."""

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        return [(settings.keys.stream("out"), msg)]

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    for n in range(2):
        await redis.script_flush()
        await streams.publish(redis, [(consumer.stream, UrlRequest(url=f"https://a.test/{n}"))])
        for entry_id, body in await read_new(redis, consumer, "c1"):
            await consumer.process(entry_id, body, 1)
    assert await redis.xlen(settings.keys.stream("out")) == 2
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


async def test_an_output_redis_refuses_leaves_the_input_pending(redis: Redis, settings: Settings) -> None:
    good, bad = settings.keys.stream("out"), settings.keys.stream("not-a-stream")
    await redis.set(bad, "a string: XADD to it fails")

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        return [(good, msg), (bad, msg)]

    consumer = make_consumer(redis, settings, handle)
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/refused"))])
    for entry_id, body in await read_new(redis, consumer, "c1"):
        await consumer.process(entry_id, body, 1)
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 1  # not acknowledged: retried later
    assert await redis.xlen(settings.keys.dead) == 0
