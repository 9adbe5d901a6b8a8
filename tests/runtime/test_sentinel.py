"""Redis Sentinel on real servers on loopback: one master, one replica, three sentinels.

The extractor and the store run as processes that know only the sentinels: their Redis URL names the
master that gets killed, so a client that connected to it directly would fail. The master is killed
with SIGKILL mid-run; the sentinels promote the replica, and every article and event must end stored
exactly once, with the same ids as a clean in-process run. Writes the dead master had acknowledged but
not yet replicated are redone: their inputs were never acknowledged on the replica, and the upserts on
deterministic ids make the redo harmless.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from schemas import Article
from services.runtime import streams
from services.runtime.connections import connect
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.runtime.worker import ensure_topology
from tests.pipeline_harness import http_get, start_worker, wait_idle, worker_env
from tests.runtime.sentinel_servers import SentinelGroup
from tests.test_cli import newswire
from tests.test_faults import expected_event_ids, make_articles, stop_all, stored_ids, wait_for_rows

pytestmark = pytest.mark.slow
MASTER = "newswire-test"


@pytest.fixture
def sentinel_group(tmp_path: Path) -> Iterator[SentinelGroup]:
    group = SentinelGroup(tmp_path / "sentinel", MASTER)
    group.start()
    yield group
    group.stop()


@pytest.fixture
def sentinel_settings(settings: Settings, sentinel_group: SentinelGroup, tmp_path: Path) -> Settings:
    master = sentinel_group.data_ports[0]
    return settings.model_copy(
        update={
            "redis_url": SecretStr(f"redis://127.0.0.1:{master}/0"),  # credentials and db only
            "redis_sentinels": sentinel_group.sentinels,
            "redis_master": MASTER,
            "database_url": SecretStr(f"sqlite+aiosqlite:///{tmp_path / 'sentinel.db'}"),
        }
    )


async def publish_replicated(settings: Settings, articles: list[Article]) -> None:
    """Publish through the sentinels, then WAIT until the replica has every entry."""
    assert settings.redis_url is not None
    redis = connect(settings.redis_url.get_secret_value(), settings)
    try:
        await ensure_topology(redis, settings)
        for start in range(0, len(articles), 50):
            chunk = articles[start : start + 50]
            await streams.publish(redis, [(settings.keys.articles, a) for a in chunk])
        assert await redis.execute_command("WAIT", 1, 5000) == 1  # type: ignore[no-untyped-call]
    finally:
        await redis.aclose()


async def extractor_lag(settings: Settings) -> int:
    assert settings.redis_url is not None
    redis = connect(settings.redis_url.get_secret_value(), settings)
    try:
        return await streams.group_lag(redis, settings.keys.articles, "extractor")
    finally:
        await redis.aclose()


def wait_for_events(database_url: str, at_least: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while len(asyncio.run(stored_ids(database_url))[1]) < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} events stored after {timeout}s"
        time.sleep(0.1)


def wait_api_healthy(port: int, timeout: float = 180) -> dict[str, str]:
    """/healthz once it says ok (the API starts slowly on a busy machine), or its last answer."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            status, body = http_get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except OSError:
            assert time.monotonic() < deadline, f"the API did not answer within {timeout}s"
            continue
        if status == 200 or time.monotonic() > deadline:
            return dict(json.loads(body))
        time.sleep(0.3)


def sentinel_env(settings: Settings) -> dict[str, str]:
    sentinels = {"NEWSWIRE_REDIS_SENTINELS": settings.redis_sentinels, "NEWSWIRE_REDIS_MASTER": MASTER}
    return worker_env(settings, sentinels)


def test_sentinel_failover_mid_run_loses_nothing_and_stores_nothing_twice(
    sentinel_settings: Settings, sentinel_group: SentinelGroup
) -> None:
    settings = sentinel_settings
    assert settings.database_url is not None
    database_url = settings.database_url.get_secret_value()
    old_master = sentinel_group.master_port()
    assert old_master == sentinel_group.data_ports[0]
    env = sentinel_env(settings)
    assert newswire("init-groups", env=env).returncode == 0
    articles = make_articles(120)
    asyncio.run(publish_replicated(settings, articles))
    api_port = free_port()
    api = subprocess.Popen([sys.executable, "-m", "services.cli", "serve", "--port", str(api_port)], env=env)
    procs = [start_worker("extractor", env), start_worker("store", env)]
    try:
        assert wait_api_healthy(api_port)["redis"] == "ok"
        wait_for_events(database_url, 1)
        extractor_behind = asyncio.run(extractor_lag(settings))
        sentinel_group.kill(old_master)
        sentinel_group.wait_until(lambda: sentinel_group.master_port() != old_master, 60, "a failover")
        wait_for_rows(database_url, len(articles), timeout=240)
        wait_idle(settings, timeout=240)
        health = wait_api_healthy(api_port)  # the API's client found the new master too
        status, body = http_get(f"http://127.0.0.1:{api_port}/events?limit=1000")
    finally:
        codes = stop_all(procs)
        stop_all([api])
    assert codes == [0, 0]
    assert extractor_behind > 0, "the master must die mid-run"
    assert sentinel_group.master_port() == sentinel_group.data_ports[1]
    article_ids, event_ids = asyncio.run(stored_ids(database_url))
    assert sorted(article_ids) == sorted(a.article_id for a in articles)
    assert len(event_ids) == len(set(event_ids))
    assert set(event_ids) == expected_event_ids(articles)
    assert health == {"status": "ok", "database": "ok", "redis": "ok"}
    assert status == 200 and len(json.loads(body)["events"]) == min(1000, len(event_ids))
    result = newswire("stats", "--json", env=env)  # the CLI finds the new master too
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["articles"] == len(articles) and stats["dead_letters"] == 0
    assert stats["streams"]["articles"]["groups"]["extractor"]["lag"] == 0


def test_sentinel_settings_reject_a_malformed_address_list() -> None:
    result = newswire("stats", env={"NEWSWIRE_REDIS_SENTINELS": "127.0.0.1:26379,no-port"})
    assert result.returncode == 2 and "redis_sentinels" in result.stderr and "no-port" in result.stderr
