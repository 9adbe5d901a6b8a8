"""`newswire stats`: stored counts, stream lengths, pending and lag per group. Only reads: SCAN for the
topics, never KEYS; never creates a file or a table; says why when the database cannot be read."""

from __future__ import annotations

import logging
from typing import Any

from services.runtime import streams
from services.runtime.connections import connect
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, DEAD
from services.store import db
from services.store.errors import classify, database_name

log = logging.getLogger(__name__)


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
