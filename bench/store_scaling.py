"""Store replicas side by side: 1 and then 2 `newswire worker store` processes on one PostgreSQL.

The backlog is what the extractor writes for each article — the article on `articles`, each of its
events on `events` (and its topic) — built from the events the extraction stage found, with new ids
for every copy, so the store sees new rows. The replicas start and warm up first; then the whole
backlog is published and the rate is timed from the first `stored_at` to the last, as "store in the
pipeline" is. Each round starts 1 replica, then 2, each time on a fresh Redis, warmed up on a backlog of
its own first; the speed-up is the median of the rounds' ratios, each of two runs a minute apart at
most. CPU per article of the store processes (psutil) gives the CPU-normalised speed-up: what two
free cores would give, whatever else the shared machine runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
from pathlib import Path
from typing import Any

import psutil

from bench import pipeline, stages
from schemas import Article, Event, article_id_for, event_id_for
from services.runtime import streams


def backlog(
    articles: list[Article], events: list[Event], copies: int, tag: str
) -> tuple[list[Article], list[Event]]:
    by_article: dict[str, list[Event]] = {}
    for e in events:
        by_article.setdefault(e.article_id, []).append(e)
    out_a, out_e = [], []
    for c in range(copies):
        for a in articles:
            url = f"{a.url}/{tag}/{c}"
            new_id = article_id_for(url)
            out_a.append(a.model_copy(update={"article_id": new_id, "url": url, "canonical_url": url}))
            for i, e in enumerate(by_article.get(a.article_id, [])):
                event_id = event_id_for(new_id, e.event_type, i, i + 1)
                out_e.append(e.model_copy(update={"event_id": event_id, "article_id": new_id}))
    return out_a, out_e


async def _publish(cluster: pipeline.Cluster, articles: list[Article], events: list[Event]) -> None:
    from redis.asyncio import Redis

    settings = cluster.settings
    client = Redis.from_url(cluster.redis_url)
    by_article: dict[str, list[Event]] = {}
    for e in events:
        by_article.setdefault(e.article_id, []).append(e)
    try:
        async with client.pipeline(transaction=False) as pipe:
            for a in articles:  # in the order the extractor would write them
                pipe.xadd(settings.keys.articles, await streams.encode(a))  # type: ignore[arg-type]
                for e in by_article.get(a.article_id, []):
                    pipe.xadd(settings.keys.events, await streams.encode(e))  # type: ignore[arg-type]
            await pipe.execute()
    finally:
        await client.aclose()


def postgres_cpu_s(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving `database` (its title names the database)."""
    out: dict[int, float] = {}
    for proc in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["name"] == "postgres" and database in " ".join(proc.info["cmdline"] or []):
                out[proc.pid] = sum(proc.cpu_times()[:2])
    return out


def _catch_up(cluster: pipeline.Cluster, articles: list[Article], events: list[Event]) -> dict[str, Any]:
    database = cluster.database_url.rsplit("/", 1)[1]
    cpu0, pg0 = cluster.cpu(), postgres_cpu_s(database)
    asyncio.run(_publish(cluster, articles, events))
    cluster.wait_drained(["store"])
    stored, _ = asyncio.run(pipeline._stored_times(cluster.database_url, [a.article_id for a in articles]))
    cpu1, pg1 = cluster.cpu(), postgres_cpu_s(database)
    pg_s = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
    elapsed = max(1e-3, max(stored) - min(stored))
    ours = sum(cpu1[k] - cpu0.get(k, 0.0) for k in ("store", "redis", "bench")) + pg_s
    n = len(articles)
    return {
        "articles": n,
        "events": len(events),
        "articles_per_s": round(n / (max(stored) - min(stored)), 1),
        "store_cpu_ms_per_article": round(1000 * (cpu1["store"] - cpu0["store"]) / n, 2),
        "redis_cpu_ms_per_article": round(1000 * (cpu1["redis"] - cpu0["redis"]) / n, 2),
        "postgres_cpu_ms_per_article": round(1000 * pg_s / n, 2),
        # cores the store, Redis, PostgreSQL and the bench kept busy, and what other processes took
        "our_cpu_cores": round(ours / elapsed, 2),
        "other_cpu_cores": round(max(0.0, cpu1["machine"] - cpu0["machine"] - ours) / elapsed, 2),
    }


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (the lower middle one of an even count), every run's rate beside it."""
    ranked = sorted(runs, key=lambda x: x["articles_per_s"])
    middle = dict(ranked[(len(ranked) - 1) // 2])
    middle["runs"] = [x["articles_per_s"] for x in runs]
    return middle


def store_scaling(
    tmp: Path, postgres_admin: str, articles: list[Article], events: list[Event], copies: int, repeat: int
) -> dict[str, Any]:
    """The store's rate from a backlog with 1 and then 2 replicas, `repeat` rounds of both; the speed-up
    is the median of the rounds' (2 replicas ÷ 1 replica a minute earlier, as the host drifts)."""
    out: dict[str, Any] = {"database": "postgresql", "rounds": []}
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}

    async def run() -> None:
        async with stages._postgres_database(postgres_admin) as database_url:
            await asyncio.to_thread(_rounds, database_url)

    def _rounds(database_url: str) -> None:
        for i in range(repeat):
            for replicas in (1, 2):
                folder = tmp / f"stores-{i}-{replicas}"
                with stages.redis_server(folder / "redis") as (url, redis_ps):
                    cluster = pipeline.Cluster(folder, url, database_url, redis_ps)
                    try:
                        cluster.start("store", replicas)
                        # untimed: every replica's connections, statements and batches warmed up
                        _catch_up(cluster, *backlog(articles, events, 1, f"w{i}-{replicas}"))
                        runs[replicas].append(
                            _catch_up(cluster, *backlog(articles, events, copies, f"s{i}-{replicas}"))
                        )
                    finally:
                        cluster.stop()
            one, two = runs[1][-1], runs[2][-1]
            out["rounds"].append(
                {
                    "articles_per_s": [one["articles_per_s"], two["articles_per_s"]],
                    "speedup": round(two["articles_per_s"] / one["articles_per_s"], 2),
                    "speedup_cpu": round(
                        2 * one["store_cpu_ms_per_article"] / two["store_cpu_ms_per_article"], 2
                    ),
                }
            )

    asyncio.run(run())
    out["replicas_1"], out["replicas_2"] = _median_run(runs[1]), _median_run(runs[2])
    out["speedup"] = round(statistics.median(r["speedup"] for r in out["rounds"]), 2)
    out["speedup_cpu"] = round(statistics.median(r["speedup_cpu"] for r in out["rounds"]), 2)
    return out
