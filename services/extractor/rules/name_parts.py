"""Place names that are part of a person's name: "said Mohammed Ali al-Houthi" names no town of Ali.

The gazetteer holds towns named like first and family names (Ali, Hassan, Victoria, Jackson); find_places
skips a place followed by a capitalized word ("Vladimir Putin"). This drops one that follows a first name:
a capitalized word that is not a place, a country's word, a title or a word that may precede a place.
"""

from __future__ import annotations

from services.extractor.rules.actors import OFFICES, load_actor_table, lookup_alias
from services.extractor.rules.place_words import NOT_NAMES
from services.extractor.rules.places import PlaceMention, fold, load_gazetteer

# capitalized words that may stand before a place name: "Mount Sinjar", "Greater Khartoum"
PLACE_PREFIXES = frozenset({"mount", "lake", "greater", "upper", "lower", "new", "old", "north", "south"})


def _after_a_first_name(words: list[str], proper: list[bool], mention: PlaceMention, before: int) -> bool:
    i = mention.start
    if i >= 1 and words[i - 1].lower() in OFFICES:
        return True  # "Istanbul mayor Imamoglu": an office, then the holder's name
    if i == 0 or before == i or not (words[i - 1][:1].isupper() and proper[i - 1]) or words[i - 1].isupper():
        return False
    word = fold(words[i - 1])
    if i >= 2 and words[i - 2].lower() in load_actor_table().titles:
        return True  # "Defense Secretary Lloyd Austin": a title, a first name, then the family name
    known = lookup_alias(words, i - 1)
    if known is not None and known[0].kind == "person" and known[1] > 1:
        return True  # "Prime Minister Ehud Barak": the place is the known person's family name
    return not (
        word in NOT_NAMES
        or word in PLACE_PREFIXES
        or word in load_actor_table().titles
        or known is not None
        or load_gazetteer().by_alias.get(word)
    )


def without_name_parts(
    words: list[str], proper: list[bool], mentions: list[PlaceMention]
) -> list[PlaceMention]:
    """The mentions but those of towns read inside a person's name; countries and places the words
    call a place ("the town of X", "X region") stay."""
    kept: list[PlaceMention] = []
    end_before = -1
    for mention in mentions:
        named = any(p.kind == "country" for p in mention.candidates) or mention.settlement or mention.region
        if named or not mention.candidates or not _after_a_first_name(words, proper, mention, end_before):
            kept.append(mention)
        end_before = mention.end
    return kept
