"""The incident worker as two replica processes on real Redis and PostgreSQL, one killed with SIGKILL
midway: every event lands in exactly one incident, no incident is opened twice, every version is
published on the `incidents` topic, and a redelivered event changes nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy import select

from schemas import Event, Incident
from services.runtime import streams
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.store import db
from tests.incidents.helpers import make_event
from tests.pipeline_harness import http_get, start_worker, worker_env

INCIDENTS, REPORTS = 12, 4
CITIES = [(f"City{i}", 40.0 + i, 20.0 + i) for i in range(INCIDENTS)]


def reports() -> list[Event]:
    """REPORTS articles on each of INCIDENTS strikes, on days and in cities far apart."""
    from schemas import Location

    out = []
    for i, (name, lat, lon) in enumerate(CITIES):
        place = Location(text=name, name=name, country="UKR", lat=lat, lon=lon, precision="city")
        for r in range(REPORTS):
            out.append(
                make_event(
                    f"art{i}-{r}", f"Russian missiles hit {name} market, killing {5 + r} people",
                    location=place, day=3 * i, hours=6 + r, figures=(("killed", 5 + r, "the governor"),),
                )
            )  # fmt: skip
    return out


async def publish(settings: Settings, events: list[Event]) -> None:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        await streams.publish(redis, [(settings.keys.events, e) for e in events])
    finally:
        await redis.aclose()


async def lag_and_topic(settings: Settings) -> tuple[int, list[dict[str, object]]]:
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        lag = await streams.group_lag(redis, settings.keys.events, "incidents")
        entries = await redis.xrange(settings.keys.incidents)
    finally:
        await redis.aclose()
    return lag, [json.loads(fields[b"incident"]) for _, fields in entries]


async def stored(url: str) -> tuple[list[Incident], list[tuple[str, str]]]:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            payloads = (await conn.execute(select(db.IncidentRow.payload))).scalars().all()
            rows = (
                await conn.execute(select(db.IncidentMentionRow.event_id, db.IncidentMentionRow.incident_id))
            ).all()
    finally:
        await engine.dispose()
    return [Incident.model_validate(p) for p in payloads], [(str(a), str(b)) for a, b in rows]


@pytest.mark.postgres
@pytest.mark.slow
def test_two_replicas_one_killed_never_open_an_incident_twice(settings: Settings, postgres_url: str) -> None:
    settings = settings.model_copy(update={"database_url": SecretStr(postgres_url)})
    env = worker_env(settings, {"NEWSWIRE_INCIDENT_LOCK_TTL_S": "2", "NEWSWIRE_PREFETCH": "2"})
    events = reports()
    ports = [free_port(), free_port()]
    procs = [start_worker("incidents", {**env, "NEWSWIRE_CONSUMER": f"replica-{p}"}, p) for p in ports]
    try:
        for port in ports:  # both up before anything is published: they race from the first event
            http_get(f"http://127.0.0.1:{port}/healthz", timeout=60)
        time.sleep(1.0)
        asyncio.run(publish(settings, events))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill one replica once work is under way
            _, topic = asyncio.run(lag_and_topic(settings))
            if len(topic) >= 6:
                break
            time.sleep(0.1)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(timeout=10)
        asyncio.run(publish(settings, events[:5]))  # at-least-once upstream: some events come again
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            lag, topic = asyncio.run(lag_and_topic(settings))
            if lag == 0:
                break
            time.sleep(0.3)
        assert lag == 0, "the surviving replica did not finish the stream"
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)

    incidents, mentions = asyncio.run(stored(postgres_url))
    assert len(incidents) == INCIDENTS
    assert len(mentions) == len(events) == len({e for e, _ in mentions})
    assert all(i.num_mentions == REPORTS and i.version == REPORTS for i in incidents)
    for inc in incidents:
        assert {m.event_id for m in inc.mentions} == {e for e, i in mentions if i == inc.incident_id}
        killed = next(f for f in inc.quantities if f.kind == "killed")
        assert (killed.value, killed.low, killed.high) == (5 + REPORTS - 1, 5, 5 + REPORTS - 1)
    published = {(t["incident_id"], t["version"]) for t in topic}
    every_version = {(i.incident_id, v) for i in incidents for v in range(1, REPORTS + 1)}
    assert published <= every_version
    assert {(i.incident_id, i.version) for i in incidents} <= published  # each latest version arrives
    # Only a version the killed replica stored and did not publish can be missing, and only when a
    # later event moved its incident on before the redelivery: at most the entries it held unacknowledged.
    assert len(every_version - published) <= 2 * int(env["NEWSWIRE_PREFETCH"])
