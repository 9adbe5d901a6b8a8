"""Soak: N generated articles (default 10,000) through all three workers, then losses and duplicates.

    python -m bench.soak [--articles 10000] [--chaos] [--database URL]

A loopback server serves N distinct pages and a feed-free URL list; the URLs are submitted; ingest,
extractor and store run as separate processes on a Redis the script starts (AOF on). With --chaos the
extractor and the store are killed with SIGKILL once each mid-run and started again. At the end the
stored article ids are compared with the expected ones (losses), published entries with stored rows
(duplicates), and the peak RSS of each worker is reported. Prints a table and a final JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import subprocess
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from pydantic import SecretStr

from schemas import article_id_for
from services.devsite import Route, http_get, page, page_html, sample_texts, start_site
from services.ingest.dedup import canonical_url
from services.ops.local_pipeline import start_worker, wait_idle, worker_env
from services.ops.stats import collect_stats
from services.ops.submit import submit_urls
from services.runtime.embedded_redis import RedisProcess, free_port
from services.runtime.settings import Settings
from services.runtime.topology import WORKER_NAMES
from services.store import db


def sentence_pool() -> list[str]:
    pool = []
    for text in sample_texts().values():
        pool += [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 6]
    return pool


def build_pages(n: int) -> dict[str, Route]:
    rng = random.Random(7)
    pool = sentence_pool()
    site: dict[str, Route] = {"/robots.txt": page("text/plain", b"User-agent: *\nAllow: /\n")}
    now = datetime.now(UTC)
    for i in range(n):
        paragraphs = [" ".join(rng.sample(pool, 3)) for _ in range(5)]
        title = f"Soak report {i}: {paragraphs[0][:60]}"
        site[f"/soak/{i}.html"] = page("text/html; charset=utf-8", page_html(title, paragraphs, now).encode())
    return site


async def read_ids(database_url: str) -> tuple[list[str], list[str]]:
    engine = db.make_engine(database_url)
    try:
        return await db.stored_ids(engine)
    finally:
        await engine.dispose()


class RssSampler(threading.Thread):
    def __init__(self, procs: dict[str, list[subprocess.Popen[bytes]]]) -> None:
        super().__init__(daemon=True)
        self.procs, self.peak_mib, self.running = procs, dict.fromkeys(procs, 0.0), True

    def run(self) -> None:
        while self.running:
            for name, group in self.procs.items():
                for proc in group:
                    try:
                        rss = psutil.Process(proc.pid).memory_info().rss / 2**20
                    except psutil.Error:
                        continue
                    self.peak_mib[name] = max(self.peak_mib[name], round(rss, 1))
            time.sleep(0.2)


def metric(port: int, name: str) -> float:
    try:
        _, body = http_get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    except OSError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if line.startswith(name))


def soak(n: int, chaos: bool, database: str | None, tmp: Path) -> dict[str, Any]:
    server = start_site(build_pages(n))
    base = server.base
    urls = [base + path for path in server.routes if path.startswith("/soak/")]
    redis = RedisProcess(tmp / "redis", appendonly=True)
    redis.start()
    database_url = database or f"sqlite+aiosqlite:///{tmp / 'soak.db'}"
    settings = Settings(redis_url=SecretStr(redis.url), database_url=SecretStr(database_url), data_dir=tmp,
                        stream_prefix="soak:", metrics_port=0)  # fmt: skip
    env = worker_env(settings, {"NEWSWIRE_MAX_DELIVERIES": "5", "NEWSWIRE_RECLAIM_IDLE_MS": "15000",
                                "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})  # fmt: skip
    ports = {name: free_port() for name in WORKER_NAMES}
    procs = {name: [start_worker(name, env, ports[name])] for name in WORKER_NAMES}
    sampler = RssSampler(procs)
    sampler.start()
    published = 0.0
    started = time.monotonic()
    try:
        assert asyncio.run(submit_urls(redis.url, settings, urls)) == []
        if chaos:
            for name in ("extractor", "store"):
                time.sleep(20)
                procs[name][-1].send_signal(signal.SIGKILL)
                procs[name][-1].wait()
                procs[name].append(start_worker(name, env, ports[name]))
        wait_idle(settings, timeout=7200, settle=3)
        elapsed = time.monotonic() - started
        published = metric(ports["ingest"], "newswire_articles_published_total")
        stats = asyncio.run(collect_stats(redis.url, settings))
    finally:
        sampler.running = False
        for group in procs.values():
            for proc in group:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=60)
        redis.stop()
        server.shutdown()
    article_ids, event_ids = asyncio.run(read_ids(database_url))
    expected = {article_id_for(canonical_url(u)) for u in urls}
    return {
        "articles_submitted": n,
        "articles_stored": len(article_ids),
        "losses": len(expected - set(article_ids)),
        "unexpected_articles": len(set(article_ids) - expected),
        "duplicate_rows": len(article_ids) - len(set(article_ids)) + len(event_ids) - len(set(event_ids)),
        "ingest_published_entries": published,  # > stored only if a crash made ingest publish twice
        "events_stored": len(event_ids),
        "dead_letters": stats["dead_letters"],
        "seconds": round(elapsed, 1),
        "articles_per_s": round(n / elapsed, 2),
        "peak_rss_mib": sampler.peak_mib,
        "chaos": chaos,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--chaos", action="store_true", help="kill -9 the extractor and the store once each")
    parser.add_argument("--database", help="database URL (default: SQLite in a temporary folder)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newswire-soak-") as tmp:
        result = soak(args.articles, args.chaos, args.database, Path(tmp))
    for key, value in result.items():
        print(f"{key:26} {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
