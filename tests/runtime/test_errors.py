"""The failure model on a real Redis: what each error class makes the consumer do, and the retry policy."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from schemas import UrlRequest
from services.runtime import streams
from services.runtime.consumer import ReliableConsumer
from services.runtime.errors import (
    ConfigurationError,
    DependencyUnavailable,
    PermanentError,
    RetryLater,
    RetryPolicy,
)
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output


def test_retry_policy_backoff_is_capped_and_honours_retry_after_up_to_its_cap() -> None:
    policy = RetryPolicy(base_s=0.5, max_backoff_s=4.0, dependency_max_s=2.0, retry_after_cap_s=60.0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5, 50)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert [policy.dependency_wait(n) for n in (1, 2, 3, 10)] == [0.5, 1.0, 2.0, 2.0]
    assert policy.retry_after(1, 30.0) == 30.0
    assert policy.retry_after(1, 10_000.0) == 60.0
    assert policy.retry_after(3, None) == 2.0 and policy.retry_after(4, 0.0) == 4.0


async def run_one(redis: Redis, settings: Settings, exc: Exception, deliveries: int | None = None):  # type: ignore[no-untyped-def]
    fatal: list[ConfigurationError] = []

    async def handle(msg: UrlRequest) -> Sequence[Output]:
        raise exc

    consumer = ReliableConsumer(
        redis=redis, settings=settings, stream=settings.keys.urls, group="g", model=UrlRequest,
        handle=handle, metrics=Metrics("test"), health=Health(30), on_fatal=fatal.append,
    )  # fmt: skip
    await streams.ensure_group(redis, consumer.stream, "g")
    await streams.publish(redis, [(consumer.stream, UrlRequest(url="https://a.test/x"))])
    reply: Any = await redis.xreadgroup("g", "c1", {consumer.stream: ">"}, count=1)
    entry_id, fields = reply[0][1][0]
    await consumer.process(entry_id.decode(), streams.decode(fields), deliveries or settings.max_deliveries)
    return consumer, fatal


async def test_permanent_error_is_dead_lettered_at_once_with_its_reason(
    redis: Redis, settings: Settings
) -> None:
    consumer, _ = await run_one(redis, settings, PermanentError("bad page"))
    assert await redis.xlen(settings.keys.dead) == 1
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 0


@pytest.mark.parametrize("exc", [DependencyUnavailable("database down"), ConfigurationError("no such db")])
async def test_dependency_and_configuration_errors_are_never_dead_lettered(
    redis: Redis, settings: Settings, exc: Exception
) -> None:
    """Even at the last delivery: the message is fine, the world around it is not."""
    consumer, fatal = await run_one(redis, settings, exc)
    assert await redis.xlen(settings.keys.dead) == 0
    assert (await redis.xpending(consumer.stream, "g"))["pending"] == 1
    assert fatal == ([exc] if isinstance(exc, ConfigurationError) else [])


async def test_retry_later_waits_the_delay_given(redis: Redis, settings: Settings) -> None:
    consumer, _ = await run_one(redis, settings, RetryLater("busy", after=120.0), deliveries=1)
    (due,) = consumer._retry_due.values()
    assert 110 < due - time.monotonic() <= 120
    assert await redis.xlen(settings.keys.dead) == 0


async def test_any_other_error_is_dead_lettered_at_the_last_delivery(
    redis: Redis, settings: Settings
) -> None:
    await run_one(redis, settings, RuntimeError("boom"))
    letters = await redis.xrange(settings.keys.dead)
    assert len(letters) == 1 and b"boom" in streams.decode(letters[0][1])
