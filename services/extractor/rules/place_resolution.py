"""Which place a mention stands for: the reading of a name that fits the article (places.py finds them).

The countries and regions the article names come first, then how closely the spelling matches, the kind
of place the words around it call for (a region, a district) and population. A village the gazetteer
lacks is reported inside the region or country named next to it; an unknown spelling of a province is
looked for among the subdivisions of the article's countries.
"""

from __future__ import annotations

import math
from collections import Counter
from difflib import SequenceMatcher

from schemas import Location
from services.extractor.rules.actors import person_name_words
from services.extractor.rules.gazetteer import Place, fold, load_gazetteer
from services.extractor.rules.places import (
    DISTRICT_KIND_RANK,
    KIND_RANK,
    REGION_KIND_RANK,
    SMALL_TOWN,
    SPELLING_RATIO,
    PlaceMention,
    needs_context,
)

__all__ = ["best_admin1", "resolve"]


def _spelled_alike(a: str, b: str) -> bool:
    """`SequenceMatcher(None, a, b).ratio() > 0.8`, without the matcher when the answer is known: equal
    names match, and the ratio is at most `real_quick_ratio()` (the same formula on the lengths)."""
    if a == b:
        return True
    if 2.0 * min(len(a), len(b)) / (len(a) + len(b)) <= 0.8:
        return False
    return SequenceMatcher(None, a, b).ratio() > 0.8


EXONYM_CITY = 30_000  # a city this large is likely the one meant under another spelling of its name
CAPITAL_SIZE = 1_000_000  # a city this large in a country the story names is as likely as its own


def _score(
    place: Place, mention: PlaceMention, context: Counter[str], regions: Counter[str], home: str | None
) -> tuple[float, ...]:
    # a spelling (Kharkov, Kharkiv), not an old or other name; one letter in five (Borna, Borno) is another
    exact = _spelled_alike(fold(place.name), fold(mention.text))
    ranks = DISTRICT_KIND_RANK if mention.district else REGION_KIND_RANK if mention.region else KIND_RANK
    in_region = float(bool(place.admin1) and regions.get(place.admin1, 0) > 0)
    named = context.get(place.country, 0) > 0
    big = place.population >= CAPITAL_SIZE  # Lima the capital, not Lima, Ohio, in a story on a summit
    return (
        float(named) + float(named and (place.country == home or big)),  # the story's own country first
        in_region,
        float(exact or place.population >= EXONYM_CITY),  # "Jenin" is Janin the city, not a Polish hamlet
        ranks[place.kind],
        float(place.population >= SMALL_TOWN),  # Zaporizhzhya the city, not a hamlet spelled Zaporizhzhia
        float(fold(place.name) == fold(mention.text)),
        math.log1p(place.population),
    )


def resolve(
    mention: PlaceMention,
    context: Counter[str],
    sentence_admin1: Place | None = None,
    regions: Counter[str] | None = None,
) -> Location | None:
    """The Location a mention stands for, given the article's country counts, a region named nearby
    and the regions (admin1 names) the article named before.
    """
    gaz = load_gazetteer()
    candidates = list(mention.candidates)
    countries = [p for p in candidates if p.kind == "country"]
    if countries and not mention.region:
        candidates = countries  # "in Niger" is the country, not Niger state of Nigeria
    if sentence_admin1 is not None and mention.settlement:
        inside = [
            p for p in candidates if p.country == sentence_admin1.country and p.admin1 == sentence_admin1.name
        ]
        candidates = inside
    if not candidates and mention.region and not mention.candidates:
        candidates = _spelled_like(mention.text, context)
    if not candidates:
        if not (mention.settlement or mention.region or mention.within):
            return None
        around = mention.within or sentence_admin1
        if (
            around
            and around.kind == "country"
            and sentence_admin1
            and sentence_admin1.country == around.country
        ):
            around = sentence_admin1  # "the town of X in Mali's Mopti region"
        country = around.country if around else (context.most_common(1)[0][0] if context else None)
        admin1 = (around.name if around.kind == "admin1" else around.admin1 or None) if around else None
        return Location(
            text=mention.text,
            name=mention.text,
            admin1=admin1,
            country=country,
            country_name=gaz.country_names.get(country or ""),
            precision="admin1" if mention.region else "city",
        )
    seen = regions or Counter()
    home = context.most_common(1)[0][0] if context else None
    best = max(candidates, key=lambda p: _score(p, mention, context, seen, home))
    if needs_context(best, mention) and not (context.get(best.country) and mention.placed):
        return None
    if _stray_namesake(best, mention, context):
        return None
    if mention.building and best.kind in {"city", "admin2"} and best.country != home:
        return None  # "marching toward the Miraflores palace" in Caracas is no town abroad
    if mention.region and best.kind == "city":
        return Location(
            text=mention.text,
            name=best.admin1 or mention.text,
            admin1=best.admin1 or mention.text,
            country=best.country,
            country_name=gaz.country_names.get(best.country),
            precision="admin1",
        )
    # The schema has no district level: a district is reported as a place inside its admin1.
    precision = {"city": "city", "admin2": "city", "admin1": "admin1", "country": "country"}.get(best.kind)
    return Location(
        text=mention.text,
        name=best.name,
        admin1=best.admin1 or None,
        country=best.country or None,  # a sea has none
        country_name=gaz.country_names.get(best.country),
        lat=best.lat,
        lon=best.lon,
        geonames_id=best.geonames_id,
        precision=precision,
    )


UNNAMED_COUNTRY_TOWN = 100_000  # a smaller town of a country the story never names needs a place position


def _stray_namesake(best: Place, mention: PlaceMention, context: Counter[str]) -> bool:
    """A town of a country the article never names, under a name people bear, where no word calls it a
    place ("Khan's party" is no visit to Haan, a German town also spelled Khan)."""
    return (
        best.kind in {"city", "admin2"}
        and best.population < UNNAMED_COUNTRY_TOWN
        and not context.get(best.country)
        and not (mention.placed or mention.settlement or mention.parent or mention.region)
        and fold(mention.text) in person_name_words()
    )


def _spelled_like(text: str, context: Counter[str]) -> list[Place]:
    """Subdivisions of the article's three main countries spelled like `text` ("Oddar Meanchey" for
    "Otdar Mean Chey"), best first. Spellings of one name keep its first letter: "the State
    Department" is no Tate County."""
    gaz = load_gazetteer()
    key = fold(text)
    scored = [
        (SequenceMatcher(None, key, name).ratio(), p)
        for country, _ in context.most_common(3)
        for p in gaz.subdivisions_of(country)
        if (name := fold(p.name))[:1] == key[:1]
    ]
    return [p for ratio, p in sorted(scored, key=lambda x: -x[0])[:1] if ratio >= SPELLING_RATIO]


def best_admin1(mentions: list[PlaceMention], context: Counter[str]) -> Place | None:
    """The first region named in a sentence (used to place villages the gazetteer lacks)."""
    for mention in mentions:
        admin = [p for p in mention.candidates if p.kind == "admin1"]
        if mention.region and admin:
            return max(admin, key=lambda p: float(context.get(p.country, 0) > 0))
    return None
