"""At-least-once consumption with dead letters, on top of FastStream's stream subscriber.

FastStream delivers new entries of a consumer group; this module adds what it lacks on Redis:
- outputs are published and the input acknowledged in one atomic command (the Lua script
  streams.PUBLISH_AND_ACK, which sends each payload once for all its streams; MULTI/EXEC when a
  handler adds other commands), so a crash never duplicates downstream and never acknowledges
  unpublished work;
- a failed entry stays pending; the reclaim loop takes entries idle longer than `reclaim_idle_ms`
  from any consumer of the group (XAUTOCLAIM), so a replica that dies loses nothing;
- the delivery count comes from XPENDING; after `max_deliveries` the entry goes to the `dead` stream
  with its payload, origin, error and attempts, and is acknowledged. Undecodable or schema-invalid
  entries are dead-lettered at once: retrying cannot fix them;
- what a handler raises decides the rest, by the failure model of services/runtime/errors.py and the
  subscription's `RetryPolicy`.

FastStream's own `AckPolicy` acknowledges after the handler returns, not in the transaction that
publishes the outputs, so publish+ack, reclaim and dead letters are our code.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from schemas import DeadLetter, dead_letter_id_for
from services.runtime import streams
from services.runtime.errors import ConfigurationError, RetryLater, RetryPolicy, decide
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[M], Awaitable[Sequence[streams.Output]]]
BatchHandler = Callable[[list[M]], Awaitable[Sequence[streams.Output]]]


class ReliableConsumer(Generic[M]):
    def __init__(
        self,
        *,
        redis: Redis,
        settings: Settings,
        stream: str,
        group: str,
        model: type[M],
        handle: Handler[M],
        metrics: Metrics,
        health: Health,
        handle_batch: BatchHandler[M] | None = None,
        policy: RetryPolicy | None = None,
        on_fatal: Callable[[ConfigurationError], None] | None = None,
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.stream = stream
        self.group = group
        self.model = model
        self.handle = handle
        self.handle_batch = handle_batch
        self.metrics = metrics
        self.health = health
        self.dead_stream = settings.keys.dead
        self.policy = policy or RetryPolicy()
        self.max_deliveries = self.policy.max_deliveries or settings.max_deliveries
        self.on_fatal = on_fatal
        self._publish_script = redis.register_script(streams.PUBLISH_AND_ACK)
        self.in_flight = 0
        # Entries this consumer is handling right now. A slow handler (longer than reclaim_idle_ms) makes
        # its own entry look idle: XAUTOCLAIM hands it back to us, and it must not be handled twice.
        self._handling: set[str] = set()
        self._retry_due: dict[str, float] = {}  # entries this consumer failed → when to try again
        self._outage = 0  # consecutive dependency failures: the wait grows with them, not with deliveries

    async def process(self, entry_id: str, body: bytes, deliveries: int) -> None:
        """Handle one entry; never raises. Leaves the entry pending when it should be retried."""
        if entry_id in self._handling:
            return
        self._handling.add(entry_id)
        self.in_flight += 1
        started = time.perf_counter()
        try:
            await self._process(entry_id, body, deliveries)
        finally:
            self.in_flight -= 1
            self._handling.discard(entry_id)
            self.metrics.duration.labels(self.stream).observe(time.perf_counter() - started)
            self.health.beat()

    async def _process(self, entry_id: str, body: bytes, deliveries: int) -> None:
        try:
            message = self.model.model_validate_json(body)
        except ValidationError as exc:
            await self._dead_letter(entry_id, body, exc, deliveries, reason_type="InvalidMessage")
            return
        try:
            outputs = await self.handle(message)
        except Exception as exc:
            await self._failed(entry_id, body, deliveries, exc)
            return
        self._dependency_ok()
        try:
            await self._publish_and_ack(entry_id, outputs)
        except (RedisError, OSError) as exc:
            # Nothing was acknowledged: the entry is reclaimed and handled again later.
            log.warning("%s %s: publish failed, will retry: %s", self.stream, entry_id, exc)
            self.metrics.errors.labels(self.stream, "publish").inc()
            self._schedule_retry(entry_id, self.policy.backoff(deliveries))
            return
        self.metrics.messages.labels(self.stream, "ok").inc()

    async def _failed(self, entry_id: str, body: bytes, deliveries: int, exc: Exception) -> None:
        """Apply the failure model (errors.decide) to what the handler raised."""
        decision = decide(exc, deliveries, self.max_deliveries)
        if decision == "dead-letter":
            await self._dead_letter(entry_id, body, exc, deliveries)
        elif decision == "stop":
            assert isinstance(exc, ConfigurationError)
            log.error("%s %s: configuration error: %s", self.stream, entry_id, exc)
            self.metrics.errors.labels(self.stream, "configuration").inc()
            self.health.set("configuration", f"error: {exc}")
            if self.on_fatal is not None:
                self.on_fatal(exc)
        elif decision == "wait":
            self._outage += 1
            wait = self.policy.dependency_wait(self._outage)
            log.warning("%s %s waits %.1fs for a dependency: %s", self.stream, entry_id, wait, exc)
            self.metrics.errors.labels(self.stream, "dependency").inc()
            self.health.set("dependency", f"unavailable: {exc}")
            self._schedule_retry(entry_id, wait)
        else:
            after = exc.after if isinstance(exc, RetryLater) else None
            log.warning("%s %s failed (delivery %d): %s: %s", self.stream, entry_id, deliveries,
                        type(exc).__name__, exc)  # fmt: skip
            self.metrics.errors.labels(self.stream, type(exc).__name__).inc()
            self._schedule_retry(entry_id, self.policy.retry_after(deliveries, after))

    def _dependency_ok(self) -> None:
        self._outage = 0
        self.health.set("dependency", "ok")

    async def process_batch(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Handle entries together (one handler call, one publish of all outputs and acks); never raises.

        Invalid entries are dead-lettered on their own. If the batch fails, each entry is handled
        alone, so one bad entry cannot hold the others back and retries count per entry.
        """
        assert self.handle_batch is not None
        started = time.perf_counter()
        valid: list[tuple[str, bytes, M]] = []
        for entry_id, body in entries:
            try:
                valid.append((entry_id, body, self.model.model_validate_json(body)))
            except ValidationError as exc:
                await self._dead_letter(entry_id, body, exc, 1, reason_type="InvalidMessage")
        valid = [v for v in valid if v[0] not in self._handling]
        if not valid:
            return
        ids = {entry_id for entry_id, _, _ in valid}
        self._handling |= ids
        try:
            outputs = await self.handle_batch([m for _, _, m in valid])
            await self._publish_and_ack([i for i, _, _ in valid], outputs)
        except Exception as exc:
            log.warning("%s: batch of %d failed (%s: %s); handling its entries one by one",
                        self.stream, len(valid), type(exc).__name__, exc)  # fmt: skip
            self.metrics.errors.labels(self.stream, "batch").inc()
            failed = True
        else:
            failed = False
        finally:
            self._handling -= ids
        if failed:
            for entry_id, body, _ in valid:
                await self.process(entry_id, body, 1)
            return
        self._dependency_ok()
        self.health.beat()
        self.metrics.messages.labels(self.stream, "ok").inc(len(valid))
        self.metrics.duration.labels(self.stream).observe((time.perf_counter() - started) / len(valid))

    def _schedule_retry(self, entry_id: str, delay_s: float) -> None:
        """Retry our own failure after `delay_s` (from the policy) instead of waiting out the idle time."""
        self.metrics.messages.labels(self.stream, "retry").inc()
        self._retry_due[entry_id] = time.monotonic() + delay_s

    async def retry_own(self, consumer: str) -> int:
        """Claim back (XCLAIM, which counts a delivery) and handle the entries whose backoff is over."""
        now = time.monotonic()
        due = [entry_id for entry_id, when in self._retry_due.items() if when <= now]
        for entry_id in due:
            reply = await self.redis.xclaim(self.stream, self.group, consumer, 0, [entry_id])
            claimed: list[Any] = list(reply)
            del self._retry_due[entry_id]
            if not claimed or not claimed[0][1]:
                continue  # acknowledged or deleted meanwhile
            pending = await self.redis.xpending_range(self.stream, self.group, entry_id, entry_id, 1)
            deliveries = int(pending[0]["times_delivered"]) if pending else 1
            await self.process(entry_id, streams.decode(claimed[0][1]), deliveries)
        return len(due)

    async def _publish_and_ack(
        self, entry_ids: str | Sequence[str], outputs: Sequence[streams.Output]
    ) -> None:
        """Publish the outputs and acknowledge the entries, all or nothing, in one round trip."""
        ids = [entry_ids] if isinstance(entry_ids, str) else list(entry_ids)
        entries = [o for o in outputs if not isinstance(o, streams.RedisCommand)]
        if len(entries) < len(outputs):
            await self._publish_and_ack_multi(ids, outputs)
        elif entries:
            keys, args = await streams.publish_and_ack_arguments(self.stream, self.group, ids, entries)
            await self._publish_script(keys=keys, args=args)
        else:
            await self.redis.xack(self.stream, self.group, *ids)

    async def _publish_and_ack_multi(self, ids: list[str], outputs: Sequence[streams.Output]) -> None:
        """Outputs with other commands than XADD (ingest's marks): one MULTI/EXEC."""
        encoded: dict[int, dict[bytes, bytes]] = {}  # a model on two streams (events, its topic) once

        async def fields(model: BaseModel) -> dict[bytes, bytes]:
            if id(model) not in encoded:
                encoded[id(model)] = await streams.encode(model)
            return encoded[id(model)]

        async with self.redis.pipeline(transaction=True) as pipe:
            for output in outputs:
                if isinstance(output, streams.RedisCommand):
                    pipe.execute_command(*output.args)
                elif isinstance(output, streams.TopicEntry):
                    topic_fields = await fields(output.model)
                    pipe.xadd(output.stream, topic_fields, maxlen=output.maxlen, approximate=True)  # type: ignore[arg-type]
                else:
                    pipe.xadd(output[0], await fields(output[1]))  # type: ignore[arg-type]
            pipe.xack(self.stream, self.group, *ids)
            await pipe.execute()

    async def _dead_letter(
        self, entry_id: str, body: bytes, exc: BaseException, attempts: int, reason_type: str | None = None
    ) -> None:
        letter = DeadLetter(
            dead_letter_id=dead_letter_id_for(self.stream, self.group, entry_id),
            parent_id=entry_id,
            stream=self.stream,
            group=self.group,
            entry_id=entry_id,
            payload=body.decode("utf-8", errors="replace"),
            error_type=reason_type or type(exc).__name__,
            error=str(exc)[:2000],
            attempts=attempts,
            failed_at=datetime.now(UTC),
        )
        try:
            await self._publish_and_ack(entry_id, [(self.dead_stream, letter)])
        except (RedisError, OSError) as err:
            log.warning("%s %s: dead-lettering failed, will retry: %s", self.stream, entry_id, err)
            self.metrics.errors.labels(self.stream, "publish").inc()
            return
        log.error(
            "%s %s dead-lettered after %d deliveries: %s", self.stream, entry_id, attempts, letter.error
        )
        self.metrics.dead_letters.labels(self.stream).inc()
        self.metrics.messages.labels(self.stream, "dead").inc()

    async def reclaim_once(self, consumer: str, count: int = 50) -> int:
        """Claim entries idle too long in any consumer of the group and handle them; returns how many."""
        start = "0-0"
        handled = 0
        while True:
            reply = await self.redis.xautoclaim(
                self.stream, self.group, consumer, self.settings.reclaim_idle_ms, start_id=start, count=count
            )
            next_id, claimed = reply[0], reply[1]
            for raw_id, fields in claimed:
                entry_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
                if not fields:  # deleted while pending: nothing left to handle
                    await self.redis.xack(self.stream, self.group, entry_id)
                    continue
                pending = await self.redis.xpending_range(self.stream, self.group, entry_id, entry_id, 1)
                deliveries = int(pending[0]["times_delivered"]) if pending else 1
                self.metrics.reclaimed.inc()
                await self.process(entry_id, streams.decode(fields), deliveries)
                handled += 1
            start = next_id.decode() if isinstance(next_id, bytes) else str(next_id)
            if start == "0-0" or not claimed:
                return handled

    async def reclaim_forever(self, consumer: str, stop: asyncio.Event) -> None:
        delay = self.settings.reclaim_interval_s
        while not stop.is_set():
            if self._retry_due:
                delay = min(delay, max(0.05, min(self._retry_due.values()) - time.monotonic()))
            try:
                await self.retry_own(consumer)
                await self.reclaim_once(consumer)
                lag = await streams.group_lag(self.redis, self.stream, self.group)
                self.metrics.lag.labels(self.stream).set(lag)
                self.health.set(f"redis:{self.stream}", "ok")
                self.health.beat()
                delay = self.settings.reclaim_interval_s
            except (RedisError, OSError) as exc:
                self.health.set(f"redis:{self.stream}", f"error: {type(exc).__name__}")
                self.metrics.errors.labels(self.stream, "redis").inc()
                delay = min(delay * 2, self.settings.redis_retry_max_s)
                log.warning("reclaim on %s failed, retrying in %.1fs: %s", self.stream, delay, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
