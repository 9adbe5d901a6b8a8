"""Merging across an article (merge.py): a headline's event and the body's, attackers from context."""

from __future__ import annotations

from collections import Counter
from typing import Any

from schemas import Actor, Location
from services.extractor.rules.drafts import Draft
from services.extractor.rules.merge import ArticleEvent, add_draft, fold_headline, infer_attackers
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
    kept = fold_headline([headline, flight], frozenset({0}))
    assert headline in kept
    assert [(q.kind, q.value) for q in flight.draft.quantities] == [("displaced", 5000)]


def test_a_headline_folds_into_the_body_event_it_summarises() -> None:
    headline = _event(0, REGION, _count("killed", 40))
    raid = _event(2, TOWN, _count("killed", 40))
    kept = fold_headline([headline, raid], frozenset({0}))
    assert kept == [raid]


def _assault(index: int, location: Location, actor: Actor | None, recipient: Actor | None) -> ArticleEvent:
    trigger: Any = None
    draft = Draft("assault", None, trigger, actor=actor, recipient=recipient, location=location)
    return ArticleEvent(draft, (index, index + 1), index)


def test_a_country_named_only_as_a_host_is_no_attacker() -> None:
    rebels = Actor(text="the rebels", name="OLA", country="ETH", sector="rebel")
    raid = _assault(0, TOWN, rebels, None)
    clash = _assault(3, TOWN, None, Actor(text="OLA fighters", name="OLA", country="ETH", sector="rebel"))
    infer_attackers([raid, clash], Counter({"ETH": 5, "KEN": 2}))  # talks hosted in Nairobi
    assert clash.draft.actor is not None and clash.draft.actor.country == "ETH"


def test_in_a_war_between_two_states_the_attacker_is_the_target_s_enemy() -> None:
    strike = _assault(0, TOWN, Actor(text="Eritrea", name="Eritrea", country="ERI", sector=None), None)
    shelling = _assault(2, TOWN, None, None)
    infer_attackers([strike, shelling], Counter({"ETH": 5, "ERI": 4}))
    assert shelling.draft.actor is not None and shelling.draft.actor.country == "ERI"


def _detention(index: int, count: FoundQuantity) -> ArticleEvent:
    trigger: Any = None
    draft = Draft("coerce", "detain", trigger, quantities=[count], location=TOWN)
    return ArticleEvent(draft, (index, index + 1), index)


def test_a_headline_s_vague_count_folds_into_the_body_s_exact_one() -> None:
    token: Any = None
    vague = FoundQuantity("detained", None, 24, None, True, "dozens", token, None)
    headline = _detention(1, vague)  # the second clause of "X rally; police detain dozens"
    body = _detention(4, _count("detained", 63))
    kept = fold_headline([headline, body], frozenset({0, 1}))
    assert kept == [body]
    assert [(q.kind, q.value) for q in body.draft.quantities] == [("detained", 63)]


def test_a_headline_placed_in_a_country_folds_into_the_body_event_inside_it() -> None:
    country = Location(text="Ethiopia", name="Ethiopia", country="ETH", precision="country")
    headline = _event(0, country, _count("killed", 40))
    raid = _event(2, TOWN, _count("killed", 40))
    assert fold_headline([headline, raid], frozenset({0})) == [raid]


def test_detaining_and_banning_by_a_named_side_are_two_events() -> None:
    trigger: Any = None
    police = Actor(text="police", name=None, country="ETH", sector="police")
    governor = Actor(text="the governor", name=None, country="ETH", sector="government")
    events: list[ArticleEvent] = []
    detention = Draft("coerce", "detain", trigger, [_count("detained", 300)], actor=police, location=TOWN)
    add_draft(events, detention, (0, 1), 0)
    add_draft(events, Draft("coerce", "ban", trigger, actor=governor, location=TOWN), (2, 3), 1)
    add_draft(events, Draft("coerce", "arrest", trigger, actor=police, location=TOWN), (4, 5), 2)
    assert [e.draft.mode for e in events] == ["detain", "ban"]  # the arrests continue the detentions


def test_abductions_after_an_attack_of_another_kind_are_their_own_event() -> None:
    trigger: Any = None
    events: list[ArticleEvent] = []
    add_draft(events, Draft("assault", "destroy", trigger, location=TOWN), (0, 1), 0)
    add_draft(events, Draft("assault", "abduct", trigger, [_count("captured", 7)]), (2, 3), 1)
    add_draft(events, Draft("assault", "firearms", trigger), (4, 5), 2)
    assert [e.draft.mode for e in events] == ["destroy", "abduct"]  # the shooting continues the first


def test_a_headline_side_names_the_body_s_unnamed_soldiers() -> None:
    headline = _event(0, TOWN)
    headline.draft.actor = Actor(text="Ethiopian troops", name=None, country="ETH", sector="military")
    body = _event(3, TOWN)
    body.draft.actor = Actor(text="Soldiers", name=None, country=None, sector="military")
    (folded,) = fold_headline([headline, body], frozenset({0}))
    assert folded.draft.actor is not None and folded.draft.actor.country == "ETH"


def test_a_headline_that_took_in_the_lead_is_told_by_the_lead_and_takes_in_the_later_body_event() -> None:
    events: list[ArticleEvent] = []
    lead = _event(2, TOWN, _count("killed", 40))
    later = _event(5, TOWN, _count("injured", 12))
    headline = frozenset({0})
    add_draft(events, _event(0, REGION, _count("killed", 40)).draft, (0, 1), 0, headline)
    add_draft(events, lead.draft, (2, 3), 2, headline)  # joins the headline's event while the body is read
    events.append(later)  # a body event the headline's did not take in
    kept = fold_headline(events, headline)
    assert len(kept) == 1 and kept[0].sentence == (2, 3)  # the lead's evidence, not the headline's
    assert kept[0].draft.location == TOWN
    assert {(q.kind, q.value) for q in kept[0].draft.quantities} == {("killed", 40), ("injured", 12)}
