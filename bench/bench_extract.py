"""Extraction speed per core and peak memory of the rule engine on ~700-word articles.

    .venv/bin/python -m bench.bench_extract [--articles 200] [--words 700]

Articles come from `bench.corpus` (windows of distinct corpus sentences, as for the suite in bench/run.py).
One process, one thread (the figure is per core); model loading is excluded from the timing and reported
separately.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from bench.corpus import build_articles
from services.extractor.rules import RuleEngine


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--words", type=int, default=700)
    args = parser.parse_args()
    articles = build_articles(args.articles, tag="extract", words=args.words)
    started = time.perf_counter()
    engine = RuleEngine()
    engine.extract(articles[0])  # loads the spaCy model
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    events = sum(len(engine.extract(article)) for article in articles)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "mean_words": round(words),
                "events": events,
                "articles_per_second_per_core": round(len(articles) / cpu, 1),
                "articles_per_second_wall": round(len(articles) / wall, 1),
                "load_seconds": round(load_seconds, 2),
                "peak_rss_mib": round(peak_rss_mib(), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
