"""Pipeline efficiency: end-to-end bursts, each between two runs of extraction alone on the same texts.

    python -m bench.efficiency [--articles 200] [--pairs 5] [--out FILE]

`make bench` measures the efficiency with `paired` (bench/run.py); this command runs only that part:
one extractor and one store (`newswire worker extractor|store`, SQLite, a fresh Redis), warmed up on a
burst of their own, then the pairs, and prints one JSON line.

Extraction alone runs in a process of its own (`AloneProcess`), which does nothing else, like the
extractor worker, and is idle while the pipeline runs: not in the bench process, whose heap (every
stage's articles and events) makes Python's garbage collector slower there than in a worker. Each
burst is compared with the mean of the extraction-alone runs just before and just after it, so a
machine whose speed drifts (other people's jobs coming and going) moves both sides alike; every pair
keeps the cores other processes took during each half and the load average.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one BLAS thread, as in the workers (a spawned child inherits it)

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from bench import pipeline, stages  # noqa: E402
from bench.corpus import build_articles  # noqa: E402

_texts: dict[int, Any] = {}


def _extract_alone(n: int) -> dict[str, Any]:
    """In the child: the rule engine on the first `n` benchmark articles, once (the model stays loaded)."""
    articles = _texts.setdefault(n, build_articles(n, "stage"))
    return stages.bench_extraction(articles, 1)[0]


class AloneProcess:
    """Extraction alone, in one child process kept for the whole run."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))

    def __call__(self) -> dict[str, Any]:
        return self._pool.submit(_extract_alone, self.n).result()

    def close(self) -> None:
        self._pool.shutdown()


def paired(cluster: pipeline.Cluster, alone: AloneProcess, n: int, pairs: int, tag: str) -> dict[str, Any]:
    """`pairs` bursts of `n` articles through the pipeline, alone before the first and after each."""
    runs, pair_list = [], []
    before = alone()
    alone_runs = [before]
    for i in range(pairs):
        load = os.getloadavg()[0]
        run = pipeline.burst(cluster, build_articles(n, f"{tag}-{i}"))
        after = alone()
        alone_runs.append(after)
        rate = (before["articles_per_s"] + after["articles_per_s"]) / 2
        e2e = run["articles_per_s"]
        pair_list.append(
            {
                "alone_before": before["articles_per_s"],
                "alone_after": after["articles_per_s"],
                "end_to_end": e2e,
                "ratio": round(e2e / rate, 3),
                "alone_cpu_ms_per_article": round(
                    (before["cpu_ms_per_article"] + after["cpu_ms_per_article"]) / 2, 1
                ),
                "cpu_ms_per_article": run["cpu_ms_per_article"],
                "other_cpu_cores": {
                    "alone": round((before["other_cpu_cores"] + after["other_cpu_cores"]) / 2, 2),
                    "end_to_end": run["other_cpu_cores"],
                },
                "load1": round(load, 2),
            }
        )
        runs.append(run)
        before = after
        print(json.dumps(pair_list[-1]), file=sys.stderr, flush=True)
    ratios = [p["ratio"] for p in pair_list]
    return {
        "pairs": pair_list,
        "runs": runs,
        "alone": alone_runs,
        "median": round(statistics.median(ratios), 3),
        "min": min(ratios),
        "max": max(ratios),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    load_before = [round(x, 2) for x in os.getloadavg()]
    alone = AloneProcess(args.articles)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="newswire-eff-") as tmp,
            stages.redis_server(Path(tmp) / "redis") as (url, redis_ps),
        ):
            cluster = pipeline.Cluster(Path(tmp), url, f"sqlite+aiosqlite:///{tmp}/store.db", redis_ps)
            try:
                cluster.start("extractor")
                cluster.start("store")
                pipeline.burst(cluster, build_articles(args.articles, "warm"))  # as make bench's bursts
                result = paired(cluster, alone, args.articles, args.pairs, "e")
            finally:
                cluster.stop()
    finally:
        alone.close()
    del result["runs"], result["alone"]
    result |= {"load_before": load_before, "load_after": [round(x, 2) for x in os.getloadavg()]}
    line = json.dumps(result)
    if args.out:
        args.out.write_text(line + "\n")
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
