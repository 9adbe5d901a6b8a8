"""How a headline's event joins the body's (merge.fold_headline)."""

from __future__ import annotations

from typing import Any

from schemas import Location
from services.extractor.rules.events import Draft
from services.extractor.rules.merge import ArticleEvent, fold_headline
from services.extractor.rules.quantities import FoundQuantity

REGION = Location(text="Oromia", name="Oromia", admin1="Oromia", country="ETH", precision="admin1")
TOWN = Location(text="Nekemte", name="Nekemte", admin1="Oromia", country="ETH", precision="city")


def _count(kind: str, value: int) -> FoundQuantity:
    token: Any = None  # the fold reads kinds, objects and values only
    return FoundQuantity(kind, "people", value, None, False, f"{value} people", token, None)


def _event(index: int, location: Location, *counts: FoundQuantity) -> ArticleEvent:
    trigger: Any = None
    draft = Draft("assault", None, trigger, quantities=list(counts), location=location)
    return ArticleEvent(draft, (index, index + 1), index)


def test_a_headline_massacre_does_not_fold_into_the_flight_it_caused() -> None:
    headline = _event(0, REGION, _count("killed", 40))
    flight = _event(3, TOWN, _count("displaced", 5000))
    kept = fold_headline([headline, flight], 0)
    assert headline in kept
    assert [(q.kind, q.value) for q in flight.draft.quantities] == [("displaced", 5000)]


def test_a_headline_folds_into_the_body_event_it_summarises() -> None:
    headline = _event(0, REGION, _count("killed", 40))
    raid = _event(2, TOWN, _count("killed", 40))
    kept = fold_headline([headline, raid], 0)
    assert kept == [raid]
