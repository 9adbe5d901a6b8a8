"""The words around a capitalized name that make it a place, or not.

"the village of X", "X province", "Nairobi's X area", "in X, a village 30 km from Y": a name the
gazetteer lacks still reads as a place; "X, the anniversary of ..." is a day, "the Gulf state" a
description. places.py finds the names and asks these cues.
"""

from __future__ import annotations

from services.extractor.rules.timex import MONTHS, WEEKDAYS

MAX_WORDS = 4
MAX_TOKENS = 7  # "Port - au - Prince": spaCy splits hyphenated names

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
        "state",
        "district",
        "districts",
        "department",
        "prefecture",
        "county",
    }
)
SETTLEMENT_WORDS = frozenset(
    {"village", "town", "city", "settlement", "hamlet", "township", "suburb", "port", "district"}
)
# "Nairobi's Kangemi area", "Gaza City's Sabra neighbourhood": a quarter of the city named before it
QUARTER_WORDS = frozenset(
    {"area", "neighbourhood", "neighborhood", "district", "suburb", "quarter", "township", "slum", "estate"}
)
POSSESSIVE = frozenset({"'s", "’s"})
DESCRIBED_AS = frozenset({"state", "country", "nation", "kingdom", "emirate", "republic"})
PLACED_AFTER = frozenset(
    {
        "in",
        "near",
        "at",
        "into",
        "inside",
        "outside",
        "around",
        "across",
        "throughout",
        "from",
        "of",
        "towards",
    }
)
# "an attack on its base at Boulkessi", "a school in Kuriga": a name the gazetteer lacks after these is a
# village or town of the story's country
NAMED_SITES = frozenset(
    {
        "camp",
        "base",
        "outpost",
        "garrison",
        "village",
        "town",
        "school",
        "hospital",
        "market",
        "checkpoint",
        "position",
        "post",
        "crossing",
        "airfield",
    }
)
DIRECTIONS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western"})
PART_OF = frozenset({*DIRECTIONS, "central"})  # "southern Lebanon", "central Mali": a part of the place
NOT_NAMES = frozenset({*PART_OF, *MONTHS, *WEEKDAYS})


BUILDINGS = frozenset({"palace", "prison", "jail", "airport", "stadium", "mosque", "cathedral", "hotel"})
CALENDAR_NOUNS = frozenset({"anniversary", "holiday", "festival", "feast", "day", "commemoration"})


def named_day(words: list[str], end: int) -> bool:
    """Whether the name ending before `end` is described as a day: ", the anniversary of ...",
    ", the 35th anniversary", ", a public holiday"."""
    after = [w.lower() for w in words[end : end + 5]]
    return after[:1] == [","] and after[1:2] in (["the"], ["a"]) and not CALENDAR_NOUNS.isdisjoint(after[2:4])


def after_site(words: list[str], i: int) -> bool:
    """ "a camp in X", "forward positions at X": a name after a site word is a place."""
    return (
        i >= 2
        and words[i - 1].lower() in {"at", "in", "near"}
        and words[i - 2].lower().removesuffix("s") in NAMED_SITES  # "forward positions at X"
        and words[i].lower() not in NOT_NAMES
    )


def is_quarter(words: list[str], i: int, end: int) -> bool:
    """ "Nairobi's Kangemi area": a name between a possessive and a word for a part of a town."""
    after = words[end].lower() if end < len(words) else ""
    named = after in QUARTER_WORDS or (end - i > 1 and words[end - 1].lower() in QUARTER_WORDS)
    return i > 0 and (words[i - 1] in POSSESSIVE or words[i - 1].endswith(("'s", "’s"))) and named


def unknown_name(words: list[str], proper: list[bool], i: int) -> int | None:
    """The length of a quarter's or region's name the gazetteer lacks, read from the word after it."""
    return unknown_quarter(words, proper, i) or unknown_region(words, proper, i)


def unknown_quarter(words: list[str], proper: list[bool], i: int) -> int | None:
    """The length of a quarter's name the gazetteer lacks ("Nairobi's Kangemi area")."""
    for n in (1, 2, 3):
        if i + n > len(words) or not (words[i + n - 1][:1].isupper() and proper[i + n - 1]):
            return None
        if is_quarter(words, i, i + n):
            return n
    return None


def unknown_region(words: list[str], proper: list[bool], i: int) -> int | None:
    """The length of a name the gazetteer lacks before "province/region/district" ("Oddar Meanchey
    province"): resolution looks it up by spelling among the article's countries' subdivisions.
    """
    for n in (1, 2, 3):
        if i + n >= len(words) or not (words[i + n - 1][:1].isupper() and proper[i + n - 1]):
            return None
        if words[i + n].lower() in REGION_WORDS and words[i + n].lower() != "republic":
            return n
    return None


def unknown_with_parent(words: list[str], proper: list[bool], i: int) -> int | None:
    """The length of a name the gazetteer lacks that reads as a place: after "in/near/at ..." and
    before ", <place>" or "in <place>" ("an attack in Dioura, in the Segou region"). Kept only when
    that parent is found (`_with_parents`).
    """
    if i == 0 or words[i - 1].lower() not in PLACED_AFTER:
        return None
    n = 1
    while (
        i + n < len(words)
        and n < MAX_TOKENS
        and (words[i + n] == "-" or (words[i + n][:1].isupper() and proper[i + n]) or words[i + n - 1] == "-")
    ):
        n += 1
    after = words[i + n : i + n + 4]  # ", in the Segou region"
    if after[:1] in ([","], ["in"]) and any(w[:1].isupper() for w in after[1:]):
        return n
    described = [w.lower() for w in words[i + n : i + n + 11]]  # ", a village 30 km from Mopti"
    if any(apposition(described[:k]) and described[k][:1].isalpha() for k in range(4, len(described))):
        return n
    return None


def apposition(between: list[str]) -> bool:
    """ ", a village about 30 km from", ", a town near": what lies between a place and the one it is near."""
    return (
        len(between) <= 10
        and between[:1] == [","]
        and between[1:2] in (["a"], ["the"])
        and any(w in SETTLEMENT_WORDS for w in between[2:4])
        and "," not in between[1:]
    )
