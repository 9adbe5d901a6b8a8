"""Tolls told as a figure that moves: "the death toll rose to 34", "the number of injured stood at 117",
"taking the toll to 21", "police raised the number held to 79".

The number is the object of "to"/"at" under a verb of change or level (rise, climb, reach, stand, take,
raise, ...) whose subject or object is a toll word; the kind comes from that word and its modifiers.
"""

from __future__ import annotations

from services.extractor.rules.tokens import TokenTable

LEVEL_VERBS = frozenset(
    {"rise", "climb", "reach", "increase", "jump", "grow", "stand", "hit", "take", "bring", "raise", "put"}
)
LEVEL_FORMS = {
    "rose": "rise",
    "risen": "rise",
    "grew": "grow",
    "grown": "grow",
    "stood": "stand",
    "took": "take",
    "taken": "take",
    "brought": "bring",
    "put": "put",
    "hit": "hit",
}
TOLL_NOUNS = frozenset({"toll", "number", "count", "tally", "figure"})
KIND_WORDS = {
    "death": "killed",
    "dead": "killed",
    "killed": "killed",
    "fatality": "killed",
    "fatalities": "killed",
    "injured": "injured",
    "wounded": "injured",
    "injury": "injured",
    "injuries": "injured",
    "casualty": "casualties",
    "casualties": "casualties",
    "held": "detained",
    "detained": "detained",
    "arrested": "detained",
    "detainees": "detained",
    "arrests": "detained",
    "displaced": "displaced",
}


def _base(word: str) -> str:
    if word in LEVEL_FORMS:
        return LEVEL_FORMS[word]
    for suffix in ("ing", "ed", "es", "s"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and (stem in LEVEL_VERBS or stem + "e" in LEVEL_VERBS):
            return stem if stem in LEVEL_VERBS else stem + "e"
    return word


def _kind_of_toll(t: TokenTable, noun: int) -> str | None:
    words = [t.lower[c] for c in t.children[noun] if t.dep[c] in {"compound", "amod", "acl"}]
    for prep in (c for c in t.children[noun] if t.lower[c] == "of"):
        words.extend(t.lower[g] for g in t.children[prep] if t.dep[g] == "pobj")
    for word in words:
        if word in KIND_WORDS:
            return KIND_WORDS[word]
    return "killed" if t.lower[noun] == "toll" else None


def toll_kind(t: TokenTable, number: int) -> tuple[str | None, int | None]:
    """(kind, the toll noun) when the number at token `number` is the level a toll reached."""
    prep = t.head[number]
    if prep == number or t.lower[prep] not in {"to", "at"} or t.dep[number] != "pobj":
        return None, None
    verb = t.head[prep]
    if _base(t.lower[verb]) not in LEVEL_VERBS:
        return None, None
    for child in t.children[verb]:
        if t.dep[child] in {"nsubj", "nsubjpass", "dobj"} and t.lower[child].rstrip("s") in TOLL_NOUNS:
            kind = _kind_of_toll(t, child)
            if kind is not None:
                return kind, child
    return None, None
