"""Places an event takes from its article: datelines, the story's latest place, neighbourhoods."""

from __future__ import annotations

from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.article_places import article_places
from services.extractor.rules.places import PlaceMention, find_places
from services.extractor.rules.where import pick_location


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


def test_a_quarter_of_a_town_is_placed_inside_it() -> None:
    state = ArticleState(None)
    here = _place("Police fired tear gas at youths in Nairobi's Kangemi area on Friday.", "fired", state)
    assert here is not None and (here.name, here.country) == ("Kangemi", "KEN")
    district = _place("A bomb killed four people in Mogadishu's Hodan district.", "killed", state)
    assert district is not None and (district.name, district.country) == ("Hodan", "SOM")


def test_a_possessive_town_before_a_name_is_no_first_name() -> None:
    words = ["clashes", "in", "Nairobi", "'s", "Mathare", "slum"]
    found = find_places(words, [w[:1].isupper() for w in words])
    assert [m.text for m in found] == ["Nairobi", "Mathare"]
    assert found[1].within is not None and found[1].within.country == "KEN"


def test_a_capital_accused_of_an_act_is_its_government_not_the_place() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("Poland expelled two diplomats, accusing Moscow of arson.")
    assert pick_location(doc, [doc[1], doc[5]], mentions, state) is None
    doc, mentions = _parsed("Rockets struck Kyiv overnight.")
    here = pick_location(doc, [doc[1]], mentions, state)
    assert here is not None and here.name == "Kyiv"


def test_a_dateline_of_two_cities_is_marked_shared() -> None:
    state = ArticleState(None)
    _place("BAKU/YEREVAN, May 2 (Newswire) - Troops attacked a post on Monday.", "attacked", state)
    memory = article_places(state)
    assert memory.dateline is not None and memory.dateline.name == "Baku" and memory.dateline_shared


def test_regions_that_are_no_administrative_unit_are_places() -> None:
    state = ArticleState(None)
    here = _place("Troops launched an assault in Nagorno-Karabakh on Tuesday.", "launched", state)
    assert here is not None and (here.name, here.country) == ("Nagorno-Karabakh", "AZE")
    town = _place("Artillery hit Stepanakert overnight.", "hit", ArticleState(None))
    assert town is not None and (town.name, town.country) == ("Khankendi", "AZE")


def test_a_fight_takes_where_it_happened_not_where_it_was_announced() -> None:
    state = ArticleState(None)
    assert _place("Drones struck a depot in Ryazan overnight.", "struck", state) is not None
    assert _place("Officials in Moscow said troops killed 12 fighters.", "killed", state) is None
    said = "Speaking to reporters in Rome, the minister said police arrested 40 people."
    assert _place(said, "arrested", state) is None
    here = _place("The ministry reported 20 arrests in Tbilisi on Sunday.", "arrests", state)
    assert here is not None and here.name == "Tbilisi"


def test_an_announcement_place_is_a_last_resort_for_the_first_event() -> None:
    here = _place("Officials in Kyiv said missiles killed five people.", "killed", ArticleState(None))
    assert here is not None and here.name == "Kyiv"


def test_barricades_and_gates_refer_back_to_the_story_place() -> None:
    state = ArticleState(None)
    assert _place("Students blocked roads in Novi Sad on Friday.", "blocked", state) is not None
    here = _place("Riot police later cleared the barricades.", "cleared", state)
    assert here is not None and here.name == "Novi Sad"
    gate = _place("Gunmen rammed a truck into the college's main gate.", "rammed", state)
    assert gate is not None and gate.name == "Novi Sad"


def test_a_town_described_as_near_another_lies_in_that_country() -> None:
    state = ArticleState(None)
    text = "Militants attacked a camp in Kourou, a village about 30 km from Mopti, killing nine soldiers."
    here = _place(text, "attacked", state)
    assert here is not None and (here.name, here.country) == ("Kourou", "MLI")
    text = "Gunmen attacked Sokolo, a town near Segou, on Monday."
    town = _place(text, "attacked", ArticleState(None))
    assert town is not None and (town.name, town.country) == ("Sokolo", "MLI")


def test_an_unknown_name_after_a_camp_or_school_is_a_village_of_the_story_country() -> None:
    state = ArticleState(None)
    state.countries["MLI"] = 3
    here = _place("Jihadists attacked an army base at Tiraza on Monday.", "attacked", state)
    assert here is not None and (here.name, here.country) == ("Tiraza", "MLI")
    assert _place("Jihadists attacked a camp in January.", "attacked", ArticleState(None)) is None


def test_a_place_naming_a_body_is_a_last_resort() -> None:
    state = ArticleState(None)
    alone = _place("Lyon police arrested 30 people on Saturday.", "arrested", state)
    assert alone is not None and alone.name == "Lyon"
    here = _place("Lyon police arrested 30 people in Grenoble.", "arrested", ArticleState(None))
    assert here is not None and here.name == "Grenoble"
    later = _place("Lyon police arrested two more people.", "arrested", state)
    assert later is not None and later.name == "Lyon"


def test_a_country_name_two_countries_share_is_read_by_the_dateline_city() -> None:
    from services.extractor.rules.dateline import dateline_country

    assert dateline_country("BRAZZAVILLE, Congo (Newswire) - Police dispersed a march.") == "COG"
    assert dateline_country("KINSHASA, Congo (Newswire) - Police dispersed a march.") == "COD"
    assert dateline_country("BUNIA, Congo, May 2 (Newswire) - Police dispersed a march.") == "COD"


def test_a_town_named_like_a_person_of_the_article_is_the_person() -> None:
    state = ArticleState(None)
    state.countries.update({"TUR": 3})
    state.memory.learn("Police detained Mayor Ekrem Imamoglu in Istanbul on Wednesday .")
    assert "imamoglu" in state.memory.titled
    place = _place("A court jailed Imamoglu on Sunday .", "jailed", state)
    assert place is None or place.name != "İmamoğlu"
    # a word that calls it a place still makes it one
    place = _place("Police fired tear gas at protesters in Imamoglu on Sunday .", "fired", state)
    assert place is not None and place.name == "İmamoğlu"


def test_a_department_of_government_is_no_region() -> None:
    state = ArticleState(None)
    state.countries.update({"USA": 3, "COD": 2})
    place = _place("The ministers signed the accord at the State Department on Friday .", "signed", state)
    assert place is None or place.text != "State"


def test_a_place_in_a_clause_dated_in_the_past_is_not_the_event_s() -> None:
    state = ArticleState(None)
    state.countries.update({"UKR": 3, "RUS": 2})
    text = "Russia released 40 soldiers , including troops captured during the siege of Mariupol in 2022 ."
    assert _place(text, "released", state) is None
    text = "Russia released 40 soldiers , including troops captured during the siege of Mariupol on Monday ."
    place = _place(text, "released", ArticleState(None))
    assert place is not None and place.name == "Mariupol"
