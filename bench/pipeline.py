"""The full pipeline through Redis: extractor and store worker processes, measured once they are ready.

A `Cluster` starts workers (`newswire worker NAME`, production settings, one BLAS thread each), waits
until each is ready — /healthz answers and it has handled a warm-up article (the extractor loads its
spaCy model on the first one) — then bursts are published and timed until the streams drain. Times
come from the clocks of the data itself: `fetched_at` set at publish, the events stream's last entry
id (Redis's clock) when the extractors finish, `stored_at` of the last row stored. A sampler thread
reads every worker's RSS every 0.2 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import psutil
import redis
from pydantic import SecretStr
from sqlalchemy import select

from bench.corpus import build_articles, stamped
from bench.stages import busy_cpu_s
from schemas import Article
from services.runtime import streams
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS
from services.runtime.worker import ensure_topology
from services.store import db

THREADS_1 = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Worker:
    role: str
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    ps: psutil.Process
    log: IO[bytes]
    peak_rss_mib: float = 0.0


@dataclass
class Cluster:
    """Worker processes on one Redis and one database, with an RSS sampler."""

    tmp: Path
    redis_url: str
    database_url: str
    redis_ps: psutil.Process
    workers: list[Worker] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def __post_init__(self) -> None:
        self.settings = Settings(
            redis_url=SecretStr(self.redis_url), database_url=SecretStr(self.database_url), data_dir=self.tmp
        )
        self.client = redis.Redis.from_url(self.redis_url)
        self._cores = sorted(os.sched_getaffinity(0))
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    # --- processes -------------------------------------------------------------------------------
    def start(self, role: str, count: int = 1, command: list[str] | None = None) -> list[Worker]:
        """`count` workers of `role` (`newswire worker ROLE`, or `command`), once each is ready."""
        started = []
        for _ in range(count):
            name = f"{role}-{sum(w.role == role for w in self.workers) + 1}"
            port = free_port()
            env = {
                **os.environ,
                **THREADS_1,
                "NEWSWIRE_REDIS_URL": self.redis_url,
                "NEWSWIRE_DATABASE_URL": self.database_url,
                "NEWSWIRE_DATA_DIR": str(self.tmp),
                "NEWSWIRE_CONSUMER": name,
                "NEWSWIRE_METRICS_PORT": str(port),
                "NEWSWIRE_METRICS_HOST": "127.0.0.1",
                "NEWSWIRE_LOG_LEVEL": "WARNING",
            }
            log = (self.tmp / f"{name}.log").open("wb")
            argv = command or [sys.executable, "-m", "services.cli", "worker", role]
            proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
            worker = Worker(role, name, port, proc, psutil.Process(proc.pid), log)
            self.workers.append(worker)
            started.append(worker)
        self.wait_ready(started)
        return started

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for w in list(self.workers):
                try:
                    rss = w.ps.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                w.peak_rss_mib = max(w.peak_rss_mib, rss)

    def stop(self) -> None:
        for w in self.workers:
            if w.proc.poll() is None:
                w.proc.terminate()
        for w in self.workers:
            try:
                w.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.proc.kill()
                w.proc.wait()
            w.log.close()
        self._stop.set()
        self.client.close()

    def check_alive(self) -> None:
        for w in self.workers:
            if w.proc.poll() is not None:
                tail = (self.tmp / f"{w.name}.log").read_text(errors="replace")[-1500:]
                raise RuntimeError(f"worker {w.name} exited with {w.proc.returncode}:\n{tail}")

    # --- readiness -------------------------------------------------------------------------------
    def _healthy(self, w: Worker) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{w.port}/healthz", timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def handled(self, w: Worker) -> float:
        """Articles this worker handled successfully, from its /metrics."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{w.port}/metrics", timeout=2) as resp:
                text = resp.read().decode()
        except OSError:
            return 0.0
        stream = f'stream="{self.settings.keys.articles}"'
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("newswire_messages_total{") and 'outcome="ok"' in line and stream in line
        )

    def wait_ready(self, workers: list[Worker], timeout: float = 180) -> None:
        """Until each worker answers /healthz and has handled an article (Redis lists a consumer only
        once it was given an entry, and the extractor loads its model on its first article)."""
        deadline, warm = time.monotonic() + timeout, 0
        roles = sorted({w.role for w in self.workers})
        while time.monotonic() < deadline:
            self.check_alive()
            cold = [w for w in workers if not self._healthy(w) or self.handled(w) < 1]
            if not cold:
                self.wait_drained(roles)
                return
            if all(self._healthy(w) for w in cold) and self.lag(roles) == 0:
                # one warm-up article at a time: an idle worker blocked on XREADGROUP takes it
                self.publish(stamped(build_articles(1, "warm-up", first=warm)))
                warm += 1
            time.sleep(0.3)
        raise TimeoutError(f"workers not ready after {timeout}s")

    # --- publishing and draining ---------------------------------------------------------------
    def publish(self, articles: list[Article]) -> None:
        """One XADD per article (as ingest publishes them), sent in one round trip."""
        asyncio.run(self._publish(articles))

    async def _publish(self, articles: list[Article]) -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(self.redis_url)
        try:
            await ensure_topology(client, self.settings)
            async with client.pipeline(transaction=False) as pipe:
                for a in articles:
                    pipe.xadd(self.settings.keys.articles, await streams.encode(a))  # type: ignore[arg-type]
                await pipe.execute()
        finally:
            await client.aclose()

    def lag(self, groups: list[str] | None = None) -> int:
        """Entries not yet acknowledged by the groups (XINFO's lag is null after trims: count them)."""
        total = 0
        for stream, names in CONSUMER_GROUPS.items():
            key = self.settings.keys.stream(stream)
            for g in self.client.xinfo_groups(key) if stream != "urls" else []:
                name = streams.text(g["name"])
                if name not in names or (groups is not None and name not in groups):
                    continue
                lag = g.get("lag")
                if lag is None:
                    after = "(" + streams.text(g["last-delivered-id"])
                    lag = len(self.client.xrange(key, min=after, count=10_000))
                total += int(lag) + int(g.get("pending") or 0)
        return total

    def wait_drained(self, groups: list[str] | None = None, timeout: float = 900) -> float:
        """Polls until the groups have nothing left; returns the wall time it happened. Rates are timed
        from the data (entry ids, stored_at), so the polling is slow: it shares the cores."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.lag(groups) == 0:
                return time.time()
            self.check_alive()
            time.sleep(0.25)
        raise TimeoutError(f"streams not drained after {timeout}s")

    def last_event_time(self) -> float:
        last = self.client.xrevrange(self.settings.keys.events, count=1)
        return int(streams.text(last[0][0]).split("-")[0]) / 1000 if last else 0.0

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far of each role, of redis-server, of this process and of the whole machine."""
        out: dict[str, float] = {
            "redis": sum(self.redis_ps.cpu_times()[:2]),
            "bench": time.process_time(),
            "machine": busy_cpu_s(),
        }
        for w in self.workers:
            with contextlib.suppress(psutil.Error):
                out[w.role] = out.get(w.role, 0.0) + sum(w.ps.cpu_times()[:2])
        return out

    def redis_calls(self) -> dict[str, int]:
        """Calls so far per Redis command, without the bench's own polling (XINFO, INFO, XREVRANGE)."""
        return {
            k.removeprefix("cmdstat_"): int(v["calls"])
            for k, v in self.client.info("commandstats").items()
            if k.startswith("cmdstat_")
            and k[8:] not in ("xinfo|groups", "info", "xrevrange", "config|resetstat")
        }

    def pin(self, on: bool) -> None:
        """Pin each extractor to a core of its own and the rest (store, Redis, this process) to the
        remaining cores, or undo it: what the scheduler moving processes across cores costs."""
        cores = self._cores
        extractors = [w for w in self.workers if w.role == "extractor"]
        rest = set(cores[len(extractors) :]) if on else set(cores)
        for i, w in enumerate(extractors):
            for t in w.ps.threads():
                os.sched_setaffinity(t.id, {cores[i]} if on else set(cores))
        for proc in [self.redis_ps, psutil.Process(), *(w.ps for w in self.workers if w.role != "extractor")]:
            for t in proc.threads():
                os.sched_setaffinity(t.id, rest)

    def untrimmed(self) -> dict[str, int]:
        """Streams without a consumer group (events.<type>): nothing ever trims them."""
        out = {"streams": 0, "entries": 0, "bytes": 0}
        for key in self.client.scan_iter(match=self.settings.keys.stream("*"), _type="STREAM"):
            if not self.client.xinfo_groups(key):
                out["streams"] += 1
                out["entries"] += int(self.client.xlen(key))
                out["bytes"] += int(self.client.memory_usage(key, samples=0) or 0)
        return out

    def articles_extracted(self) -> int:
        return int(sum(self.handled(w) for w in self.workers if w.role == "extractor"))

    def peaks(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for w in self.workers:
            out[w.role] = round(max(out.get(w.role, 0.0), w.peak_rss_mib), 1)
        return out


async def _stored_times(database_url: str, ids: list[str]) -> tuple[list[float], list[float]]:
    """(stored_at of every row of these articles and their events, latency of each event from fetch)."""

    def ts(value: datetime) -> float:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()

    engine = db.make_engine(database_url)
    try:
        async with engine.connect() as conn:
            arts = (
                await conn.execute(
                    select(db.ArticleRow.article_id, db.ArticleRow.fetched_at, db.ArticleRow.stored_at).where(
                        db.ArticleRow.article_id.in_(ids)
                    )
                )
            ).all()
            evs = (
                await conn.execute(
                    select(db.EventRow.article_id, db.EventRow.stored_at).where(
                        db.EventRow.article_id.in_(ids)
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    fetched = {a: ts(f) for a, f, _ in arts if f is not None}
    stored = [ts(s) for _, _, s in arts] + [ts(s) for _, s in evs]
    return stored, [ts(s) - fetched[a] for a, s in evs if a in fetched]


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50_s": pick(0.50), "p95_s": pick(0.95), "p99_s": pick(0.99), "max_s": round(ordered[-1], 2)}


def burst(cluster: Cluster, articles: list[Article], extractor_only: bool = False) -> dict[str, Any]:
    """Publish every article at once, wait until drained; rates from the first publish to the last write."""
    cpu0, calls0 = cluster.cpu(), cluster.redis_calls()
    handled0 = {w.name: cluster.handled(w) for w in cluster.workers if w.role == "extractor"}
    t0 = time.time()
    cluster.publish(stamped(articles))
    cluster.wait_drained(["extractor"] if extractor_only else None)
    n = len(articles)
    out: dict[str, Any] = {"articles": n}
    out["extractor_articles_per_s"] = round(n / (cluster.last_event_time() - t0), 2)
    if not extractor_only:
        stored, latency = asyncio.run(_stored_times(cluster.database_url, [a.article_id for a in articles]))
        out["articles_per_s"] = round(n / (max(stored) - t0), 2)
        out["latency"] = percentiles(latency)
    cpu1 = cluster.cpu()
    spent = {k: v - cpu0.get(k, 0.0) for k, v in cpu1.items()}
    machine = spent.pop("machine")
    out["cpu_ms_per_article"] = {k: round(1000 * v / n, 1) for k, v in spent.items()}
    # cores other processes on the machine (other people's tests) took while this ran
    out["other_cpu_cores"] = round(max(0.0, machine - sum(spent.values())) / (time.time() - t0), 2)
    calls = {k: (v - calls0.get(k, 0)) / n for k, v in cluster.redis_calls().items()}
    out["redis_calls_per_article"] = {
        k: round(v, 1) for k, v in sorted(calls.items(), key=lambda kv: -kv[1]) if v
    }
    out["articles_per_extractor"] = [
        int(cluster.handled(w) - handled0[w.name]) for w in cluster.workers if w.name in handled0
    ]
    return out


def store_catch_up(cluster: Cluster, articles: list[Article]) -> dict[str, Any]:
    """Start the store on a backlog of these articles and their events; its rate from first to last write."""
    cluster.start("store")
    cluster.wait_drained()
    stored, _ = asyncio.run(_stored_times(cluster.database_url, [a.article_id for a in articles]))
    return {
        "articles": len(articles),
        "articles_per_s": round(len(articles) / (max(stored) - min(stored)), 2),
    }


def paced(cluster: Cluster, articles: list[Article], rate: float) -> dict[str, Any]:
    """One article every 1/rate seconds, each stamped as it is published: latency below saturation."""
    t0 = time.monotonic()
    for i, article in enumerate(articles):
        delay = t0 + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        cluster.publish(stamped([article]))
    cluster.wait_drained()
    _, latency = asyncio.run(_stored_times(cluster.database_url, [a.article_id for a in articles]))
    return {"articles": len(articles), "offered_per_s": round(rate, 2), "latency": percentiles(latency)}
