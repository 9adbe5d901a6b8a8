"""Counts in a parsed sentence and their kind: "killing one person" -> killed 1 person, "fired 40 missiles" ->
launched 40 missile, "intercept and destroy 552 drones" -> intercepted 552 drone.

The kind comes, in this order, from the verb or noun governing the counted noun (`data/quantities.json`:
kill, injure, fire, intercept, exchange, return, ...), from the counted noun itself (fatalities, injuries,
casualties) or from a predicate adjective ("found dead"). Weapons counted with an attack word are
"launched". Kinds that need people (killed, injured) or weapons (launched, intercepted) check the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Token

from services.extractor.rules.actors import ActorEntry, load_actor_table
from services.extractor.rules.datadir import data_dir
from services.extractor.rules.lexicon import load_lexicon, read_lexicon
from services.extractor.rules.numbers import read_count
from services.extractor.rules.timex import MONTHS
from services.extractor.rules.tokens import TokenTable, sentence_text, span_text, token_table
from services.extractor.rules.tolls import toll_kind
from services.extractor.rules.triggers import NOUN_POS, lemmas

PEOPLE_KINDS = frozenset({"killed", "injured", "casualties", "displaced", "detained", "captured"})
WEAPON_KINDS = frozenset({"launched", "intercepted"})
TIME_UNITS = frozenset(
    {
        "second",
        "minute",
        "hour",
        "day",
        "night",
        "week",
        "month",
        "year",
        "decade",
        "century",
        "time",
        "round",
    }
)
# "60 km to the west", "a 200-metre stretch": distances and sizes count nothing that happened
MEASURE_UNITS = frozenset(
    {"km", "kilometre", "kilometer", "mile", "metre", "meter", "m", "yard", "foot", "feet", "hectare", "acre"}
)
SKIP_DEPS = frozenset(
    {"prep", "pobj", "conj", "appos", "cc", "npadvmod", "quantmod", "nummod", "amod", "compound"}
)


@dataclass
class FoundQuantity:
    kind: str
    object: str | None
    value: int
    upper: int | None
    approx: bool
    text: str
    counted: Token  # the counted noun (or the number when there is none)
    governor: Token | None  # the word that gave the kind
    claimant: str | None = None  # who gives the number (set per sentence)
    owner: str | None = None  # ISO3 of the side the counted weapons belong to ("41 Ukrainian drones")


COUNT_DEPS = frozenset({"nummod", "quantmod", "amod", "compound"})


def _counted_noun(t: TokenTable, start: int, end: int) -> int | None:
    number = end - 1
    head = t.head[number]
    if (
        t.pos[head] in NOUN_POS
        and head >= end
        and t.dep[number] in {"nummod", "quantmod", "amod", "compound"}
    ):
        return head
    for k in range(end, min(end + 4, len(t))):
        if t.pos[k] in NOUN_POS and not (k == end and t.head[number] == k and t.dep[number] == "nsubj"):
            return k  # (but "as thousands flee", the verb mistagged a noun, counts the thousands)
        skippable = t.pos[k] in {"ADJ", "DET", "NUM", "PUNCT"} or t.lower[k] == "of"
        if not skippable or t.lower[k] in {",", "and"}:
            break
    if t.dep[number] in {"nsubj", "nsubjpass", "dobj", "pobj"}:
        return number
    if end < len(t) and t.head[end] == number and t.dep[end] == "acl":
        return number  # "31 people were killed and 107 injured"
    return None


def _word_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(weapons, people) of quantities.json."""
    return _word_sets_in(data_dir())


@cache
def _word_sets_in(folder: Path) -> tuple[frozenset[str], frozenset[str]]:
    q = read_lexicon(folder).quantity
    return frozenset(q["weapons"]), frozenset(q["people"])


def _participle_kind(t: TokenTable, counted: int, obj: str | None) -> tuple[str, int] | None:
    """ "101 drones launched by Russia", "troops deployed": the kind a participle after the noun gives."""
    verbs = load_lexicon().quantity["verbs"]
    for child in t.children[counted]:
        if t.dep[child] == "acl" and t.tag[child] == "VBN":
            kind = verbs.get(t.lemma[child])
            if kind is not None and _fits(kind, obj):
                return kind, child
    return None


def _adjective_kind(t: TokenTable, head: int) -> tuple[str, int] | None:
    """ "were left dead", "were found wounded": the kind of an adjective completing the verb."""
    adjectives = load_lexicon().quantity["adjectives"]
    for child in t.children[head]:
        if t.dep[child] in {"acomp", "oprd"} and adjectives.get(t.lemma[child]):
            return adjectives[t.lemma[child]], child
    return None


