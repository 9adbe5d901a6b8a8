"""Cleaning benchmark: F1 and pages/s of `clean_html` next to trafilatura's defaults, in one run.

    .venv/bin/python bench/bench_cleaning.py [--sets zyte naeb fundus] [--limit N]

Pages and ground truth come from ../shared/benchmarks/html through ../shared/eval/score_cleaning.py
(the same loading and metric as that scorer: word 4-gram shingles, per-page precision and recall
averaged, F1 of the averages). Both extractors run in this process on the same pages, so their speeds
compare; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import trafilatura

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.ingest.cleaning import clean_html  # noqa: E402

SCORER = ROOT.parent / "shared" / "eval" / "score_cleaning.py"


def load_scorer() -> ModuleType:
    if not SCORER.is_file():
        raise SystemExit(f"scorer not found at {SCORER}: the benchmark needs ../shared")
    spec = importlib.util.spec_from_file_location("score_cleaning", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ours(html: bytes) -> str:
    page = clean_html(html)
    return page.text if page else ""


def baseline(html: bytes) -> str:
    return trafilatura.extract(html.decode("utf-8", errors="replace")) or ""


def run(extract: Callable[[bytes], str], pages: dict[str, bytes]) -> tuple[dict[str, str], float]:
    start = time.perf_counter()
    predicted = {path: extract(html) for path, html in pages.items()}
    return predicted, time.perf_counter() - start


def bench_set(scorer: ModuleType, name: str, limit: int) -> dict[str, Any]:
    truth: dict[str, str] = scorer.load_set(name)
    if limit:
        truth = dict(list(truth.items())[:limit])
    pages = {path: gzip.decompress(Path(path).read_bytes()) for path in truth}
    result: dict[str, Any] = {"set": name, "pages": len(pages)}
    for label, extract in (("newswire", ours), ("trafilatura_default", baseline)):
        predicted, seconds = run(extract, pages)
        scores = scorer.score(truth, predicted)
        result[label] = {
            "f1": scores["f1"],
            "precision": scores["precision"],
            "recall": scores["recall"],
            "pages_per_s": round(len(pages) / seconds, 1) if seconds else None,
        }
    return result


def main() -> int:
    sets = ["zyte", "naeb", "fundus"]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="+", default=sets, choices=sets)
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each set (quick mode)")
    args = parser.parse_args()
    scorer = load_scorer()
    results = [bench_set(scorer, name, args.limit) for name in args.sets]
    print(
        f"{'set':8} {'pages':>5}  {'F1 newswire':>11} {'F1 trafilatura':>14} {'delta':>7}  "
        f"{'pages/s newswire':>16} {'pages/s trafilatura':>19}"
    )
    for r in results:
        ours_, theirs = r["newswire"], r["trafilatura_default"]
        print(
            f"{r['set']:8} {r['pages']:>5}  {ours_['f1']:>11.4f} {theirs['f1']:>14.4f} "
            f"{ours_['f1'] - theirs['f1']:>+7.4f}  {ours_['pages_per_s']:>16} {theirs['pages_per_s']:>19}"
        )
    print(json.dumps({"limit": args.limit, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
