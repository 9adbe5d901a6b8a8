"""Place names: a gazetteer built from GeoNames (`data/gazetteer.tsv`), mention finding and disambiguation.

spaCy's small model mislabels Ukrainian cities, so places are found by looking token n-grams up in the
gazetteer. "X region/oblast/krai" reads X as a first-level region; "the village of X" keeps X as a place
even when the gazetteer lacks it (its admin1 and country then come from the sentence). A name with
several readings (Odesa, Ukraine / Odessa, Texas) is resolved by the countries the article talks about.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from schemas import Location
from services.extractor.rules.lexicon import DATA_DIR

REGION_WORDS = frozenset(
    {
        "region",
        "regions",
        "oblast",
        "oblasts",
        "province",
        "provinces",
        "krai",
        "kray",
        "governorate",
        "republic",
    }
)
SETTLEMENT_WORDS = frozenset({"village", "town", "city", "settlement", "hamlet", "township", "suburb"})
MAX_WORDS = 4
SMALL_TOWN = 15_000


@dataclass(frozen=True)
class Place:
    geonames_id: int | None
    name: str
    kind: str  # city | admin1 | country
    country: str
    admin1: str
    lat: float | None
    lon: float | None
    population: int


@dataclass
class Gazetteer:
    by_alias: dict[str, list[Place]]
    country_names: dict[str, str]  # ISO3 -> name
    stoplist: frozenset[str]


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a sentence: token indices [start, end) and its gazetteer readings."""

    start: int
    end: int
    text: str
    candidates: tuple[Place, ...]
    region: bool
    settlement: bool


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", plain.replace("’", "'")).strip()


def _float(text: str) -> float | None:
    return float(text) if text else None


