"""Place resolution from the GeoNames table: spellings, regions, villages, ambiguous names."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from spacy.lang.en.stop_words import STOP_WORDS

from schemas import Location
from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.article_places import article_places
from services.extractor.rules.name_parts import without_name_parts
from services.extractor.rules.place_resolution import best_admin1, resolve
from services.extractor.rules.places import PlaceMention, find_places
from services.extractor.rules.where import pick_location

UKRAINE_NEWS = Counter({"UKR": 5, "RUS": 4})


def places(sentence: str, context: Counter[str] = UKRAINE_NEWS) -> list[Location]:
    words = sentence.replace(",", " ,").replace(".", " .").split()
    mentions = find_places(words, [True] * len(words))
    admin1 = best_admin1(mentions, context)
    return [loc for m in mentions if (loc := resolve(m, context, admin1)) is not None]


def test_alternate_spellings_resolve_to_one_place() -> None:
    for spelling in ("Kupiansk", "Kupyansk"):
        (loc,) = places(f"fighting near {spelling} today")
        assert (loc.name, loc.admin1, loc.country, loc.precision) == ("Kupyansk", "Kharkiv", "UKR", "city")
    zap = {places(f"strikes on {s} overnight")[0].geonames_id for s in ("Zaporizhzhia", "Zaporizhzhya")}
    assert len(zap) == 1
    (kharkov,) = places("shelling of Kharkov resumed")
    assert kharkov.name == "Kharkiv" and kharkov.lat is not None


def test_regions_are_admin1() -> None:
    (ukraine, region) = places("Russia entered Ukraine's Dnipropetrovsk region for the first time")[1:]
    assert ukraine.precision == "country"
    assert (region.admin1, region.country, region.precision) == ("Dnipropetrovsk", "UKR", "admin1")
    (krai,) = places("drones hit Krasnodar Krai overnight")
    assert (krai.admin1, krai.country) == ("Krasnodar", "RUS")
    both = places("casualties occurred in the Chernihiv and Khmelnytskyi regions")
    assert [(p.admin1, p.precision) for p in both] == [("Chernihiv", "admin1"), ("Khmelnytskyi", "admin1")]


def test_city_in_russia_has_its_region() -> None:
    (sochi,) = places("a drone assault in Sochi")
    assert (sochi.country, sochi.admin1, sochi.country_name) == ("RUS", "Krasnodar", "Russia")


def test_village_missing_from_gazetteer_takes_region_from_context() -> None:
    found = places("the capture of the village of Berezove in the Dnipropetrovsk region")
    village = found[0]
    assert (village.name, village.admin1, village.country) == ("Berezove", "Dnipropetrovsk", "UKR")


def test_country_context_disambiguates() -> None:
    (ukrainian,) = places("a missile hit Odessa port")
    assert ukrainian.country == "UKR"
    (texan,) = places("a storm hit Odessa yesterday", Counter({"USA": 3}))
    assert texan.country == "USA"


def test_first_names_are_not_places() -> None:
    assert places("President Vladimir Putin spoke") == []


def test_a_building_named_like_a_town_abroad_is_no_place_abroad() -> None:
    venezuela = Counter({"VEN": 4, "PER": 2})
    assert places("crowds marched toward the Miraflores palace on Monday", venezuela) == []
    assert [p.country for p in places("crowds marched in Miraflores on Monday", Counter({"PER": 3}))] == [
        "PER"
    ]


def test_a_name_described_as_a_day_is_not_a_place() -> None:
    kenya = Counter({"KEN": 4})
    assert places("police fired on crowds at Saba Saba , the anniversary of the 1990 rallies", kenya) == []
    assert [p.name for p in places("protests in Saba Saba , a town in Murang'a", kenya)][:1] == ["Saba Saba"]


def test_a_town_named_after_a_title_and_a_first_name_is_a_family_name() -> None:
    words = [
        "US",
        "Defense",
        "Secretary",
        "Lloyd",
        "Austin",
        "met",
        "the",
        "South",
        "Korean",
        "minister",
        "in",
        "Washington",
    ]
    proper = [w[:1].isupper() for w in words]
    found = without_name_parts(words, proper, find_places(words, proper))
    assert [m.text for m in found if m.text != "US"] == ["Washington"]


def test_a_town_named_right_after_an_office_is_its_holder() -> None:
    words = ["Crowds", "gathered", "in", "Izmir", "after", "the", "arrest", "of", "mayor", "Aksu"]
    proper = [w[:1].isupper() for w in words]
    found = without_name_parts(words, proper, find_places(words, proper))
    assert [m.text for m in found] == ["Izmir"]


NO_CONTEXT: Counter[str] = Counter()


def test_regions_of_any_country_with_english_names() -> None:
    (kivu,) = places("fighting spread across Nord-Kivu", Counter({"COD": 2}))
    assert (kivu.name, kivu.country, kivu.precision) == ("North Kivu", "COD", "admin1")
    (borno,) = places("insurgents raided a market in Nigeria's Borno state", Counter({"NGA": 1}))[1:]
    assert (borno.name, borno.country, borno.precision) == ("Borno", "NGA", "admin1")


def test_cities_carry_their_admin1() -> None:
    (city,) = places("a bomb exploded in Peshawar on Monday", Counter({"PAK": 1}))
    assert (city.name, city.admin1, city.country) == ("Peshawar", "Khyber Pakhtunkhwa", "PAK")


def test_parent_named_after_a_comma_or_in_picks_the_reading() -> None:
    (sindh, _) = places("floods hit Hyderabad, Pakistan overnight", NO_CONTEXT)
    (telangana, _) = places("floods hit Hyderabad, India overnight", NO_CONTEXT)
    assert (sindh.country, sindh.admin1) == ("PAK", "Sindh")
    assert (telangana.country, telangana.admin1) == ("IND", "Telangana")
    (lebanon, _) = places("clashes erupted in Tripoli in Lebanon", NO_CONTEXT)
    assert lebanon.country == "LBN"


def test_article_countries_decide_between_namesakes() -> None:
    (libya,) = places("militias clashed in Tripoli", Counter({"LBY": 3}))
    (lebanon,) = places("militias clashed in Tripoli", Counter({"LBN": 3}))
    assert (libya.country, lebanon.country) == ("LBY", "LBN")


def test_districts_resolve_inside_their_region() -> None:
    (district,) = places("shelling in Kupwara district wounded two", Counter({"IND": 2}))
    assert (district.admin1, district.country) == ("Jammu and Kashmir", "IND")


def test_small_towns_need_the_article_country_and_a_place_position() -> None:
    # "Borno" is a Nigerian state and a village in Italy (and close to Borna, a German town).
    assert places("Borno said nothing", Counter({"ITA": 2})) == []
    (state,) = places("Borno said nothing", Counter({"NGA": 2}))
    assert (state.country, state.precision) == ("NGA", "admin1")
    (village,) = places("a landslide in Borno", Counter({"ITA": 2}))
    assert (village.country, village.admin1) == ("ITA", "Lombardia")


def test_gazetteer_rows_are_checked_when_loading(tmp_path: Path) -> None:
    from services.extractor.rules import gazetteer

    (tmp_path / "gazetteer.tsv").write_text("1\tX\ttown\tUKR\t\t\t\t0\tx\n", encoding="utf-8")
    (tmp_path / "place_stoplist.txt").write_text("", encoding="utf-8")
    with pytest.raises(gazetteer.GazetteerError, match=r"gazetteer\.tsv:1"):
        gazetteer.read_gazetteer(tmp_path)


def test_seas_are_places_without_a_country() -> None:
    (sea,) = places("a missile hit a tanker in the Red Sea", Counter({"YEM": 2}))
    assert (sea.name, sea.country, sea.admin1) == ("Red Sea", None, None)
    (gulf,) = places("a drone fell into the Gulf of Aden", Counter({"YEM": 2}))
    assert gulf.name == "Gulf of Aden"


def _parsed(text: str) -> tuple[Any, list[PlaceMention]]:
    from services.extractor.rules.engine import _nlp
    from services.extractor.rules.postags import set_coarse_pos

    doc = set_coarse_pos(_nlp()(text))
    words = [t.text for t in doc]
    proper = [w[:1].isupper() and (i > 0 or w.lower() not in STOP_WORDS) for i, w in enumerate(words)]
    return doc, find_places(words, proper)


def test_a_definite_site_takes_the_article_latest_place() -> None:
    state = ArticleState(None)
    first, first_places = _parsed("Militants attacked a police post in Bunia on Monday.")
    here = pick_location(first, [first[1]], first_places, state)
    assert here is not None and (here.name, here.country) == ("Bunia", "COD")
    later, later_places = _parsed("Hours later gunmen attacked the market in the town.")
    again = pick_location(later, [later[3]], later_places, state)
    assert again is not None and again.name == "Bunia"
    vague, vague_places = _parsed("Gunmen attacked a market.")
    assert pick_location(vague, [vague[1]], vague_places, state) is None


def test_the_clause_own_place_beats_a_background_one() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("Troops shelled Kharkiv on Monday, weeks after the attacks in Odesa.")
    here = pick_location(doc, [doc[1]], mentions, state)
    assert here is not None and here.name == "Kharkiv"


def test_hyphenated_names_split_by_the_tokenizer_are_found() -> None:
    words = ["Police", "deployed", "to", "Port", "-", "au", "-", "Prince", "and", "Ivano", "-", "Frankivsk"]
    found = [resolve(m, Counter({"HTI": 1})) for m in find_places(words, [w[:1].isupper() for w in words])]
    assert [loc.name for loc in found if loc] == ["Port-au-Prince", "Ivano-Frankivsk"]


def test_the_dateline_is_not_the_event_place_but_a_fallback() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("BUNIA, Congo, May 3 (Newswire) - Militants attacked a camp in Djugu on Monday.")
    trigger = next(t for t in doc if t.text == "attacked")
    here = pick_location(doc, [trigger], mentions, state)
    assert here is not None and here.name != "Bunia"
    assert article_places(state).dateline is not None and article_places(state).dateline.name == "Bunia"


def test_a_country_capital_phrase_is_its_capital() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("A bomb killed five people in Kenya's capital on Monday.")
    trigger = next(t for t in doc if t.text == "killed")
    here = pick_location(doc, [trigger], mentions, state)
    assert here is not None and (here.name, here.country) == ("Nairobi", "KEN")


def test_named_groups_are_not_places() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("Hamas fighters attacked a post.")
    assert pick_location(doc, [doc[2]], mentions, state) is None


def test_a_name_the_gazetteer_lacks_takes_its_parent() -> None:
    (village, _) = places("gunmen attacked a camp in Zorgowani , in the Mopti region", NO_CONTEXT)
    assert (village.name, village.admin1, village.country) == ("Zorgowani", "Mopti", "MLI")
    assert places("talks with Zorgowani went well", NO_CONTEXT) == []


def test_regions_are_shown_as_their_towns_spell_them() -> None:
    (region,) = places("shelling hit Siem Reap province", Counter({"KHM": 1}))
    assert (region.name, region.precision) == ("Siem Reap", "admin1")
    (town,) = places("a blast in Ganja", Counter({"AZE": 1}))
    assert town.admin1 and town.admin1.isascii()


def test_demonyms_are_not_places() -> None:
    assert places("Thai troops shelled the border", Counter({"THA": 2})) == []


def test_an_unknown_spelling_of_a_province_is_found_among_the_article_countries() -> None:
    (province,) = places("shelling in Oddar Meanchey province", Counter({"KHM": 2, "THA": 2}))
    assert (province.country, province.precision) == ("KHM", "admin1")
    assert places("shelling in Oddar Meanchey province", Counter({"FRA": 2}))[0].country != "KHM"


def test_a_port_named_after_its_sea_is_the_port() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("A drone struck a building in the Black Sea port of Odesa overnight.")
    here = pick_location(doc, [doc[2]], mentions, state)
    assert here is not None and here.name == "Odesa"


def test_the_lead_of_a_datelined_story_happens_at_the_dateline() -> None:
    state = ArticleState(None)
    doc, mentions = _parsed("TBILISI, Dec 2 (Newswire) - Riot police dispersed protesters on Monday.")
    trigger = next(t for t in doc if t.text == "dispersed")
    here = pick_location(doc, [trigger], mentions, state)
    assert here is not None and (here.name, here.country) == ("Tbilisi", "GEO")


def test_a_village_the_gazetteer_lacks_keeps_its_whole_name() -> None:
    found = places("fighting near the village of Nerkin Hand in the Syunik province", Counter({"ARM": 2}))
    assert (found[0].name, found[0].country) == ("Nerkin Hand", "ARM")


def test_speaking_to_parliament_does_not_place_an_event() -> None:
    state = ArticleState(None)
    first, first_places = _parsed("A spy was poisoned in Salisbury on Sunday.")
    assert pick_location(first, [first[3]], first_places, state) is not None
    doc, mentions = _parsed("Britain expelled diplomats, the prime minister told parliament.")
    assert pick_location(doc, [doc[1]], mentions, state) is None


def test_the_gulf_state_is_a_description_not_a_place() -> None:
    words = ["The", "Gulf", "state", "has", "brokered", "talks", ",", "officials", "in", "Doha", "said", "."]
    proper = [w[:1].isupper() and (i > 0 or w.lower() not in STOP_WORDS) for i, w in enumerate(words)]
    assert [m.text for m in find_places(words, proper)] == ["Doha"]


def test_a_name_running_on_over_a_hyphen_is_not_its_first_half() -> None:
    def names(sentence: str) -> list[str]:
        words = sentence.replace("-", " - ").split()
        proper = [w[:1].isupper() and (i > 0 or w.lower() not in STOP_WORDS) for i, w in enumerate(words)]
        return [m.text for m in find_places(words, proper)]

    assert names("Gunmen attacked the village of Bois-Marchand at dawn .") == ["Bois-Marchand"]
    assert names("Engineers at a Beijing-funded mine were attacked .") == []
    assert "Cologne" in names("He landed at Cologne-Bonn airport .")
