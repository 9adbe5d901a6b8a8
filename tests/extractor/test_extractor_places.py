"""Place resolution from the GeoNames table: spellings, regions, villages, ambiguous names."""

from __future__ import annotations

from collections import Counter

from schemas import Location
from services.extractor.rules.places import best_admin1, find_places, resolve

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