def _kind_from_governors(
    t: TokenTable, counted: int, obj: str | None, direct: bool = True
) -> tuple[str | None, int | None]:
    q = load_lexicon().quantity
    weapons, people = _word_sets()
    lem, pos, dep = t.lemma, t.pos, t.dep
    if direct and (participle := _participle_kind(t, counted, obj)) is not None:
        return participle
    node = counted
    remains = False  # "the bodies of four men were found": the dead counted by their bodies
    placed = False  # "injured in 17 of the country's 47 counties": the counties are where, not who
    for _ in range(5):
        head = t.head[node]
        if head == node:
            break
        word = lem[head]
        placed = placed or (dep[node] == "pobj" and word in PLACE_PREPOSITIONS)
        remains = remains or word in REMAINS
        if (idiom := _idiom_kind(t, head, counted, remains, obj)) is not None:
            return idiom or None, head
        if pos[head] in {"VERB", "AUX", "ADJ"} or (pos[head] in NOUN_POS and word in q["noun_heads"]):
            if obj in weapons and word in q["weapon_verbs"]:
                return q["weapon_verbs"][word], head
            kind = q["verbs"].get(word) if pos[head] != "NOUN" else q["noun_heads"].get(word)
            if kind is None and pos[head] in NOUN_POS:
                kind = q["noun_heads"].get(word)
            if kind is not None and not _fits(kind, obj) and obj in people:
                kind = q["people_verbs"].get(word)
            if (
                kind is not None
                and _fits(kind, obj)
                and not (placed and obj is not None and obj not in people)
            ):
                return kind, head
            if (adjective := _adjective_kind(t, head)) is not None:
                return adjective
            verb_head = pos[head] in {"VERB", "AUX"} and dep[head] != "conj"
            if verb_head and dep[node] not in {"conj"} and word not in {"be", "have"}:
                return None, head
        if dep[node] not in SKIP_DEPS and pos[head] not in {"VERB", "AUX"}:
            break
        node = head
    return None, None


def _idiom_kind(t: TokenTable, head: int, counted: int, remains: bool, obj: str | None) -> str | None:
    """Kinds told by a phrase rather than a verb: "found dead", "set fire to 45 houses"; "" for goods
    seized ("seized 50 rifles"), which count nothing, whatever verb the seizing is joined to."""
    if _told_dead(t, head, counted, remains):
        return "killed"
    if obj in SEIZED_GOODS and t.lemma[head] in CONFISCATING:
        return ""
    if t.lemma[head] == "set" and any(t.lower[c] in SET_ON_FIRE for c in t.children[head]):
        return "destroyed"
    return None


def _not_a_count(text: str, value: int, like_num: bool, obj: str | None) -> bool:
    """Durations ("two days of fighting") and years ("the 1994 genocide") are no counts of anything."""
    if obj in TIME_UNITS or obj in MEASURE_UNITS:
        return True
    weapons, people = _word_sets()
    year_like = 1900 <= value <= 2100 and text.isdigit() and len(text) == 4
    return year_like and (like_num or obj not in people | weapons)


def _owner(t: TokenTable, counted: int) -> str | None:
    """The side counted weapons belong to: "41 Ukrainian drones", "101 drones launched by Russia"."""
    table = load_actor_table().by_alias
    for child in t.children[counted]:
        if t.dep[child] == "amod" and (entry := _demonym(t.text[child])) is not None:
            return entry.country
        if t.dep[child] == "acl":
            for agent in (g for g in t.children[child] if t.dep[g] == "agent"):
                for name in (g for g in t.children[agent] if t.dep[g] == "pobj"):
                    found = table.get(t.lower[name])
                    if found is not None and found.kind != "person":
                        return found.country
    return None


def _demonym(word: str) -> ActorEntry | None:
    entry = load_actor_table().by_alias.get(word.lower())
    return entry if entry is not None and entry.kind == "demonym" else None


PLACE_PREPOSITIONS = frozenset({"in", "at", "across", "throughout", "near", "around"})
REMAINS = frozenset({"body", "corpse", "remains"})
# Things seized from people (weapons, drugs, money): a confiscation's goods, never captives or ground.
SEIZED_GOODS = frozenset(
    {"rifle", "gun", "firearm", "weapon", "arm", "ammunition", "round", "explosive", "drug", "kilogram", "kg",
     "ton", "tonne", "cash", "dollar", "phone"}
)  # fmt: skip
CONFISCATING = frozenset({"seize", "confiscate", "recover", "impound", "find", "discover"})
SET_ON_FIRE = frozenset({"fire", "alight", "ablaze", "afire"})
FOUND_VERBS = frozenset({"find", "discover", "dump"})  # (bodies recovered or received are returned)
SHOT_DEAD = frozenset({"shoot", "gun", "stab", "hack", "beat", "club"})


def _told_dead(t: TokenTable, head: int, counted: int, remains: bool) -> bool:
    """ "the bodies of four men were found", "shot dead six bus drivers": the dead, by other words."""
    word = t.lemma[head]
    if remains and word in FOUND_VERBS:
        return True
    return word in SHOT_DEAD and any(t.lower[c] == "dead" for c in (*t.children[head], *t.children[counted]))


