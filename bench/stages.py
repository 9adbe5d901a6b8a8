"""Each stage alone, in this process, without Redis; and Redis's own stream command rates.

- cleaning: `clean_html` on the Zyte pages, pages/s;
- extraction: the rule engine on ~700-word articles, articles/s (model load excluded, reported apart);
- store: the upserts the store worker runs (one transaction per message), rows/s, on SQLite and on a
  PostgreSQL database created for the run and dropped after it; also 50 rows per transaction, the
  figure a batching store would reach;
- redis: XADD, XREADGROUP and XACK rates of redis-py pipelines against a redis-server started here, with
  the server's own CPU time per command (the single thread every replica shares).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import delete

from bench.corpus import zyte_pages
from schemas import Article, Event
from services.store import db

BATCH = 50


def busy_cpu_s() -> float:
    """CPU seconds the whole machine has been busy (every process, ours and others')."""
    t = psutil.cpu_times()
    return float(
        sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) - getattr(t, "guest_nice", 0.0)
    )


def _rate(count: float, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def bench_cleaning(limit: int) -> dict[str, Any]:
    from services.ingest.cleaning import clean_html

    pages = zyte_pages(limit)
    if not pages:
        return {"error": "no Zyte pages under ../shared"}
    clean_html(pages[0])  # first call imports and compiles what trafilatura needs
    started = time.perf_counter()
    kept = sum(1 for page in pages if clean_html(page) is not None)
    elapsed = time.perf_counter() - started
    return {
        "pages": len(pages),
        "kept": kept,
        "pages_per_s": _rate(len(pages), elapsed),
        "ms_per_page": round(1000 * elapsed / len(pages), 1),
    }


def bench_extraction(articles: list[Article], repeat: int = 2) -> tuple[dict[str, Any], list[Event]]:
    from services.extractor.engine import get_engine

    started = time.perf_counter()
    engine = get_engine()
    engine.extract(articles[0])  # loads the spaCy model: once per process, not part of the rate
    load_s = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        started, cpu, busy = time.perf_counter(), time.process_time(), busy_cpu_s()
        events = [e for a in articles for e in engine.extract(a)]
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        runs.append((elapsed, cpu, (busy_cpu_s() - busy - cpu) / elapsed))
    elapsed, cpu, others = min(runs)
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    figures = {
        "articles": len(articles),
        "mean_words": round(words),
        "events": len(events),
        "events_per_article": round(len(events) / len(articles), 1),
        "articles_per_s": _rate(len(articles), elapsed),
        "cpu_ms_per_article": round(1000 * cpu / len(articles), 1),
        "model_load_s": round(load_s, 2),
        "runs": [_rate(len(articles), w) for w, _, _ in runs],
        "other_cpu_cores": round(max(0.0, others), 2),
    }
    return figures, events


async def _timed_upserts(engine: Any, rows: list[Any], upsert: Any, batch: int) -> float:
    async with engine.begin() as conn:  # every run inserts new rows, as the store does for new messages
        await conn.execute(delete(db.EventRow))
        await conn.execute(delete(db.ArticleRow))
    started = time.perf_counter()
    for i in range(0, len(rows), batch):
        await upsert(engine, rows[i : i + batch])
    return time.perf_counter() - started


async def _store_figures(
    url: str, articles: list[Article], events: list[Event], sample: int, repeat: int
) -> dict[str, Any]:
    """Best of `repeat` runs; one transaction per row on the first `sample` events (the rate is per row)."""
    engine = db.make_engine(url)
    per_article = len(events) / len(articles)
    some = events[:sample]
    art_s, ev_s, batch_s = [], [], []
    try:
        await db.upgrade(engine)
        await db.upsert_articles(engine, articles[:1])  # opens the connection pool
        for _ in range(repeat):
            art_s.append(await _timed_upserts(engine, articles, db.upsert_articles, 1))
            ev_s.append(await _timed_upserts(engine, some, db.upsert_events, 1))
            elapsed = await _timed_upserts(engine, articles, db.upsert_articles, BATCH)
            # the events after the articles, without clearing them: what a batching store would write
            started = time.perf_counter()
            for i in range(0, len(events), BATCH):
                await db.upsert_events(engine, events[i : i + BATCH])
            batch_s.append(elapsed + time.perf_counter() - started)
    finally:
        await engine.dispose()
    art_ms, ev_ms = 1000 * min(art_s) / len(articles), 1000 * min(ev_s) / len(some)
    # what the store worker does for one article: its own upsert plus one upsert per event
    article_ms = art_ms + per_article * ev_ms
    return {
        "article_rows_per_s": _rate(1000, art_ms),
        "event_rows_per_s": _rate(1000, ev_ms),
        "ms_per_article_row": round(art_ms, 2),
        "ms_per_event_row": round(ev_ms, 2),
        "articles_per_s": _rate(1000, article_ms),
        f"articles_per_s_batch{BATCH}": _rate(len(articles), min(batch_s)),
        "runs": [
            _rate(len(articles), a + per_article * len(articles) * e / len(some))
            for a, e in zip(art_s, ev_s, strict=True)
        ],
    }


@contextlib.asynccontextmanager
async def _postgres_database(admin_url: str) -> Any:
    """A fresh database on the server of `admin_url`, dropped on exit; yields its SQLAlchemy URL."""
    import asyncpg

    plain = admin_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"newswire_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = await asyncpg.connect(plain, timeout=5)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def bench_store(
    postgres_admin: str | None, articles: list[Article], events: list[Event], sample: int, repeat: int = 2
) -> dict[str, Any]:
    out: dict[str, Any] = {"event_rows_timed_one_by_one": min(sample, len(events))}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        out["sqlite"] = await _store_figures(url, articles, events, sample, repeat)
    if postgres_admin:
        try:
            async with _postgres_database(postgres_admin) as url:
                out["postgres"] = await _store_figures(url, articles, events, sample, repeat)
        except Exception as exc:  # unreachable server, auth, permissions: the reason, and the run goes on
            out["postgres"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    return out


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[tuple[str, psutil.Process]]:
    """A redis-server like production's (AOF, fsync every second); yields its URL and process."""
    from services.runtime.embedded_redis import RedisProcess

    server = RedisProcess(directory, appendonly=True)
    server.start()
    try:
        assert server.process is not None
        yield server.url, psutil.Process(server.process.pid)
    finally:
        server.stop()


def bench_redis(url: str, proc: psutil.Process, sample: Event, count: int) -> dict[str, Any]:
    """Stream command rates with `sample` (an event, as the extractor writes it) as the payload."""
    import redis

    from services.runtime import streams

    fields = asyncio.run(streams.encode(sample))
    client = redis.Redis.from_url(url)
    stream, group = "bench:rates", "g"
    out: dict[str, Any] = {"payload_bytes": sum(len(v) for v in fields.values()), "entries": count}

    def timed(name: str, calls: int, entries: int, batch: int, command: Any) -> None:
        client.config_resetstat()
        cpu, started = sum(proc.cpu_times()[:2]), time.perf_counter()
        for _ in range(calls // batch):
            pipe = client.pipeline(transaction=False)
            for _ in range(batch):
                command(pipe)
            pipe.execute()
        elapsed, cpu = time.perf_counter() - started, sum(proc.cpu_times()[:2]) - cpu
        stats = client.info("commandstats").get(f"cmdstat_{name.split('_')[0]}", {})
        out[name] = {
            "calls_per_s": _rate(calls, elapsed),
            "entries_per_s": _rate(entries, elapsed),
            "server_us_per_call": round(float(stats.get("usec_per_call", 0.0)), 2),
            "server_cpu_us_per_call": round(1e6 * cpu / calls, 2),
        }

    try:
        client.delete(stream)
        client.xgroup_create(stream, group, id="0", mkstream=True)
        timed("xadd", count, count, 100, lambda p: p.xadd(stream, fields))
        timed(
            "xreadgroup_count1",
            count // 2,
            count // 2,
            100,
            lambda p: p.xreadgroup(group, "c1", {stream: ">"}, count=1),
        )
        timed(
            "xreadgroup_count100",
            count // 200,
            count // 2,
            10,
            lambda p: p.xreadgroup(group, "c2", {stream: ">"}, count=100),
        )
        ids = [i for i, _ in client.xrange(stream, count=count)]
        it = iter(ids)
        timed("xack", count, count, 100, lambda p: p.xack(stream, group, next(it)))
    finally:
        client.delete(stream)
        client.close()
    return out
