"""At-least-once consumption with dead letters, on top of FastStream's stream subscriber.

FastStream delivers new entries of a consumer group; this module adds what it lacks on Redis:
- outputs are published and the input acknowledged in one MULTI/EXEC, so a crash never duplicates
  downstream and never acknowledges unpublished work;
- a failed entry stays pending; the reclaim loop takes entries idle longer than `reclaim_idle_ms`
  from any consumer of the group (XAUTOCLAIM), so a replica that dies loses nothing;
- the delivery count comes from XPENDING; after `max_deliveries` the entry goes to the `dead` stream
  with its payload, origin, error and attempts, and is acknowledged. Undecodable or schema-invalid
  entries are dead-lettered at once: retrying cannot fix them.
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

from schemas import DeadLetter
from schemas.messages import _digest
from services.runtime import streams
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Handler = Callable[[M], Awaitable[Sequence[streams.Output]]]
BatchHandler = Callable[[list[M]], Awaitable[Sequence[streams.Output]]]


class PermanentError(Exception):
    """Raised by a handler for input that no retry can fix: the entry is dead-lettered at once."""


class DependencyUnavailable(Exception):
    """Raised by a handler when something it needs (the database) is down: retried without limit,
    never dead-lettered, since the message itself is fine."""


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
        self.dead_stream = settings.stream("dead")
        self.in_flight = 0
        self._retry_due: dict[str, float] = {}  # entries this consumer failed → when to try again

    async def process(self, entry_id: str, body: bytes, deliveries: int) -> None:
        """Handle one entry; never raises. Leaves the entry pending when it should be retried."""
        self.in_flight += 1
        started = time.perf_counter()
        try:
            await self._process(entry_id, body, deliveries)
        finally:
            self.in_flight -= 1
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
        except PermanentError as exc:
            await self._dead_letter(entry_id, body, exc, deliveries)
            return
        except DependencyUnavailable as exc:
            log.warning("%s %s waits for a dependency: %s", self.stream, entry_id, exc)
            self.health.set("dependency", f"unavailable: {exc}")
            self._schedule_retry(entry_id, min(deliveries, 6))
            return
        except Exception as exc:
            log.warning("%s %s failed (delivery %d): %s", self.stream, entry_id, deliveries, exc)
            if deliveries >= self.settings.max_deliveries:
                await self._dead_letter(entry_id, body, exc, deliveries)
            else:
                self._schedule_retry(entry_id, deliveries, getattr(exc, "retry_after", None))
            return
        self.health.set("dependency", "ok")
        try:
            await self._publish_and_ack(entry_id, outputs)
        except (RedisError, OSError) as exc:
            # Nothing was acknowledged: the entry is reclaimed and handled again later.
            log.warning("%s %s: publish failed, will retry: %s", self.stream, entry_id, exc)
            self._schedule_retry(entry_id, deliveries)
            return
        self.metrics.messages.labels(self.stream, "ok").inc()

    async def process_batch(self, entries: Sequence[tuple[str, bytes]]) -> None:
        """Handle entries together (one handler call, one MULTI with every output and ack); never raises.

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
        if not valid:
            return
        try:
            outputs = await self.handle_batch([m for _, _, m in valid])
            await self._publish_and_ack([i for i, _, _ in valid], outputs)
        except Exception as exc:
            log.warning(
                "%s: batch of %d failed (%s); handling its entries one by one", self.stream, len(valid), exc
            )
            for entry_id, body, _ in valid:
                await self.process(entry_id, body, 1)
            return
        self.health.set("dependency", "ok")
        self.health.beat()
        self.metrics.messages.labels(self.stream, "ok").inc(len(valid))
        self.metrics.duration.labels(self.stream).observe((time.perf_counter() - started) / len(valid))

    def _schedule_retry(self, entry_id: str, deliveries: int, retry_after: float | None = None) -> None:
        """Retry our own failure soon (capped exponential backoff, or the server's Retry-After when it
        gave one) instead of waiting out the idle time."""
        self.metrics.messages.labels(self.stream, "retry").inc()
        backoff = min(0.5 * 2 ** (deliveries - 1), self.settings.redis_retry_max_s)
        if retry_after is not None:
            backoff = max(backoff, min(float(retry_after), self.settings.feed_max_interval_s))
        self._retry_due[entry_id] = time.monotonic() + backoff

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
        ids = [entry_ids] if isinstance(entry_ids, str) else list(entry_ids)
        async with self.redis.pipeline(transaction=True) as pipe:
            for output in outputs:
                if isinstance(output, streams.RedisCommand):
                    pipe.execute_command(*output.args)
                elif isinstance(output, streams.TopicEntry):
                    fields = await streams.encode(output.model)
                    pipe.xadd(output.stream, fields, maxlen=output.maxlen, approximate=True)  # type: ignore[arg-type]
                else:
                    pipe.xadd(output[0], await streams.encode(output[1]))  # type: ignore[arg-type]
            pipe.xack(self.stream, self.group, *ids)
            await pipe.execute()

    async def _dead_letter(
        self, entry_id: str, body: bytes, exc: BaseException, attempts: int, reason_type: str | None = None
    ) -> None:
        letter = DeadLetter(
            dead_letter_id="d" + _digest(self.stream, self.group, entry_id),
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
                delay = min(delay * 2, self.settings.redis_retry_max_s)
                log.warning("reclaim on %s failed, retrying in %.1fs: %s", self.stream, delay, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
