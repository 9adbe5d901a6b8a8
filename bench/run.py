"""The benchmark suite: each stage alone, then the full pipeline through Redis with worker processes.

    python -m bench.run [--quick] [--json-out FILE]

Prints a table and, last, one JSON line. Input comes from ../shared (Zyte pages, corpus articles)
or the bundled demo corpus; nothing touches the network.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from pydantic import SecretStr

from schemas import Article, article_id_for
from services.documents import content_hash
from services.extractor.engine import get_engine
from services.ingest.cleaning import clean_html
from services.store import db

ROOT = Path(__file__).resolve().parents[1]
ZYTE = ROOT.parent / "shared" / "benchmarks" / "html" / "article-extraction-benchmark" / "html"


def bench_cleaning(limit: int) -> dict[str, float]:
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(ZYTE.glob("*.html.gz"))[:limit]]
    if not pages:
        return {"pages": 0, "pages_per_s": 0.0}
    started = time.perf_counter()
    for page in pages:
        clean_html(page)
    return {"pages": len(pages), "pages_per_s": round(len(pages) / (time.perf_counter() - started), 2)}


def articles_700_words(n: int) -> list[Article]:
    from services.demo import sample_texts

    words = " ".join(sample_texts().values()).split()
    out = []
    for i in range(n):
        offset = (i * 97) % max(1, len(words) - 700)
        text = " ".join(words[offset : offset + 700])
        url = f"https://bench.test/{i}"
        out.append(Article(article_id=article_id_for(url), url=url, canonical_url=url, text=text,
                           content_hash=content_hash(text)))  # fmt: skip
    return out


def bench_extraction(articles: list[Article]) -> dict[str, float]:
    engine = get_engine()
    engine.extract(articles[0])  # model load is once per process: not part of the rate
    started = time.perf_counter()
    events = sum(len(engine.extract(a)) for a in articles)
    elapsed = time.perf_counter() - started
    return {"articles": len(articles), "articles_per_s": round(len(articles) / elapsed, 2), "events": events}


async def bench_store(url: str, articles: list[Article]) -> dict[str, float]:
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine)
        started = time.perf_counter()
        for article in articles:
            await db.upsert_articles(engine, [article])
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return {"rows": len(articles), "inserts_per_s": round(len(articles) / elapsed, 1)}


def bench_pipeline(articles: list[Article], tmp: Path) -> dict[str, Any]:
    from services.runtime.embedded_redis import RedisProcess
    from services.runtime.settings import Settings
    from tests.pipeline_harness import start_worker, wait_idle, worker_env
    from tests.test_faults import publish_articles, stop_all

    server = RedisProcess(tmp / "redis", appendonly=True)
    server.start()
    try:
        database = SecretStr(f"sqlite+aiosqlite:///{tmp / 'p.db'}")
        redis_url = SecretStr(server.url)
        settings = Settings(redis_url=redis_url, database_url=database, data_dir=tmp, metrics_port=0)
        asyncio.run(publish_articles(settings, articles))
        procs = {name: start_worker(name, worker_env(settings)) for name in ("extractor", "store")}
        peaks: dict[str, float] = {}
        started = time.perf_counter()
        wait_idle(settings, timeout=1800, settle=1)
        elapsed = time.perf_counter() - started
        for name, proc in procs.items():
            peaks[name] = round(psutil.Process(proc.pid).memory_info().rss / 2**20, 1)
        stop_all(list(procs.values()))
    finally:
        server.stop()
    return {"articles": len(articles), "articles_per_s": round(len(articles) / elapsed, 2), "rss_mib": peaks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    n = 40 if args.quick else 200
    articles = articles_700_words(n)
    results: dict[str, Any] = {"cleaning": bench_cleaning(30 if args.quick else 181)}
    results["extraction"] = bench_extraction(articles)
    with tempfile.TemporaryDirectory() as tmp:
        results["store_sqlite"] = asyncio.run(bench_store(f"sqlite+aiosqlite:///{tmp}/b.db", articles))
        try:
            results["store_postgres"] = asyncio.run(bench_store(args.postgres, articles))
        except Exception as exc:
            results["store_postgres"] = {"error": type(exc).__name__}
        results["pipeline"] = bench_pipeline(articles, Path(tmp))
    slowest = min(results["extraction"]["articles_per_s"], results["store_sqlite"]["inserts_per_s"])
    results["pipeline"]["efficiency"] = round(results["pipeline"]["articles_per_s"] / slowest, 3)
    for stage, figures in results.items():
        print(f"{stage:16} " + "  ".join(f"{k}={v}" for k, v in figures.items()))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
