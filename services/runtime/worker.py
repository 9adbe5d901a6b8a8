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
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from faststream.message import StreamMessage
from faststream.middlewares import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.prometheus import RedisPrometheusMiddleware
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from services.runtime import retention, streams
from services.runtime.connections import configured_redis_url, connect, make_broker
from services.runtime.consumer import BatchHandler, Handler, ReliableConsumer
from services.runtime.errors import ConfigurationError, RetryPolicy
from services.runtime.metrics import Health, Metrics, serve_http
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, PUBLIC_TOPICS

log = logging.getLogger(__name__)


@dataclass
class Subscription:
    stream: str  # short name from services/runtime/topology.py, e.g. topology.ARTICLES
    model: type[BaseModel]
    handle: Handler[Any]
    handle_batch: BatchHandler[Any] | None = None  # when set, entries are read and handled in batches
    retry: RetryPolicy = field(default_factory=RetryPolicy)


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
    for stream, groups in CONSUMER_GROUPS.items():
        for group in groups:
            await streams.ensure_group(redis, settings.keys.stream(stream), group)


def ensure_data_dir(settings: Settings) -> None:
    """Create the data dir (and its parents) if missing; one clear line if it cannot be."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"cannot create the data dir {settings.data_dir}: {exc.strerror}") from exc


async def _trim_forever(ctx: WorkerContext, stream_names: list[str], public_topics: bool) -> None:
    """Internal streams lose what every group acknowledged; public topics keep their retention window."""
    public = {ctx.settings.keys.stream(name) for name in PUBLIC_TOPICS}
    while not ctx.stop.is_set():
        try:
            for name in stream_names:
                if name not in public:
                    ctx.metrics.trimmed.inc(await streams.trim_acknowledged(ctx.redis, name))
            if public_topics:
                ctx.metrics.trimmed.inc(await retention.trim_public_topics(ctx.redis, ctx.settings))
        except (RedisError, OSError) as exc:  # Redis is away: the next turn trims what is left
            log.warning("trimming paused: %s: %s", type(exc).__name__, exc)
            ctx.metrics.errors.labels("trim", type(exc).__name__).inc()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.stop.wait(), timeout=ctx.settings.trim_interval_s)


async def _wait_for_redis(redis: Redis, settings: Settings, metrics: Metrics, stop: asyncio.Event) -> None:
    delay = 0.2
    while not stop.is_set():
        try:
            await redis.ping()
            return
        except (RedisError, OSError) as exc:
            log.warning("Redis not reachable (%s); retrying in %.1fs", type(exc).__name__, delay)
            metrics.errors.labels("redis", type(exc).__name__).inc()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, settings.redis_retry_max_s)


async def run_worker(
    spec: WorkerSpec, settings: Settings, metrics: Metrics, stop: asyncio.Event | None = None
) -> None:
    """Run the worker until `stop` (or SIGTERM/SIGINT); raises `ConfigurationError` when a handler or
    hook found the configuration unusable, after stopping cleanly."""
    stop = stop or asyncio.Event()
    fatal: list[ConfigurationError] = []

    def on_fatal(exc: ConfigurationError) -> None:
        fatal.append(exc)
        stop.set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    url = configured_redis_url(settings)
    ensure_data_dir(settings)
    health = Health(stale_after_s=max(30.0, settings.reclaim_interval_s * 6))
    redis = connect(url, settings, health_check_interval=10)
    ctx = WorkerContext(settings, redis, metrics, health, stop)
    await _wait_for_redis(redis, settings, metrics, stop)
    if stop.is_set():
        await redis.aclose()
        return
    await ensure_topology(redis, settings)

    broker = make_broker(
        url,
        settings,
        middlewares=[RedisPrometheusMiddleware(registry=metrics.registry)],
        graceful_timeout=settings.shutdown_timeout_s,
        logger=logging.getLogger("newswire.faststream"),
        log_level=logging.DEBUG,  # the level FastStream logs each message at: hidden by default
        apply_types=False,  # handlers take the decoded entries as they are (see _entries)
    )
    consumers: list[ReliableConsumer[Any]] = []
    for sub in spec.subscriptions:
        consumer = ReliableConsumer(
            redis=redis, settings=settings, stream=settings.keys.stream(sub.stream), group=spec.group,
            model=sub.model, handle=sub.handle, handle_batch=sub.handle_batch, metrics=metrics, health=health,
            policy=sub.retry, on_fatal=on_fatal,
        )  # fmt: skip
        consumers.append(consumer)
        _subscribe(broker, consumer, settings.consumer)

    server = None
    port = settings.metrics_port_for(spec.name)
    if port:
        server = await serve_http(settings.metrics_host, port, metrics, health)
    try:
        for hook in spec.on_start:
            await hook(ctx)
    except ConfigurationError:
        if server is not None:
            server.close()
        await redis.aclose()
        raise
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
    if fatal:
        raise fatal[0]


class _Entries(StreamMessage[Any]):
    """What a subscription hands its consumer: the entries read, each as (id, payload)."""

    def __init__(self, raw: Mapping[str, Any], entries: list[tuple[str, bytes]], body: bytes) -> None:
        first = entries[0][0] if entries else ""
        super().__init__(raw_message=raw, body=body, message_id=first, correlation_id=first or None)
        self.entries = entries


async def _parse_entries(message: Mapping[str, Any]) -> StreamMessage[Any]:
    """FastStream's stream parsers unpack every body into a message of its own (the batch parser also
    json-decodes each entry and encodes the whole batch again) for handlers that take the entries raw:
    this one only pairs each entry's id with its payload. The body, for FastStream's size metric, is
    the payload (all of them for a batch)."""
    data = message["data"]
    ids = message["message_ids"]
    if isinstance(data, Mapping):
        payload = streams.decode(data)
        return _Entries(message, [(streams.text(ids[0]), payload)], payload)
    entries = [(streams.text(i), streams.decode(f)) for i, f in zip(ids, data, strict=True)]
    return _Entries(message, entries, b"".join(p for _, p in entries))


async def _entries(message: StreamMessage[Any]) -> list[tuple[str, bytes]]:
    """The decoder: the parsed entries as they are. The broker runs without FastDepends
    (`apply_types=False`), so the handler gets this list and nothing resolves its arguments: FastDepends
    would resolve a message annotation in a worker thread, one thread hop per message."""
    assert isinstance(message, _Entries)
    return message.entries


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

    @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL, parser=_parse_entries, decoder=_entries)
    async def on_message(entries: list[tuple[str, bytes]]) -> None:
        ((entry_id, body),) = entries
        await consumer.process(entry_id, body, deliveries=1)


def _subscribe_batch(broker: RedisBroker, consumer: ReliableConsumer[Any], consumer_name: str) -> None:
    sub = StreamSub(
        consumer.stream,
        group=consumer.group,
        consumer=consumer_name,
        polling_interval=1000,
        batch=True,
        max_records=consumer.settings.batch_size,
    )

    @broker.subscriber(stream=sub, ack_policy=AckPolicy.MANUAL, parser=_parse_entries, decoder=_entries)
    async def on_batch(entries: list[tuple[str, bytes]]) -> None:
        await consumer.process_batch(entries)
