"""Places an event takes from its article: datelines, the story's latest place, neighbourhoods."""

from __future__ import annotations

from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.places import PlaceMention, find_places
from services.extractor.rules.where import article_places, pick_location


def _parsed(text: str) -> tuple[Any, list[PlaceMention]]:
    from services.extractor.rules.engine import _nlp
    from services.extractor.rules.postags import set_coarse_pos

    doc = set_coarse_pos(_nlp()(text))
    words = [t.text for t in doc]
    proper = [w[:1].isupper() and (i > 0 or w.lower() not in STOP_WORDS) for i, w in enumerate(words)]
    return doc, find_places(words, proper)


def _place(text: str, word: str, state: ArticleState, statement: bool = False) -> Any:
    doc, mentions = _parsed(text)
    trigger = next(t for t in doc if t.text == word)
    return pick_location(doc, [trigger], mentions, state, statement=statement)


def test_a_dateline_in_capitals_after_the_headline_is_read() -> None:
    state = ArticleState(None)
    assert _place("Rebels attack market as talks stall", "attack", state) is None
    here = _place(
        "BENI, Congo, March 4 (Newswire) - Rebels attacked the market on Monday.", "attacked", state
    )
    assert here is not None and (here.name, here.country) == ("Beni", "COD")
    dateline = article_places(state).dateline
    assert dateline is not None and dateline.name == "Beni"


def test_a_dateline_without_a_country_or_comma_is_read() -> None:
    state = ArticleState(None)
    here = _place("KYIV (Newswire) - Police detained a man on Monday.", "detained", state)
    assert here is not None and (here.name, here.country) == ("Kyiv", "UKR")


def test_a_sentence_opening_with_capitals_is_no_dateline() -> None:
    state = ArticleState(None)
    assert _place("NATO said troops attacked a convoy.", "attacked", state) is None
    assert article_places(state).dateline is None


def test_a_demand_made_at_a_definite_site_takes_the_story_place() -> None:
    state = ArticleState(None)
    assert _place("Militants attacked a police post in Bunia on Monday.", "attacked", state) is not None
    here = _place("A commander ordered the soldiers in the town to surrender.", "ordered", state, True)
    assert here is not None and here.name == "Bunia"
    assert _place("A commander ordered the soldiers to surrender.", "ordered", state, True) is None
