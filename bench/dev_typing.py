"""Development check of event typing on openly licensed NGEC-2025 material (MIT), never on a scored set.

    .venv/bin/python -m bench.dev_typing --quotes QUOTES.jsonl [--stories STORIES.csv] [--half even|odd|all]
        [--limit N] [--show TYPE] [-v]

Inputs, fetched by hand from github.com/ahalterman/NGEC-2025 and given by path (nothing is bundled):
- `--quotes`: one JSON object a line, `{"type": "ACCUSE", "quote": "...", "modes": [...]}`, from the
  LLM-verified VOA positives of `setup/train_classifiers/codebook_llm/data/batches/verify/*.json`
  (each batch's PLOVER type is in that folder's manifest.json).
- `--stories`: `setup/train_classifiers/gpt_synthetic_events_2023-10-19_19.csv` (synthetic stories, one
  document-level `label` and `mode` each).

Each quote or story is extracted as its own article. Reported per set: the share whose most confident
event has the gold type (none counts as wrong), the same share over the items with an event (typing
alone, relevance aside), the share with any event of the gold type, accuracy per
gold type and the most frequent confusions (gold -> predicted). `--half` keeps every other item so one
half can be tuned on and the other only checked; `--show TYPE` prints the misses of one gold type.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from schemas import Article, Event
from services.extractor.rules import RuleEngine

csv.field_size_limit(sys.maxsize)


def _article(key: str, text: str) -> Article:
    return Article(
        article_id=key,
        url=f"dev:{key}",
        canonical_url=f"dev:{key}",
        text=text,
        content_hash=key,
        published_at=datetime(2020, 1, 1, tzinfo=UTC),
    )


def _main_event(events: list[Event]) -> Event | None:
    return max(events, key=lambda e: (e.confidence, -e.evidence.start), default=None)


def load_quotes(path: Path) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(str(r["type"]).lower(), str(r["quote"])) for r in rows if r.get("quote")]


def load_stories(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [(r["label"].lower(), f"{r['title']}\n\n{r['text']}") for r in rows if r.get("text")]


def _half(items: list[tuple[str, str]], half: str) -> list[tuple[str, str]]:
    if half == "all":
        return items
    start = 0 if half == "even" else 1
    return items[start::2]


def evaluate(
    engine: RuleEngine, items: list[tuple[str, str]], show: str | None, verbose: bool
) -> dict[str, object]:
    main_right = any_right = none = 0
    per_type: Counter[str] = Counter()
    per_type_right: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for index, (gold, text) in enumerate(items):
        events = engine.extract(_article(f"d{index}", text))
        event = _main_event(events)
        predicted = event.event_type if event else "none"
        none += event is None
        per_type[gold] += 1
        if predicted == gold:
            main_right += 1
            per_type_right[gold] += 1
        else:
            confusion[(gold, predicted)] += 1
            if show in (gold, "all") or (verbose and show is None):
                print(f"{gold:>9} <- {predicted:<9} {text[:150]!r}")
        any_right += any(e.event_type == gold for e in events)
    total = len(items) or 1
    return {
        "items": len(items),
        "type_accuracy": round(main_right / total, 3),
        "any_event_of_type": round(any_right / total, 3),
        "typed_accuracy": round(main_right / (total - none) if total > none else 0.0, 3),
        "per_type": {
            t: f"{per_type_right[t]}/{n} {per_type_right[t] / n:.2f}" for t, n in sorted(per_type.items())
        },
        "confusions": [f"{g}->{p} {n}" for (g, p), n in confusion.most_common(15)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quotes", type=Path)
    parser.add_argument("--stories", type=Path)
    parser.add_argument("--half", choices=("even", "odd", "all"), default="even")
    parser.add_argument("--limit", type=int, default=0, help="every k-th story so that about N remain")
    parser.add_argument("--show", help="print the misses of this gold type (or 'all')")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    engine = RuleEngine()
    if args.quotes:
        quotes = _half(load_quotes(args.quotes), args.half)
        print("quotes", json.dumps(evaluate(engine, quotes, args.show, args.verbose)))
    if args.stories:
        stories = _half(load_stories(args.stories), args.half)
        if args.limit and len(stories) > args.limit:
            stories = stories[:: len(stories) // args.limit]
        print("stories", json.dumps(evaluate(engine, stories, args.show, args.verbose)))


if __name__ == "__main__":
    main()
