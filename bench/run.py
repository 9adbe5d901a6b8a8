"""The benchmark suite: each stage alone, then the pipeline through Redis, scaling and memory.

    python -m bench.run [--quick] [--postgres URL|''] [--out FILE]

Prints a table of the figures with their targets, then one JSON line (also written to
bench/results/latest.json). See bench/README.md for what each figure means.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread, as in the workers: figures per core

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import psutil  # noqa: E402

from bench import efficiency, pipeline, stages  # noqa: E402
from bench.corpus import ROOT, build_articles  # noqa: E402
from bench.report import summarise, table  # noqa: E402
from bench.store_scaling import store_scaling  # noqa: E402

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
# articles per burst, pages cleaned, XADDs, seconds of paced load, event rows one per transaction, runs,
# bursts timed between two runs of extraction alone (the efficiency)
MODES = {
    "quick": {
        "articles": 40,
        "pages": 60,
        "redis_ops": 20_000,
        "paced_s": 8,
        "store_rows": 400,
        "repeat": 2,
        "pairs": 3,
        "store_copies": 10,
    },
    "full": {
        "articles": 200,
        "pages": 181,
        "redis_ops": 100_000,
        "paced_s": 30,
        "store_rows": 1000,
        "repeat": 3,
        "pairs": 5,
        "store_copies": 5,
    },
}


def best_of(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """The run with the highest `key` (the machine is shared), with every run's figure beside it."""
    best = dict(max(runs, key=lambda x: x[key]))
    best["runs"] = [x[key] for x in runs]
    return best


def pipeline_set(
    tmp: Path,
    extractors: int,
    n: int,
    paced_s: float,
    repeat: int,
    control: efficiency.AloneProcess | None = None,
    pairs_count: int = 0,
) -> dict[str, Any]:
    """Extractors alone on a burst, then the store catching up, then bursts through the whole pipeline."""
    out: dict[str, Any] = {"extractors": extractors}
    folder = tmp / f"set-{extractors}"
    with stages.redis_server(folder / "redis") as (url, redis_ps):
        cluster = pipeline.Cluster(folder, url, f"sqlite+aiosqlite:///{folder / 'store.db'}", redis_ps)
        try:
            cluster.start("extractor", extractors)
            batches = [build_articles(n, f"x{extractors}-{i}") for i in range(repeat)]
            runs = [pipeline.burst(cluster, b, extractor_only=True) for b in batches]
            out["extractor_only"] = best_of(runs, "extractor_articles_per_s")
            out["store_catch_up"] = pipeline.store_catch_up(cluster, [a for b in batches for a in b])
            if control is not None:
                # each burst between two runs of extraction alone on the same texts (bench/efficiency.py)
                pairs = efficiency.paired(cluster, control, n, pairs_count, f"e{extractors}")
                runs = pairs.pop("runs")
                out["extraction_control"] = best_of(pairs.pop("alone"), "articles_per_s")
                out["paired_efficiency"] = pairs
            else:
                runs = [
                    pipeline.burst(cluster, build_articles(n, f"e{extractors}-{i}")) for i in range(repeat)
                ]
            out["end_to_end"] = best_of(runs, "articles_per_s")
            if extractors < len(os.sched_getaffinity(0)):
                cluster.pin(True)
                try:
                    runs = [
                        pipeline.burst(cluster, build_articles(n, f"p{extractors}-{i}"))
                        for i in range(repeat)
                    ]
                finally:
                    cluster.pin(False)
                out["end_to_end_pinned"] = best_of(runs, "articles_per_s")
            if paced_s:
                rate = 0.6 * out["end_to_end"]["articles_per_s"]
                batch = build_articles(max(5, int(rate * paced_s)), "paced")
                out["paced"] = pipeline.paced(cluster, batch, rate)
            kept, extracted = cluster.untrimmed(), cluster.articles_extracted()
            out["untrimmed"] = {**kept, "kib_per_article": round(kept["bytes"] / 1024 / max(1, extracted), 1)}
        finally:
            cluster.stop()
        out["peak_rss_mib"] = cluster.peaks()
    return out


def code_state() -> dict[str, Any]:
    """The commit measured, and the files of services/ that differ from it (others may be editing)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted": git("status", "--porcelain", "--", "services", "schemas").splitlines(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer articles and pages: under 2 minutes")
    parser.add_argument("--postgres", default=PG, help="admin URL of a PostgreSQL server ('' to skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    m = MODES[mode]
    started = time.perf_counter()
    r: dict[str, Any] = {
        "mode": mode,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": psutil.cpu_count(),
        "code": code_state(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }

    def step(name: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {name}", file=sys.stderr, flush=True)

    step("cleaning")
    r["cleaning"] = stages.bench_cleaning(m["pages"])
    step("extraction")
    articles = build_articles(m["articles"], "stage")
    r["extraction"], events = stages.bench_extraction(articles, m["repeat"])
    step("store")
    r["store"] = asyncio.run(
        stages.bench_store(args.postgres or None, articles, events, m["store_rows"], m["repeat"])
    )
    with tempfile.TemporaryDirectory(prefix="newswire-bench-") as tmp:
        step("redis")
        with stages.redis_server(Path(tmp) / "redis-rates") as (url, proc):
            r["redis"] = stages.bench_redis(url, proc, events[0], m["redis_ops"])
        control = efficiency.AloneProcess(m["articles"])
        try:
            for k in (1, 2):
                step(f"pipeline: {k} extractor(s) and a store")
                paced_s = m["paced_s"] if k == 1 else 0
                r[f"pipeline_{k}"] = pipeline_set(
                    Path(tmp), k, m["articles"], paced_s, m["repeat"], control if k == 1 else None, m["pairs"]
                )
        finally:
            control.close()
        if args.postgres:
            step("store replicas: 1 and 2 on PostgreSQL")
            try:
                r["store_replicas"] = store_scaling(
                    Path(tmp), args.postgres, articles, events, m["store_copies"], m["repeat"]
                )
            except OSError as exc:  # no PostgreSQL server: the reason, and the run goes on
                r["store_replicas"] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    r["summary"] = summarise(r)
    r["load_after"] = [round(x, 2) for x in os.getloadavg()]
    r["seconds"] = round(time.perf_counter() - started, 1)
    print(table(r))
    print(f"mode {mode}: {r['seconds']} s; load average before {r['load_before']}, after {r['load_after']}")
    line = json.dumps(r)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
