"""`newswire run`: the three workers as child processes on one Redis, plus submit and stats helpers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import subprocess
import sys
import time
from typing import Any

from schemas import UrlRequest
from services.ingest.dedup import canonical_url
from services.ingest.feed_registry import add_feed, list_feeds
from services.runtime import streams
from services.runtime.connections import connect, redis_url
from services.runtime.embedded_redis import child_env
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, DEAD, WORKER_NAMES
from services.runtime.worker import ensure_data_dir, ensure_topology
from services.store import db
from services.store.errors import classify, database_name

log = logging.getLogger(__name__)


async def submit_urls(
    url: str, settings: Settings, urls: list[str], feed_url: str | None = None
) -> list[str]:
    """Queue each URL; returns an error line for each that is not an http(s) URL."""
    bad = []
    redis = connect(url, settings)
    try:
        await ensure_topology(redis, settings)
        for raw in urls:
            try:
                canonical_url(raw)
            except ValueError as exc:
                bad.append(f"{raw}: {exc}")
                continue
            await streams.publish(redis, [(settings.keys.urls, UrlRequest(url=raw, feed_url=feed_url))])
    finally:
        await redis.aclose()
    return bad


async def collect_stats(url: str, settings: Settings) -> dict[str, Any]:
    keys = settings.keys
    redis = connect(url, settings)
    try:
        names = [*CONSUMER_GROUPS, DEAD]
        names += sorted(
            {
                keys.short(streams.text(k))
                async for k in redis.scan_iter(match=keys.topic_pattern, _type="STREAM")
            }
        )
        stream_stats: dict[str, Any] = {}
        for name in names:
            key = keys.stream(name)
            groups = await streams.group_info(redis, key)
            stream_stats[name] = {
                "length": int(await redis.xlen(key)),
                "groups": {
                    g["group"]: {
                        "pending": g["pending"],
                        "lag": await streams.group_lag(redis, key, g["group"]),
                    }
                    for g in groups
                },
            }
        dead = stream_stats[DEAD]["length"]
    finally:
        await redis.aclose()
    out: dict[str, Any] = {"articles": None, "events": None, "events_by_type": {}, "dead_letters": dead}
    error = await read_counts(settings.sqlalchemy_url(), out)
    if error is not None:  # stream figures are still worth printing
        out["database_error"] = error
    out["streams"] = stream_stats
    return out


async def read_counts(url: str, out: dict[str, Any]) -> str | None:
    """Add the stored counts to `out`; or say why the database cannot be read. Never writes to it."""
    if not db.exists(url):
        return f"database {database_name(url)} does not exist yet (the store makes it)"
    engine = db.make_engine(url)
    try:
        if await db.current_revision(engine) is None:
            return f"database {database_name(url)} has no newswire schema: run `newswire db upgrade`"
        out.update(await db.counts(engine))
    except Exception as exc:
        log.warning("stats: cannot read the database: %s: %s", type(exc).__name__, exc)
        return f"cannot read database {database_name(url)}: {classify(exc, url)}"
    finally:
        await engine.dispose()
    return None


def print_stats(stats: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"articles: {stats['articles']}   events: {stats['events']}   dead letters: {stats['dead_letters']}"
    )
    if stats.get("database_error"):
        console.print(f"database: {stats['database_error']}", style="red", highlight=False)
    table = Table("stream", "length", "group", "pending", "lag")
    for name, info in stats["streams"].items():
        groups = info["groups"] or {"-": {"pending": "", "lag": ""}}
        for group, g in groups.items():
            table.add_row(name, str(info["length"]), group, str(g["pending"]), str(g["lag"]))
    console.print(table)


def progress_line(stats: dict[str, Any]) -> str:
    """One plain line of progress for long runs."""
    waiting = {
        f"{name}/{group}": g["lag"]
        for name, info in stats["streams"].items()
        for group, g in info["groups"].items()
        if g["lag"]
    }
    behind = ", ".join(f"{k} {v}" for k, v in waiting.items()) or "nothing"
    return (
        f"newswire: {stats['articles']} articles, {stats['events']} events stored, "
        f"{stats['dead_letters']} dead letters; waiting: {behind}"
    )


async def is_idle(url: str, settings: Settings) -> bool:
    redis = connect(url, settings)
    try:
        for stream, groups in CONSUMER_GROUPS.items():
            for group in groups:
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
