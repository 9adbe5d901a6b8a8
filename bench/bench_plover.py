"""PLOVER gold-standard benchmark: event type accuracy and location accuracy of the rule engine.

    .venv/bin/python bench/bench_plover.py [--data
    /work/shared/benchmarks/events/plover-gsr/PLOVER_GSR_CAMEO.json] [-v]

Each of the 322 hand-coded sentences is extracted as its own article; the predicted type is that of the
most confident event (the earliest on ties; none counts as wrong). The file uses the older PLOVER
category names, mapped to the current ones: FIGHT -> assault, DISAPPROVE -> accuse, DEMAND -> request,
INVESTIGATE -> accuse. Location accuracy is over the records with an `eventLoc`.
"""

from __future__ import annotations

import argparse
import json
import re
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path

from schemas import Article, Event
from services.extractor.rules import RuleEngine

DEFAULT_DATA = Path("/work/shared/benchmarks/events/plover-gsr/PLOVER_GSR_CAMEO.json")
OLD_NAMES = {"FIGHT": "assault", "DISAPPROVE": "accuse", "DEMAND": "request", "INVESTIGATE": "accuse"}


def gold_type(record: dict[str, object]) -> str:
    name = str(record["event"]).upper()
    return OLD_NAMES.get(name, name.lower())


def _fold(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", re.sub(r"[^\w ]", " ", plain)).strip()


def same_place(a: str, b: str) -> bool:
    a, b = _fold(a), _fold(b)
    if not a or not b:
        return False
    return a == b or a in b.split() or b in a.split() or SequenceMatcher(None, a, b).ratio() >= 0.8


def main_event(events: list[Event]) -> Event | None:
    return max(events, key=lambda e: (e.confidence, -e.evidence.start), default=None)


def run(data: Path, verbose: bool) -> dict[str, float]:
    records = [r for r in json.loads(data.read_text(encoding="utf-8")) if r.get("event") != "DOCUMENT"]
    engine = RuleEngine()
    correct = loc_total = loc_correct = 0
    confusion: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for record in records:
        text = str(record["text"])
        article = Article(
            article_id=str(record["id"]),
            url=f"plover:{record['id']}",
            canonical_url=f"plover:{record['id']}",
            text=text,
            content_hash=str(record["id"]),
            published_at=datetime(2000, 1, 1, tzinfo=UTC),
        )
        event = main_event(engine.extract(article))
        predicted = event.event_type if event else "none"
        expected = gold_type(record)
        correct += predicted == expected
        if predicted != expected:
            confusion[(expected, predicted)] += 1
            if verbose:
                print(f"{expected:>10} <- {predicted:<10} {text[:110]}")
        where = record.get("eventLoc")
        if isinstance(where, dict) and where.get("name"):
            loc_total += 1
            loc = event.location if event else None
            names = [n for n in (loc.name, loc.admin1, loc.country_name, loc.text) if n] if loc else []
            loc_correct += any(same_place(str(where["name"]), n) for n in names)
    elapsed = time.perf_counter() - started
    if verbose:
        print("most frequent confusions (gold, predicted):", confusion.most_common(12))
    return {
        "records": len(records),
        "type_accuracy": round(correct / len(records), 3),
        "location_records": loc_total,
        "location_accuracy": round(loc_correct / loc_total, 3) if loc_total else 0.0,
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.data, args.verbose)))


if __name__ == "__main__":
    main()
