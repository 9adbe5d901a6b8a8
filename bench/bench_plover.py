"""PLOVER gold-standard benchmark: event type, actor and location accuracy of the rule engine.

    .venv/bin/python bench/bench_plover.py [--data
    /work/shared/benchmarks/events/plover-gsr/PLOVER_GSR_CAMEO.json] [-v]

Each of the 322 hand-coded sentences is extracted as its own article; the predicted type is that of the
most confident event (the earliest on ties; none counts as wrong). The file uses the older PLOVER
category names, mapped to the current ones: FIGHT -> assault, DISAPPROVE -> accuse, DEMAND -> request,
INVESTIGATE -> accuse. Location accuracy is over the records with an `eventLoc`.

Actor accuracy: the gold codes each record's source (and target) as a list of `{actorText, code, sector}`
where `code` is an ISO 3166-1 alpha-3 country code ("ISR", "PSE"), "IGO" for intergovernmental bodies
(UN, NATO, EU, Arab League, and, as this file codes them, the Red Cross and Amnesty), "NGO" or "IMG"
(armed groups without a country). The actor of the most confident event is right when its `country`
equals one of the record's source codes (the engine codes IGOs as "IGO" too; the file's one typo "ITL"
is read as Italy, "ITA"). A record whose event has no actor, an actor without a country, or no event at
all counts as wrong; the denominator is every record with a coded source (321 of 322). Sector is not
compared. Recipient accuracy is the same measure for the recipient against the target codes, over the
records with a coded target.
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
CODE_FIXES = {"ITL": "ITA"}


def gold_type(record: dict[str, object]) -> str:
    name = str(record["event"]).upper()
    return OLD_NAMES.get(name, name.lower())


def gold_codes(record: dict[str, object], role: str) -> set[str]:
    """The country (or IGO/NGO/IMG) codes of the record's source or target."""
    sides = record.get(role)
    if not isinstance(sides, list):
        return set()
    codes = {str(side.get("code") or "") for side in sides if isinstance(side, dict)}
    return {CODE_FIXES.get(code, code) for code in codes if code}


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
    actor_total = actor_correct = recipient_total = recipient_correct = 0
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
        sources, targets = gold_codes(record, "source"), gold_codes(record, "target")
        if sources:
            actor_total += 1
            actor_correct += bool(event and event.actor and event.actor.country in sources)
        if targets:
            recipient_total += 1
            recipient_correct += bool(event and event.recipient and event.recipient.country in targets)
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
        "actor_records": actor_total,
        "actor_accuracy": round(actor_correct / actor_total, 3) if actor_total else 0.0,
        "recipient_records": recipient_total,
        "recipient_accuracy": round(recipient_correct / recipient_total, 3) if recipient_total else 0.0,
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