@cache
def load_gazetteer() -> Gazetteer:
    by_alias: dict[str, list[Place]] = {}
    names: dict[str, str] = {}
    for line in (DATA_DIR / "gazetteer.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        gid, name, kind, country, admin1, lat, lon, population, aliases = line.split("\t")
        place = Place(
            int(gid) if gid.isdigit() else None,
            name,
            kind,
            country,
            admin1,
            _float(lat),
            _float(lon),
            int(population or 0),
        )
        if kind == "country":
            names[country] = name
        for alias in {fold(a) for a in aliases.split("|") if a}:
            by_alias.setdefault(alias, []).append(place)
    stop_lines = (DATA_DIR / "place_stoplist.txt").read_text(encoding="utf-8").splitlines()
    stoplist = frozenset(fold(w) for w in stop_lines if w and not w.startswith("#"))
    return Gazetteer(by_alias, names, stoplist)


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def find_places(words: list[str], proper: list[bool]) -> list[PlaceMention]:
    """Place mentions among `words` (a sentence's tokens); `proper[i]` says whether word i may
    start a name.
    """
    gaz = load_gazetteer()
    mentions: list[PlaceMention] = []
    i = 0
    while i < len(words):
        if not (words[i][:1].isupper() and proper[i]) or (
            words[i].isupper()
            and 2 < len(words[i]) <= 4
            and i + 1 < len(words)
            and not words[i + 1][:1].isupper()
        ):
            i += 1
            continue
        found = None
        for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
            text = " ".join(_strip_possessive(w) for w in words[i : i + n]).strip()
            key = fold(text)
            candidates = [p for p in gaz.by_alias.get(key, []) if p.kind != "city" or key not in gaz.stoplist]
            if candidates:
                found = (n, text, candidates)
                break
        if found is None:
            if i >= 2 and words[i - 1].lower() == "of" and words[i - 2].lower() in SETTLEMENT_WORDS:
                found = (1, words[i], [])
            else:
                i += 1
                continue
        n, text, candidates = found
        end = i + n
        if (
            end < len(words)
            and words[end][:1].isupper()
            and proper[end]
            and words[end].lower() not in REGION_WORDS
            and candidates
            and not any(p.kind == "country" for p in candidates)
        ):
            i = end + 1  # a first name ("Vladimir Putin", "Volodymyr Zelensky"), not a place
            continue
        region = end < len(words) and words[end].lower() in REGION_WORDS
        if (
            not region
            and end + 2 < len(words)
            and words[end].lower() == "and"
            and words[end + 2].lower() in {"regions", "oblasts", "provinces"}
        ):
            region = True
        settlement = i >= 2 and words[i - 1].lower() == "of" and words[i - 2].lower() in SETTLEMENT_WORDS
        if region and not any(p.kind == "admin1" for p in candidates):
            # "Sumy region" with no admin1 row: keep the city rows; resolution takes their admin1.
            pass
        mentions.append(
            PlaceMention(
                i,
                end + (1 if region and end < len(words) and words[end].lower() in REGION_WORDS else 0),
                text,
                tuple(candidates),
                region,
                settlement,
            )
        )
        i = end
    return mentions


def _score(place: Place, text: str, context: Counter[str], region: bool) -> tuple[float, ...]:
    exact = SequenceMatcher(None, fold(place.name), fold(text)).ratio() >= 0.8  # a spelling, not an old name
    kind_rank = (
        {"admin1": 2.0, "city": 1.0, "country": 0.0}[place.kind]
        if region
        else {"city": 2.0, "admin1": 1.0, "country": 3.0}[place.kind]
    )
    return (float(context.get(place.country, 0) > 0), float(exact), kind_rank, math.log1p(place.population))


def resolve(
    mention: PlaceMention, context: Counter[str], sentence_admin1: Place | None = None
) -> Location | None:
    """The Location a mention stands for, given the article's country counts and a region named nearby."""
    gaz = load_gazetteer()
    candidates = list(mention.candidates)
    if sentence_admin1 is not None and mention.settlement:
        inside = [
            p for p in candidates if p.country == sentence_admin1.country and p.admin1 == sentence_admin1.name
        ]
        candidates = inside
    if not candidates:
        if not (mention.settlement or mention.region):
            return None
        country = (
            sentence_admin1.country
            if sentence_admin1
            else (context.most_common(1)[0][0] if context else None)
        )
        return Location(
            text=mention.text,
            name=mention.text,
            admin1=sentence_admin1.name if sentence_admin1 else None,
            country=country,
            country_name=gaz.country_names.get(country or ""),
            precision="admin1" if mention.region else "city",
        )
    best = max(candidates, key=lambda p: _score(p, mention.text, context, mention.region))
    if (
        best.kind == "city"
        and best.population < SMALL_TOWN
        and not context.get(best.country)
        and not mention.settlement
    ):
        return None
    if mention.region and best.kind == "city":
        return Location(
            text=mention.text,
            name=best.admin1 or mention.text,
            admin1=best.admin1 or mention.text,
            country=best.country,
            country_name=gaz.country_names.get(best.country),
            precision="admin1",
        )
    precision = {"city": "city", "admin1": "admin1", "country": "country"}[best.kind]
    return Location(
        text=mention.text,
        name=best.name,
        admin1=best.admin1 or None,
        country=best.country,
        country_name=gaz.country_names.get(best.country),
        lat=best.lat,
        lon=best.lon,
        geonames_id=best.geonames_id,
        precision=precision,
    )


def best_admin1(mentions: list[PlaceMention], context: Counter[str]) -> Place | None:
    """The first region named in a sentence (used to place villages the gazetteer lacks)."""
    for mention in mentions:
        admin = [p for p in mention.candidates if p.kind == "admin1"]
        if mention.region and admin:
            return max(admin, key=lambda p: float(context.get(p.country, 0) > 0))
    return None


def country_of_text(text: str) -> str | None:
    """ISO3 of a country name ("Ukraine") or None."""
    places = load_gazetteer().by_alias.get(fold(text), [])
    countries = [p.country for p in places if p.kind == "country"]
    return countries[0] if countries else None
