"""Golden sentence cases (tests/extractor/golden/sentences.jsonl): every rule change adds its cases.

Each line: `text`, the `events` that must be among the extracted ones (`event_type` and, where given,
`actor` / `recipient` country codes, `actor_name`, the `place` name and `place_country`; `not_actor` /
`not_recipient` name a country that side must not have), `absent` types that must not be extracted,
`quantities` ([kind, value] pairs some event must carry) and `absent_quantities` (pairs no event may
carry), and the `rule` it pins.
An empty `events` list with no `absent` means the text yields no event at all. The sentences are written
for these tests; none is taken from an evaluation text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from schemas import Event
from services.extractor.rules import RuleEngine
from tests.extractor.helpers import PUBLISHED, make_article

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "golden" / "sentences.jsonl").read_text().splitlines()
    if line.strip()
]


def _matches(event: Event, want: dict[str, Any]) -> bool:
    if event.event_type != want["event_type"]:
        return False
    for side in ("actor", "recipient"):
        if side in want:
            got = getattr(event, side)
            if got is None or got.country != want[side]:
                return False
    if "actor_name" in want and (event.actor is None or event.actor.name != want["actor_name"]):
        return False
    for side in ("not_actor", "not_recipient"):
        got = getattr(event, side.removeprefix("not_"))
        if side in want and got is not None and got.country == want[side]:
            return False
    place = event.location
    if "place" in want and (place is None or place.name != want["place"]):
        return False
    return "place_country" not in want or (place is not None and place.country == want["place_country"])


@pytest.mark.parametrize("case", CASES, ids=[c["rule"] for c in CASES])
def test_golden_sentence(engine: RuleEngine, case: dict[str, Any]) -> None:
    events = engine.extract(make_article(case["text"], PUBLISHED))
    summary = [
        (
            e.event_type,
            e.actor and (e.actor.country, e.actor.name),
            e.recipient and e.recipient.country,
            e.location and (e.location.name, e.location.country),
        )
        for e in events
    ]
    for want in case["events"]:
        assert any(_matches(e, want) for e in events), (want, summary)
    for absent in case.get("absent", []):
        assert all(e.event_type != absent for e in events), (absent, summary)
    counts = {(q.kind, q.value) for e in events for q in e.quantities}
    for kind, value in case.get("quantities", []):
        assert (kind, value) in counts, (kind, value, counts)
    for kind, value in case.get("absent_quantities", []):
        assert (kind, value) not in counts, (kind, value, counts)
    if not case["events"] and "absent" not in case:
        assert events == [], summary


def test_golden_cases_are_well_formed() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        assert set(case) <= {"rule", "text", "events", "absent", "quantities", "absent_quantities"}, case
        assert case["rule"] and case["text"], case