def _fits(kind: str, obj: str | None) -> bool:
    weapons, people = _word_sets()
    if kind in WEAPON_KINDS:
        return obj in weapons
    if kind in {"killed", "injured"}:
        return obj is None or obj in people or obj not in weapons
    if kind == "captured":  # "seized 50 drones" is a confiscation, no count of the captured
        return obj not in weapons
    return True


ONE = frozenset({"a", "an", "one"})
VAGUE_PLURALS = frozenset({"dozens", "hundreds", "thousands", "tens", "millions"})
AGES = ("-year-old", "year-old", "-years-old", "-month-old", "-day-old")


CURRENCY = frozenset({"$", "€", "£", "¥", "us$", "usd", "eur"})
CURRENCY_WORDS = frozenset(
    {"dollar", "dollars", "euro", "euros", "pound", "pounds", "yuan", "rupees", "yen", "rubles", "roubles"}
)


def _in_currency(lower: list[str], end: int) -> bool:
    return end < len(lower) and lower[end] in CURRENCY_WORDS


def find_quantities(doc: Doc, has_assault: bool) -> list[FoundQuantity]:
    q = load_lexicon().quantity
    t = token_table(doc)
    lem, lower = lemmas(t), t.lower
    weapons, _ = _word_sets()
    words = t.text
    found: list[FoundQuantity] = []
    i = 0
    while i < len(t):
        if (
            not (t.like_num[i] or lower[i] in VAGUE_PLURALS)
            or doc[i].ent_type_ == "DATE"
            or t.dep[i] == "npadvmod"
        ):
            i += 1
            continue
        count = read_count(words, i, lower)
        after = "".join(lower[i + 1 : i + 5]) if count is not None else ""
        if after.startswith(AGES):
            count = None  # an age ("a 65-year-old man"), not a count
        if i > 0 and lower[i - 1].rstrip(".") in MONTHS:
            count = None  # a date ("March 3"), not a count
        if i > 0 and (lower[i - 1] in CURRENCY or (count is not None and _in_currency(lower, count.end))):
            count = None  # a sum of money ("$5 million", "100 million yuan"), not a count
        increment = lower[i] == "one" and i + 1 < len(t) and lower[i + 1] in {"of", "more"}
        if count is None or increment:  # "one of them", "one more died": no toll of one
            i += 1
            continue
        counted = _counted_noun(t, i, count.end)
        obj = (
            lem[counted]
            if counted is not None and t.pos[counted] in NOUN_POS and not t.like_num[counted]
            else None
        )
        if counted is None or _not_a_count(
            span_text(t, count.start, count.end), count.value, t.like_num[counted], obj
        ):
            i = count.end
            continue
        kind, governor = toll_kind(t, count.end - 1)  # "taking the toll to 21": no capture of 21
        if kind is None:
            direct = counted in {count.end - 1, t.head[count.end - 1]}
            kind, governor = _kind_from_governors(t, counted, obj, direct)
        if kind is None and obj in q["nouns"] and obj is not None:
            kind, governor = q["nouns"][obj], counted
        if kind is None and obj in weapons and has_assault:
            kind, governor = "launched", counted
        if kind is not None and _fits(kind, obj):
            text = span_text(t, count.start, max(count.end, counted + 1))
            owner = _owner(t, counted)
            found.append(
                FoundQuantity(
                    kind,
                    obj,
                    count.value,
                    count.upper,
                    count.approx,
                    text,
                    doc[counted],
                    None if governor is None else doc[governor],
                    None,
                    owner,
                )
            )
        i = max(count.end, i + 1)
    return found + _single_victims(doc, t, found)


def _leftmost(t: TokenTable, i: int) -> int:
    """The first token of token i's subtree."""
    leftmost, stack = i, [i]
    while stack:
        node = stack.pop()
        leftmost = min(leftmost, node)
        stack.extend(t.children[node])
    return leftmost


def _single_victims(doc: Doc, t: TokenTable, found: list[FoundQuantity]) -> list[FoundQuantity]:
    """'killed a man', 'injured a child': one person, when no number is given for that verb."""
    q = load_lexicon().quantity
    _, people = _word_sets()
    governed = {f.governor.i for f in found if f.governor is not None}
    singles: list[FoundQuantity] = []
    text = sentence_text(doc).lower()
    if not any(word in text for word in (" a ", " an ", " one ")):
        return singles
    lem, dep, lower = t.lemma, t.dep, t.lower
    for i in range(len(t)):
        kind = q["verbs"].get(lem[i]) if t.pos[i] == "VERB" else None
        if kind not in {"killed", "injured"} or i in governed:
            continue
        for child in t.children[i]:
            if (
                dep[child] in {"dobj", "nsubjpass"}
                and lem[child] in people
                and t.tag[child] == "NN"
                and any(
                    lower[d] in {"a", "an", "one"} for d in t.children[child] if dep[d] in {"det", "nummod"}
                )
            ):
                text = span_text(t, _leftmost(t, child), child + 1)
                singles.append(FoundQuantity(kind, lem[child], 1, None, False, text, doc[child], doc[i]))
    return singles
