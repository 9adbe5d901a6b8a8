"""Runs one worker: FastStream subscribers wrapped in `ReliableConsumer`, plus its background loops.

A worker is described by a `WorkerSpec` (its group, what it subscribes to, its background tasks);
`run_worker` wires it to Redis, serves /metrics and /healthz, trims acknowledged entries, and on
SIGTERM or SIGINT stops reading, lets in-flight messages finish (bounded), and exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from faststream.redis.prometheus import RedisPrometheusMiddleware
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.runtime import retention, streams
from services.runtime.consumer import BatchHandler, Handler, ReliableConsumer
from services.runtime.metrics import Health, Metrics, serve_http
from services.runtime.sentinel import SENTINEL_PLACEHOLDER_URL, connect, make_broker
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

# Every consumer group of the pipeline, created at id 0 by any worker before it starts, so that no
# entry published before a group's first reader is skipped or trimmed away.
TOPOLOGY: dict[str, tuple[str, ...]] = {
    "urls": ("ingest",),
    "articles": ("extractor", "store"),
    "events": ("store",),
}


@dataclass
class Subscription:
    stream: str  # short name, e.g. "articles"
    model: type[BaseModel]
    handle: Handler[Any]
    handle_batch: BatchHandler[Any] | None = None  # when set, entries are read and handled in batches


@dataclass
class WorkerContext:
    settings: Settings
    redis: Redis
    metrics: Metrics
    health: Health
    stop: asyncio.Event


@dataclass
class WorkerSpec:
    name: str
    group: str
    subscriptions: list[Subscription]
    on_start: list[Callable[[WorkerContext], Coroutine[Any, Any, None]]] = field(default_factory=list)
    background: list[Callable[[WorkerContext], Coroutine[Any, Any, None]]] = field(default_factory=list)
    on_stop: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    keeps_public_topics: bool = False  # applies the retention of events and events.<type>


async def ensure_topology(redis: Redis, settings: Settings) -> None:
    for stream, groups in TOPOLOGY.items():
        for group in groups:
            await streams.ensure_group(redis, settings.stream(stream), group)


def _redis_url(settings: Settings) -> str:
    if settings.redis_url is None and settings.redis_sentinels:
        return SENTINEL_PLACEHOLDER_URL
    if settings.redis_url is None:
        raise RuntimeError("NEWSWIRE_REDIS_URL must be set for a worker (newswire run starts one for you)")
    return settings.redis_url.get_secret_value()


async def _trim_forever(ctx: WorkerContext, stream_names: list[str], public_topics: bool) -> None:
    """Internal streams lose what every group acknowledged; public topics keep their retention window."""
    public = {ctx.settings.stream(name) for name in retention.PUBLIC_TOPICS}
    while not ctx.stop.is_set():
        with contextlib.suppress(RedisError, OSError):
            for name in stream_names:
                if name not in public:
                    ctx.metrics.trimmed.inc(await streams.trim_acknowledged(ctx.redis, name))
            if public_topics:
                ctx.metrics.trimmed.inc(await retention.trim_public_topics(ctx.redis, ctx.settings, TOPOLOGY))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stop.wait(), timeout=ctx.settings.trim_interval_s)


async def _wait_for_redis(redis: Redis, settings: Settings, stop: asyncio.Event) -> None:
    delay = 0.2
    while not stop.is_set():
        try:
            await redis.ping()
            return
        except (RedisError, OSError) as exc:
            log.warning("Redis not reachable (%s); retrying in %.1fs", type(exc).__name__, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, settings.redis_retry_max_s)


async def run_worker(
    spec: WorkerSpec, settings: Settings, metrics: Metrics, stop: asyncio.Event | None = None
) -> None:
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    url = _redis_url(settings)
    health = Health(stale_after_s=max(30.0, settings.reclaim_interval_s * 6))
    redis = connect(url, settings, health_check_interval=10)
    ctx = WorkerContext(settings, redis, metrics, health, stop)
    await _wait_for_redis(redis, settings, stop)
    if stop.is_set():
        return
    await ensure_topology(redis, settings)

    broker = make_broker(
        url,
        settings,
        middlewares=[RedisPrometheusMiddleware(registry=metrics.registry)],
        graceful_timeout=settings.shutdown_timeout_s,
        logger=logging.getLogger("newswire.faststream"),
        log_level=logging.DEBUG,  # the level FastStream logs each message at: hidden by default
    )
    consumers: list[ReliableConsumer[Any]] = []
    for sub in spec.subscriptions:
        consumer = ReliableConsumer(
            redis=redis, settings=settings, stream=settings.stream(sub.stream), group=spec.group,
            model=sub.model, handle=sub.handle, handle_batch=sub.handle_batch, metrics=metrics, health=health,
        )  # fmt: skip
        consumers.append(consumer)
        _subscribe(broker, consumer, settings.consumer)

    server = None
    port = settings.metrics_port_for(spec.name)
    if port:
        server = await serve_http(settings.metrics_host, port, metrics, health)
    for hook in spec.on_start:
        await hook(ctx)
    await broker.start()
    tasks = [asyncio.create_task(c.reclaim_forever(settings.consumer, stop)) for c in consumers]
    tasks.append(
        asyncio.create_task(_trim_forever(ctx, [c.stream for c in consumers], spec.keeps_public_topics))
    )
    tasks += [asyncio.create_task(job(ctx)) for job in spec.background]
    log.info("%s worker %s started", spec.name, settings.consumer)
    try:
        await stop.wait()
    finally:
        log.info("%s worker stopping", spec.name)
        # Loops see `stop` and end after the entry in hand; only a loop stuck past the bound is cancelled.
        _, stuck = await asyncio.wait(tasks, timeout=settings.shutdown_timeout_s) if tasks else (set(), set())
        for task in stuck:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await broker.stop()  # waits up to graceful_timeout for in-flight handlers
        for stop_hook in spec.on_stop:
            await stop_hook()
        if server is not None:
            server.close()
        await redis.aclose()


def _subscribe(broker: RedisBroker, consumer: ReliableConsumer[Any], consumer_name: str) -> None:
    if consumer.handle_batch is not None:
        _subscribe_batch(broker, consumer, consumer_name)
        return
    sub = StreamSub(
        consumer.stream,
        group=consumer.group,
        consumer=consumer_name,
        polling_interval=1000,
        max_records=consumer.settings.prefetch,
    )

    @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL)
    async def on_message(message: RedisStreamMessage) -> None:
        entry_id = streams.text(message.raw_message["message_ids"][0])
        await consumer.process(entry_id, streams.decode(message.raw_message["data"]), deliveries=1)


def _subscribe_batch(broker: RedisBroker, consumer: ReliableConsumer[Any], consumer_name: str) -> None:
    sub = StreamSub(
        consumer.stream,
        group=consumer.group,
        consumer=consumer_name,
        polling_interval=1000,
        batch=True,
        max_records=consumer.settings.batch_size,
    )

    @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL)
    async def on_batch(message: RedisBatchStreamMessage) -> None:
        raw = message.raw_message
        entries = [
            (streams.text(i), streams.decode(f)) for i, f in zip(raw["message_ids"], raw["data"], strict=True)
        ]
        await consumer.process_batch(entries)
