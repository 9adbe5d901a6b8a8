"""The extractor worker's own CPU per article, beyond extraction: the worker around a replaying engine.

The worker process runs what `newswire worker extractor` runs — FastStream's consume path, the
handler and its hand-off to the extraction thread, encoding and publishing every event on `events` and
`events.<type>`, the ack — around an engine that hands back the events the rule engine found for the
same text (found once, beforehand, in this process). Whatever CPU the worker spends is then the
overhead. Counted per thread with psutil: CPU time, unlike a wall-clock rate, hardly moves with what
other processes on a shared machine do. Also Redis's CPU per article (its one thread is shared by
every replica) and Redis calls per article.

    python -m bench.worker_overhead [--articles 400] [--texts 40] [--repeat 5] [--profile FILE]

`--profile FILE` runs cProfile on the worker's event-loop thread, timed by that thread's CPU time, and
writes its stats to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import pipeline, stages
from bench.corpus import build_articles
from schemas import Article, Event


class ReplayEngine:
    """Returns the events recorded for an article's text (by content hash); none for a text unseen."""

    name = "replay"
    version = "1"

    def __init__(self, events: dict[str, list[Event]]) -> None:
        self.events = events

    @classmethod
    def load(cls, path: Path) -> ReplayEngine:
        recorded = json.loads(path.read_text())
        return cls({h: [Event.model_validate(e) for e in evs] for h, evs in recorded.items()})

    def extract(self, article: Article) -> list[Event]:
        return self.events.get(article.content_hash, [])


def record(texts: int, path: Path) -> float:
    """Runs the rule engine on `texts` articles and writes their events by content hash; events/article."""
    from services.extractor.engine import get_engine

    engine = get_engine()
    recorded = {
        a.content_hash: [e.model_dump(mode="json") for e in engine.extract(a)]
        for a in build_articles(texts, "replay")
    }
    path.write_text(json.dumps(recorded))
    return sum(len(v) for v in recorded.values()) / len(recorded)


def serve(replay: Path, profile: Path | None) -> None:
    """The worker process: `newswire worker extractor` with the replaying engine."""
    import cProfile

    from services.extractor.worker import build_extractor
    from services.ops.worker import setup_logging
    from services.runtime.metrics import Metrics
    from services.runtime.settings import Settings
    from services.runtime.worker import run_worker

    settings = Settings()
    setup_logging(settings)
    metrics = Metrics("extractor")
    spec = build_extractor(settings, metrics, engine=ReplayEngine.load(replay))
    # CPU time, not wall time: a call that wakes another process or thread is not charged for its wait
    profiler = cProfile.Profile(time.thread_time) if profile else None
    if profiler is not None:
        profiler.enable()
    try:
        asyncio.run(run_worker(spec, settings, metrics))
    finally:
        if profiler is not None and profile is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))


def thread_cpu(ps: psutil.Process) -> dict[str, float]:
    """CPU seconds so far of the process's main (event-loop) thread and of all its other threads."""
    main = other = 0.0
    for t in ps.threads():
        if t.id == ps.pid:
            main += t.user_time + t.system_time
        else:
            other += t.user_time + t.system_time
    return {"event_loop": main, "other_threads": other}


def burst(cluster: pipeline.Cluster, worker: pipeline.Worker, articles: list[Article]) -> dict[str, Any]:
    cpu0, redis0, calls0 = thread_cpu(worker.ps), sum(cluster.redis_ps.cpu_times()[:2]), cluster.redis_calls()
    events0 = int(cluster.client.xlen(cluster.settings.keys.events))
    t0 = time.time()
    cluster.publish(articles)
    cluster.wait_drained(["extractor"])
    elapsed = cluster.last_event_time() - t0
    cpu1, redis1 = thread_cpu(worker.ps), sum(cluster.redis_ps.cpu_times()[:2])
    n = len(articles)
    per = {k: 1000 * (cpu1[k] - cpu0[k]) / n for k in cpu0}
    calls = sum(cluster.redis_calls().values()) - sum(calls0.values())
    return {
        "cpu_ms_per_article": round(sum(per.values()), 3),
        **{f"{k}_ms": round(v, 3) for k, v in per.items()},
        "redis_cpu_ms_per_article": round(1000 * (redis1 - redis0) / n, 3),
        "redis_calls_per_article": round(calls / n, 1),
        "events_per_article": round(
            (int(cluster.client.xlen(cluster.settings.keys.events)) - events0) / n, 1
        ),
        "articles_per_s": round(n / elapsed, 1) if elapsed > 0 else None,
    }


def measure(articles: int, texts: int, repeat: int, profile: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="newswire-overhead-") as tmp:
        folder = Path(tmp)
        replay = folder / "replay.json"
        per_article = record(texts, replay)
        with stages.redis_server(folder / "redis") as (url, redis_ps):
            cluster = pipeline.Cluster(folder, url, f"sqlite+aiosqlite:///{folder / 'unused.db'}", redis_ps)
            command = [sys.executable, "-m", "bench.worker_overhead", "--serve", str(replay)]
            if profile:
                command += ["--profile", str(profile.resolve())]
            try:
                (worker,) = cluster.start("extractor", 1, command=command)
                runs = []
                for r in range(repeat):
                    batch = [
                        a
                        for i in range(max(1, articles // texts))
                        for a in build_articles(texts, f"o{r}-{i}")
                    ]
                    runs.append(burst(cluster, worker, batch))
            finally:
                cluster.stop()
    keys = [k for k in runs[0] if isinstance(runs[0][k], float)]
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys}
    return {"recorded_events_per_article": round(per_article, 1), "median": median, "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=400, help="articles per burst")
    parser.add_argument("--texts", type=int, default=40, help="distinct texts (extracted once for real)")
    parser.add_argument("--repeat", type=int, default=5, help="bursts; the median is reported")
    parser.add_argument("--profile", type=Path, help="cProfile the worker's event loop into this file")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.profile)
        return 0
    result = measure(args.articles, args.texts, args.repeat, args.profile)
    m = result["median"]
    print(
        f"extractor worker overhead, median of {args.repeat} bursts of {args.articles} articles "
        f"({m['events_per_article']} events each): {m['cpu_ms_per_article']} ms CPU per article "
        f"(event loop {m['event_loop_ms']}, other threads {m['other_threads_ms']}); Redis "
        f"{m['redis_cpu_ms_per_article']} ms CPU, {m['redis_calls_per_article']} calls per article; "
        f"{m['articles_per_s']} articles/s without extraction",
        file=sys.stderr,
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
