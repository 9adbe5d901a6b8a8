"""Place names in a sentence: mention finding and disambiguation against the gazetteer (gazetteer.py).

spaCy's small model mislabels many toponyms, so places are found by looking token n-grams up in the
gazetteer. "X region/oblast/province/district" reads X as a subdivision; "the village of X" keeps X as a
place even when the gazetteer lacks it (its admin1 and country then come from the sentence). A parent named
next to a place ("Goma, Congo", "Rajouri in Kashmir", "Haiti's Artibonite") keeps only the readings inside
it; the rest is settled (place_resolution.py) by the countries and regions the article talks about, the kind
of place and population. "Nairobi's Kangemi area" is a quarter of the town before it. Small towns and
districts need the article's country and a place-like position ("in X", "X, Y"), since thousands of them
share names with common words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.extractor.rules.gazetteer import Place, fold, load_gazetteer
from services.extractor.rules.place_words import (
    BUILDINGS,
    DESCRIBED_AS,
    MAX_TOKENS,
    MAX_WORDS,
    PART_OF,
    PLACED_AFTER,
    REGION_WORDS,
    SETTLEMENT_WORDS,
    after_site,
    apposition,
    is_quarter,
    named_day,
    unknown_name,
    unknown_with_parent,
)

__all__ = [
    "Place",
    "PlaceMention",
    "country_of_text",
    "find_places",
    "fold",
    "load_gazetteer",
    "needs_context",
]

SMALL_TOWN = 15_000
SPELLING_RATIO = 0.8


@dataclass(frozen=True)
class PlaceMention:
    """A place name found in a sentence: token indices [start, end) and its gazetteer readings.

    `placed` says the words around it read as a place ("in X", "the town of X", "X, Y"); `parent`
    is the place named right after or before it ("X, Y", "X in Y", "Y's X") that its readings lie in.
    """

    start: int
    end: int
    text: str
    candidates: tuple[Place, ...]
    region: bool
    settlement: bool
    placed: bool = False
    parent: str | None = None
    district: bool = False
    within: Place | None = None  # the region or country around a name the gazetteer lacks
    quarter: bool = False  # "Y's X area": a part of the town Y
    building: bool = False  # "the Miraflores palace": a building named like a town, maybe elsewhere


KIND_RANK = {"country": 3.0, "water": 2.5, "city": 2.0, "admin2": 1.5, "admin1": 1.0}
REGION_KIND_RANK = {"admin1": 3.0, "admin2": 2.5, "city": 1.0, "country": 0.0, "water": 0.0}
DISTRICT_KIND_RANK = {"admin2": 3.0, "admin1": 2.5, "city": 1.0, "country": 0.0, "water": 0.0}


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


_BREAKS = frozenset({",", ";", "(", ")"})


def _hyphen_goes_on(words: list[str], k: int, named: bool = False) -> bool:
    """Whether word k is a hyphen the name before it runs on over: "Pont-Sonde", "Saut-d'Eau",
    "Beijing-funded"; not "Cologne-Bonn" or "the Israel-Lebanon border", two places joined, unless
    the words call it one place (`named`: "the village of Bois-Marchand")."""
    if not (k + 1 < len(words) and words[k] == "-" and words[k + 1][:1].isalpha()):
        return False
    after = words[k + 1]
    if named:
        return True
    readings = load_gazetteer().by_alias.get(fold(after), []) if after[:1].isupper() else []
    return not any(not needs_context(p) for p in readings)


def _lookup(words: list[str], i: int) -> tuple[int, str, list[Place]] | None:
    """The longest gazetteer name starting at word i: (number of words, text, readings)."""
    gaz = load_gazetteer()
    # folding works letter by letter, so every name read from word i starts with word i's own first word
    first = fold(_strip_possessive(words[i]).replace(" - ", "-").strip())
    if gaz.first_word(first) not in gaz.first_words:
        return None
    longest = words[i : i + MAX_TOKENS]
    for k in range(1, len(longest)):  # no name of two words or more runs over a comma or a bracket
        if longest[k] in _BREAKS:
            longest = longest[:k]
            break
    stripped = [_strip_possessive(w) for w in longest]
    for n in range(len(longest), 0, -1):
        span = longest[:n]
        hyphens = span.count("-")
        if n - 2 * hyphens > MAX_WORDS or span[-1] == "-" or _hyphen_goes_on(words, i + n):
            continue  # "Saut" of "Saut-d'Eau" is not the town Saut
        text = " ".join(stripped[:n]).replace(" - ", "-").strip()
        key = fold(text)
        readings: list[Place] = gaz.by_alias.get(key, [])
        candidates = [p for p in readings if p.kind == "country" or key not in gaz.stoplist]
        if candidates:
            return n, text, candidates
    return None


def _unlisted(
    words: list[str], proper: list[bool], i: int, settlement: bool
) -> tuple[int, str, list[Place]] | None:
    """A name at word i the gazetteer lacks, read as a place where the words make it one."""
    if settlement:  # "the village of Nerkin Hand": the capitalized words that follow
        n_name = 1
        while i + n_name < len(words) and n_name < MAX_WORDS and words[i + n_name][:1].isupper():
            n_name += 2 if _hyphen_goes_on(words, i + n_name + 1, named=True) else 1
        if _hyphen_goes_on(words, i + n_name, named=True):  # "the village of Pont-Sonde"
            n_name += 2
        return n_name, " ".join(words[i : i + n_name]).replace(" - ", "-"), []
    if (n_unknown := unknown_name(words, proper, i)) is not None:
        return n_unknown, " ".join(words[i : i + n_unknown]), []
    if (n_unknown := unknown_with_parent(words, proper, i)) is not None:
        return n_unknown, " ".join(words[i : i + n_unknown]).replace(" - ", "-"), []
    return None


def find_places(words: list[str], proper: list[bool]) -> list[PlaceMention]:
    """Place mentions among `words` (a sentence's tokens); `proper[i]` says whether word i may
    start a name.
    """
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
        settlement = i >= 2 and words[i - 1].lower() == "of" and words[i - 2].lower() in SETTLEMENT_WORDS
        found = _lookup(words, i)
        if found is not None and settlement and _hyphen_goes_on(words, i + found[0], named=True):
            found = None  # "the village of Bois-Marchand" is not the town Bois
        if found is None:
            settlement = settlement or after_site(words, i)
            found = _unlisted(words, proper, i, settlement)
            if found is None:
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
            and not words[end - 1].endswith(("'s", "’s"))  # "Nairobi's Kangemi area"
        ):
            i = end + 1  # a first name ("Vladimir Putin", "Volodymyr Zelensky"), not a place
            continue
        if named_day(words, end):
            i = end  # "which marked Saba Saba, the anniversary of the 1990 rallies": a day, not a place
            continue
        word_after = words[end].lower() if end < len(words) else ""
        described = word_after in DESCRIBED_AS and not words[end][:1].isupper()
        if described and i > 0 and words[i - 1].lower() == "the":
            i = end  # "the Gulf state", "the Balkan country": a description, not a place named
            continue
        last_word = text.rsplit(" ", 1)[-1].lower()  # "Dnipropetrovsk Region" may be a gazetteer name
        region = word_after in REGION_WORDS or (n > 1 and last_word in REGION_WORDS)
        if (
            not region
            and end + 2 < len(words)
            and word_after == "and"
            and words[end + 2].lower() in {"regions", "oblasts", "provinces", "districts", "states"}
        ):
            region = True
        quarter = is_quarter(words, i, end)
        placed = settlement or region or quarter or (i > 0 and words[i - 1].lower() in PLACED_AFTER)
        parent_next = end + 1 < len(words) and words[end] in {",", "in"}
        if not (
            placed or parent_next or any(p.kind == "country" or not needs_context(p) for p in candidates)
        ):
            i = end  # only small namesakes ("Johnson" County, a village "Western"), in no place position
            continue
        mentions.append(
            PlaceMention(
                i,
                end + (1 if word_after in REGION_WORDS else 0),
                text,
                tuple(candidates),
                region,
                settlement,
                placed,
                district=region and any(w.startswith("district") for w in (word_after, last_word)),
                quarter=quarter,
                building=word_after in BUILDINGS,
            )
        )
        i = end
    return _with_parents(words, mentions)


def _inside(place: Place, parent: Place) -> bool:
    if place.country != parent.country or place is parent:
        return False
    if parent.kind == "country":
        return True
    if parent.kind == "admin1":
        return place.kind in {"city", "admin2"} and place.admin1 == parent.name
    return parent.kind == "admin2" and place.kind == "city" and place.admin1 == parent.admin1


def _quarter_of(quarter: PlaceMention, town: PlaceMention) -> PlaceMention:
    """ "Mogadishu's Hodan district", "Nairobi's Kangemi area": a district of the town when the gazetteer
    has one, else a place the gazetteer lacks inside the town (or the region or country named)."""
    if not town.candidates:
        return quarter
    inside = [
        p
        for p in quarter.candidates
        for q in town.candidates
        if _inside(p, q)
        or (q.kind == "city" and p.kind != "country" and (p.country, p.admin1) == (q.country, q.admin1))
    ]
    if inside:
        return replace(quarter, candidates=tuple(inside), placed=True, parent=inside[0].country)
    around = max(town.candidates, key=lambda q: (q.kind == "city", q.population))
    return replace(quarter, candidates=(), placed=True, parent=around.country, within=around)


def _near(place: PlaceMention, landmark: PlaceMention) -> PlaceMention:
    """A place described as a village or town near a landmark: its readings in the landmark's country,
    else a place the gazetteer lacks inside the landmark's region."""
    if not landmark.candidates:
        return place
    countries = {q.country for q in landmark.candidates}
    inside = [p for p in place.candidates if p.country in countries]
    if inside:
        return replace(place, candidates=tuple(inside), placed=True, parent=inside[0].country)
    around = max(
        landmark.candidates,
        key=lambda q: (q.kind == "country", q.kind == "admin1", q.kind == "city", q.population),
    )
    return replace(place, candidates=(), placed=True, parent=around.country, within=around, settlement=True)


def _with_parents(words: list[str], mentions: list[PlaceMention]) -> list[PlaceMention]:
    """Keep the readings of "X, Y", "X in Y" and "Y's X" that lie inside Y."""
    out = list(mentions)
    for k in range(len(out) - 1):
        first, second = out[k], out[k + 1]
        between = [w.lower() for w in words[first.end : second.start]]
        if between[-1:] == ["the"]:  # "X, in the Y region"
            between = between[:-1]
        if len(between) > 1 and between[-1] in PART_OF:  # "X in southern Y"
            between = between[:-1]
        if between == [","] and any(p.kind == "country" for p in first.candidates):
            continue  # "Chile, Costa Rica, Peru": a list of countries, not Costa Rica in Peru
        if between in ([","], ["in"], [",", "in"]):
            child, parent = first, second
        elif apposition(between):  # "Kourou, a village about 30 km from Mopti": in Mopti's country
            out[k] = _near(first, second)
            continue
        elif (not between and words[first.end - 1].endswith(("'s", "’s"))) or between in (["'s"], ["’s"]):
            child, parent = second, first
        else:
            continue
        if child.quarter and child is second:
            out[k + 1] = _quarter_of(child, parent)
            continue
        if not child.candidates and child is first:  # a village the gazetteer lacks, inside its parent
            around = [q for q in parent.candidates if q.kind in {"admin1", "admin2", "country"}]
            if around:
                within = max(
                    around, key=lambda q: (q.kind == "country", REGION_KIND_RANK[q.kind], q.population)
                )
                out[k] = replace(child, placed=True, parent=within.country, within=within)
            continue
        inside = [p for p in child.candidates if any(_inside(p, q) for q in parent.candidates)]
        countries = [q for q in parent.candidates if q.kind == "country"]
        if not inside and child is first and countries and between[-1:] == ["in"]:
            # "Kourou in central Mali": the text places it, though the gazetteer knows only namesakes
            country = countries[0]
            out[k] = replace(child, candidates=(), placed=True, parent=country.country, within=country)
            continue
        if inside:
            parents = [q for q in parent.candidates if any(_inside(p, q) for p in inside)]
            index = k if child is first else k + 1
            out[index] = replace(child, candidates=tuple(inside), placed=True, parent=parents[0].country)
    return [m for m in out if m.candidates or m.settlement or m.region or m.within is not None]


def needs_context(place: Place, mention: PlaceMention | None = None) -> bool:
    """Small towns and districts share names with common words, people and each other: they are read
    as places only in the article's countries, and (but for villages) where the words say so.
    """
    if place.kind not in {"city", "admin2"}:
        return False
    if mention is not None and (mention.settlement or mention.parent is not None):
        return False
    return place.kind == "admin2" or place.population < SMALL_TOWN


def country_of_text(text: str) -> str | None:
    """ISO3 of a country name ("Ukraine") or None."""
    places = load_gazetteer().by_alias.get(fold(text), [])
    countries = [p.country for p in places if p.kind == "country"]
    return countries[0] if countries else None
