"""`newswire subscribe` on a real Redis: filters, --since, --count, and a durable group that resumes."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from redis.asyncio import Redis

from schemas import Event, Location
from services.runtime import streams
from services.runtime.settings import Settings
from services.subscribe import Subscription, subscribe
from tests.schemas.test_schemas import make_event


def event(n: int, event_type: str = "assault", country: str | None = "UKR") -> Event:
    base = make_event()
    return base.model_copy(
        update={"event_id": f"e{n:04d}", "event_type": event_type,
                "location": Location(text="x", country=country) if country else None},
    )  # fmt: skip


async def put(redis: Redis, settings: Settings, events: list[Event]) -> list[str]:
    return await streams.publish(redis, [(settings.keys.events, e) for e in events])


async def read(redis: Redis, settings: Settings, **kwargs: object) -> list[str]:
    out = io.StringIO()
    await subscribe(redis, settings, Subscription(**kwargs), out)  # type: ignore[arg-type]
    return [json.loads(line)["event_id"] for line in out.getvalue().splitlines()]


async def test_filters_since_and_count(redis: Redis, settings: Settings) -> None:
    ids = await put(redis, settings, [event(1), event(2, "protest"), event(3, country="RUS"), event(4)])
    assert await read(redis, settings, since="0", count=3) == ["e0001", "e0002", "e0003"]
    assert await read(redis, settings, since="0", types=["assault"], country="ukr", count=2) == [
        "e0001",
        "e0004",
    ]
    assert await read(redis, settings, since=ids[1], count=2) == ["e0003", "e0004"]
    assert await read(redis, settings, since="0", types=["protest", "assault"], country="RUS", count=1) == [
        "e0003"
    ]


async def test_group_acknowledges_each_line_and_resumes_after_a_restart(
    redis: Redis, settings: Settings
) -> None:
    await put(redis, settings, [event(n) for n in range(1, 6)])
    first = await read(redis, settings, since="0", group="g", consumer="me", count=2)
    assert first == ["e0001", "e0002"]
    stream = settings.keys.events
    assert (await redis.xpending(stream, "g"))["pending"] == 0  # acknowledged once written
    # a crash between reading an entry and writing its line leaves it pending: it comes back first
    await redis.xreadgroup("g", "me", {stream: ">"}, count=1)
    again = await read(redis, settings, since="0", group="g", consumer="me", count=3)
    assert again == ["e0003", "e0004", "e0005"]
    await put(redis, settings, [event(6)])
    assert await read(redis, settings, group="g", consumer="me", count=1) == ["e0006"]
    assert (await redis.xpending(stream, "g"))["pending"] == 0


async def test_now_starts_after_what_is_already_there(redis: Redis, settings: Settings) -> None:
    import asyncio

    await put(redis, settings, [event(1)])
    reader = asyncio.create_task(read(redis, settings, since="now", count=1))
    await asyncio.sleep(0.3)
    await put(redis, settings, [event(2)])
    assert await asyncio.wait_for(reader, 10) == ["e0002"]


async def test_the_command_prints_json_lines_and_rejects_a_bad_since(
    redis: Redis, settings: Settings
) -> None:
    await put(redis, settings, [event(1), event(2, "protest")])
    env = {**os.environ, "NEWSWIRE_REDIS_URL": settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
           "NEWSWIRE_STREAM_PREFIX": settings.stream_prefix}  # fmt: skip
    cmd = [sys.executable, "-m", "services.cli", "subscribe", "--since", "0", "--type", "protest"]
    done = subprocess.run([*cmd, "--count", "1"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1 and Event.model_validate_json(lines[0]).event_id == "e0002"
    bad = subprocess.run([*cmd[:-4], "--since", "yesterday"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "--since" in bad.stderr
