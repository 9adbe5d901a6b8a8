"""`newswire run`: the workers as child processes on one Redis (embedded unless configured),
and the helpers tests and benchmarks use to start workers and wait for the pipeline to drain."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

from services.ingest.feed_registry import add_feed, list_feeds
from services.ops.stats import collect_stats, progress_line
from services.ops.submit import submit_urls
from services.runtime import streams
from services.runtime.connections import connect, redis_url
from services.runtime.embedded_redis import child_env, free_port
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, OPTIONAL_GROUPS, WORKER_NAMES
from services.runtime.worker import ensure_data_dir


async def is_idle(url: str, settings: Settings) -> bool:
    redis = connect(url, settings)
    try:
        for stream, groups in CONSUMER_GROUPS.items():
            for group in groups:
                if await streams.group_lag(redis, settings.keys.stream(stream), group):
                    return False
        for stream, groups in OPTIONAL_GROUPS.items():
            present = {g["group"] for g in await streams.group_info(redis, settings.keys.stream(stream))}
            for group in set(groups) & present:
                if await streams.group_lag(redis, settings.keys.stream(stream), group):
                    return False
        feeds = await list_feeds(redis, settings)
        return all(state.get("last_poll") for state in feeds.values())
    finally:
        await redis.aclose()


def _metrics_env(settings: Settings, index: int) -> dict[str, str]:
    if settings.metrics_port is None:
        return {}
    return {"NEWSWIRE_METRICS_PORT": str(settings.metrics_port + index if settings.metrics_port else 0)}


def spawn_workers(url: str, settings: Settings) -> list[subprocess.Popen[bytes]]:
    procs = []
    for index, name in enumerate(WORKER_NAMES):
        env = {**child_env(url), **_metrics_env(settings, index), "NEWSWIRE_DATA_DIR": str(settings.data_dir)}
        procs.append(subprocess.Popen([sys.executable, "-m", "services.cli", "worker", name], env=env))
    return procs


def stop_workers(procs: list[subprocess.Popen[bytes]], timeout: float = 30.0) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def run_pipeline(
    settings: Settings,
    *,
    feeds: list[str],
    urls: list[str],
    until_idle: bool,
    timeout_s: float | None = None,
    progress_every_s: float = 10.0,
) -> tuple[int, dict[str, Any]]:
    """Run the workers until interrupted (or idle); returns the exit code and the final stats."""
    ensure_data_dir(settings)
    with redis_url(settings) as url:

        async def prepare() -> list[str]:
            redis = connect(url, settings)
            try:
                for feed in feeds:
                    await add_feed(redis, settings, feed)
            finally:
                await redis.aclose()
            return await submit_urls(url, settings, urls)

        for line in asyncio.run(prepare()):
            print(f"newswire run: {line}", file=sys.stderr)
        procs = spawn_workers(url, settings)
        started = time.monotonic()
        try:
            idle_checks, last_progress = 0, time.monotonic()
            while all(p.poll() is None for p in procs):
                time.sleep(1.0)
                if progress_every_s and time.monotonic() - last_progress >= progress_every_s:
                    last_progress = time.monotonic()
                    line = progress_line(asyncio.run(collect_stats(url, settings)))
                    print(line, file=sys.stderr, flush=True)
                if not until_idle:
                    continue
                idle_checks = idle_checks + 1 if asyncio.run(is_idle(url, settings)) else 0
                if idle_checks >= 3:
                    break
                if timeout_s is not None and time.monotonic() - started > timeout_s:
                    print("newswire run: timed out before the streams drained", file=sys.stderr)
                    break
        except KeyboardInterrupt:
            pass
        finally:
            stop_workers(procs)
        failed = [WORKER_NAMES[i] for i, p in enumerate(procs) if p.returncode not in (0, -signal.SIGTERM)]
        stats = asyncio.run(collect_stats(url, settings))
    if failed:
        print(f"newswire run: worker(s) exited with an error: {', '.join(failed)}", file=sys.stderr)
        return 1, stats
    return 0, stats


def worker_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a worker process on `settings`' Redis, prefix and database, tuned for local
    runs (private addresses allowed, no host delay, quick reclaim)."""
    assert settings.redis_url is not None
    env = dict(os.environ)
    env.update(
        NEWSWIRE_REDIS_URL=settings.redis_url.get_secret_value(),
        NEWSWIRE_STREAM_PREFIX=settings.stream_prefix,
        NEWSWIRE_DATA_DIR=str(settings.data_dir),
        NEWSWIRE_ALLOW_PRIVATE_NETWORKS="1",
        NEWSWIRE_HOST_DELAY_S="0",
        NEWSWIRE_RECLAIM_IDLE_MS="2000",
        NEWSWIRE_RECLAIM_INTERVAL_S="0.5",
        NEWSWIRE_MAX_DELIVERIES="2",
        NEWSWIRE_LOG_LEVEL="WARNING",
    )
    if settings.database_url is not None:
        env["NEWSWIRE_DATABASE_URL"] = settings.database_url.get_secret_value()
    env.update(extra or {})
    return env


def start_worker(name: str, env: Mapping[str, str], port: int | None = None) -> subprocess.Popen[bytes]:
    env = {**env, "NEWSWIRE_METRICS_PORT": str(port if port is not None else free_port())}
    return subprocess.Popen([sys.executable, "-m", "services.cli", "worker", name], env=env)


def wait_idle(settings: Settings, timeout: float = 180.0, settle: int = 3) -> None:
    """Return once every stream is drained `settle` checks in a row; AssertionError after `timeout`."""
    assert settings.redis_url is not None
    url = settings.redis_url.get_secret_value()
    deadline, idle = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        idle = idle + 1 if asyncio.run(is_idle(url, settings)) else 0
        if idle >= settle:
            return
        time.sleep(0.5)
    raise AssertionError(f"pipeline not idle after {timeout}s")
