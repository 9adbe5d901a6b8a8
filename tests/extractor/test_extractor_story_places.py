"""Physical events whose sentences name no place take the story's latest place (story_places.py)."""

from __future__ import annotations

from typing import Any

from schemas import Actor, Location
from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.article_places import article_places
from services.extractor.rules.drafts import Draft
from services.extractor.rules.merge import ArticleEvent
from services.extractor.rules.story_places import fill_story_places

TOWN = Location(text="Bunia", name="Bunia", admin1="Ituri", country="COD", precision="city")
COUNTRY = Location(text="Armenia", name="Armenia", country="ARM", precision="country")
DATELINE = Location(text="Goma", name="Goma", admin1="North Kivu", country="COD", precision="city")


def _event(kind: str, index: int, location: Location | None = None) -> ArticleEvent:
    trigger: Any = None  # the pass reads types, places and sentence order only
    return ArticleEvent(Draft(kind, None, trigger, location=location), (index, index + 1), index)


def test_a_placeless_fight_after_a_placed_one_happened_there() -> None:
    events = [_event("assault", 0, TOWN), _event("accuse", 1), _event("coerce", 2)]
    fill_story_places(events, ArticleState(None))
    assert [e.draft.location for e in events] == [TOWN, None, TOWN]


def test_a_country_is_the_latest_place_too() -> None:
    events = [_event("assault", 0, COUNTRY), _event("assault", 1)]
    fill_story_places(events, ArticleState(None))
    assert events[1].draft.location == COUNTRY


def test_without_an_earlier_place_the_dateline_is_taken_unless_shared() -> None:
    state = ArticleState(None)
    article_places(state).dateline = DATELINE
    events = [_event("protest", 0), _event("sanction", 1)]
    fill_story_places(events, state)
    assert [e.draft.location for e in events] == [DATELINE, None]
    article_places(state).dateline_shared = True
    later = [_event("protest", 0)]
    fill_story_places(later, state)
    assert later[0].draft.location is None


def test_meetings_and_agreements_take_the_story_place_and_statements_keep_none() -> None:
    events = [_event("assault", 0, TOWN), _event("consult", 1), _event("agree", 2), _event("accuse", 3)]
    fill_story_places(events, ArticleState(None))
    assert [e.draft.location for e in events] == [TOWN, TOWN, TOWN, None]


def test_a_country_a_statement_names_is_not_the_story_place() -> None:
    events = [_event("assault", 0, TOWN), _event("accuse", 1, COUNTRY), _event("coerce", 2)]
    fill_story_places(events, ArticleState(None))
    assert events[2].draft.location == TOWN


def _said(kind: str, index: int, country: str, sector: str) -> ArticleEvent:
    event = _event(kind, index)
    event.draft.actor = Actor(text="", country=country, sector=sector)
    return event


def test_a_government_statement_without_a_place_is_made_at_its_own_countrys_dateline() -> None:
    state = ArticleState(None)
    article_places(state).dateline = DATELINE
    home = _said("accuse", 0, "COD", "government")
    abroad = _said("accuse", 1, "RWA", "government")  # a foreign ministry speaks at home, not in Goma
    rebels = _said("accuse", 2, "COD", "rebel")
    fill_story_places([home, abroad, rebels], state)
    assert home.draft.location == DATELINE
    assert abroad.draft.location is None and rebels.draft.location is None


def test_a_seat_is_never_taken_for_the_story_place() -> None:
    state = ArticleState(None)
    article_places(state).dateline = DATELINE
    events = [_event("assault", 0, TOWN), _said("request", 1, "COD", "government"), _event("coerce", 2)]
    fill_story_places(events, state)
    assert [e.draft.location for e in events] == [TOWN, DATELINE, TOWN]
