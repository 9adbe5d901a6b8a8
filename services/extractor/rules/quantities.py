"""Counts in a parsed sentence and their kind: "killing one person" -> killed 1 person, "fired 40 missiles" ->
launched 40 missile, "intercept and destroy 552 drones" -> intercepted 552 drone.

The kind comes, in this order, from the verb or noun governing the counted noun (`data/quantities.json`:
kill, injure, fire, intercept, exchange, return, ...), from the counted noun itself (fatalities, injuries,
casualties) or from a predicate adjective ("found dead"). Weapons counted with an attack word are
"launched". Kinds that need people (killed, injured) or weapons (launched, intercepted) check the object.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from services.extractor.rules.actors import ActorEntry, load_actor_table
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.numbers import read_count
from services.extractor.rules.triggers import NOUN_POS, lemma

PEOPLE_KINDS = frozenset({"killed", "injured", "casualties", "displaced", "detained", "captured"})
WEAPON_KINDS = frozenset({"launched", "intercepted"})
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
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


def _counted_noun(doc: Doc, start: int, end: int) -> Token | None:
    number = doc[end - 1]
    if (
        number.head.pos_ in NOUN_POS
        and number.head.i >= end
        and number.dep_ in {"nummod", "quantmod", "amod", "compound"}
    ):
        return number.head
    for k in range(end, min(end + 4, len(doc))):
        if doc[k].pos_ in NOUN_POS:
            return doc[k]
        skippable = doc[k].pos_ in {"ADJ", "DET", "NUM", "PUNCT"} or doc[k].lower_ == "of"
        if not skippable or doc[k].lower_ in {",", "and"}:
            break
    if number.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj"}:
        return number
    return None


def _kind_from_governors(
    counted: Token, obj: str | None, direct: bool = True
) -> tuple[str | None, Token | None]:
    q = load_lexicon().quantity
    weapons = set(q["weapons"])
    for child in counted.children if direct else ():  # "101 drones launched by Russia", "troops deployed"
        if child.dep_ == "acl" and child.tag_ == "VBN":
            kind = q["verbs"].get(lemma(child))
            if kind is not None and _fits(kind, obj):
                return kind, child
    node = counted
    for _ in range(5):
        head = node.head
        if head.i == node.i:
            break
        word = lemma(head)
        if head.pos_ in {"VERB", "AUX", "ADJ"} or (head.pos_ in NOUN_POS and word in q["noun_heads"]):
            if obj in weapons and word in q["weapon_verbs"]:
                return q["weapon_verbs"][word], head
            kind = q["verbs"].get(word) if head.pos_ != "NOUN" else q["noun_heads"].get(word)
            if kind is None and head.pos_ in NOUN_POS:
                kind = q["noun_heads"].get(word)
            if kind is not None and not _fits(kind, obj) and obj in set(q["people"]):
                kind = q["people_verbs"].get(word)
            if kind is not None and _fits(kind, obj):
                return kind, head
            for child in head.children:
                if (
                    child.dep_ in {"acomp", "oprd"}
                    and lemma(child) in q["adjectives"]
                    and q["adjectives"][lemma(child)]
                ):
                    return q["adjectives"][lemma(child)], child
            verb_head = head.pos_ in {"VERB", "AUX"} and head.dep_ != "conj"
            if verb_head and node.dep_ not in {"conj"} and word not in {"be", "have"}:
                return None, head
        if node.dep_ not in SKIP_DEPS and head.pos_ not in {"VERB", "AUX"}:
            break
        node = head
    return None, None


def _not_a_count(text: str, value: int, counted: Token, obj: str | None) -> bool:
    """Durations ("two days of fighting") and years ("the 1994 genocide") are no counts of anything."""
    if obj in TIME_UNITS:
        return True
    q = load_lexicon().quantity
    year_like = 1900 <= value <= 2100 and text.isdigit() and len(text) == 4
    return year_like and (counted.like_num or obj not in set(q["people"]) | set(q["weapons"]))


def _owner(counted: Token) -> str | None:
    """The side counted weapons belong to: "41 Ukrainian drones", "101 drones launched by Russia"."""
    table = load_actor_table().by_alias
    for child in counted.children:
        if child.dep_ == "amod" and (entry := _demonym(child.text)) is not None:
            return entry.country
        if child.dep_ == "acl":
            for agent in (g for g in child.children if g.dep_ == "agent"):
                for name in (g for g in agent.children if g.dep_ == "pobj"):
                    found = table.get(name.lower_)
                    if found is not None and found.kind != "person":
                        return found.country
    return None


def _demonym(word: str) -> ActorEntry | None:
    entry = load_actor_table().by_alias.get(word.lower())
    return entry if entry is not None and entry.kind == "demonym" else None


def _fits(kind: str, obj: str | None) -> bool:
    q = load_lexicon().quantity
    if kind in WEAPON_KINDS:
        return obj in set(q["weapons"])
    if kind in {"killed", "injured"}:
        return obj is None or obj in set(q["people"]) or obj not in set(q["weapons"])
    return True


def find_quantities(doc: Doc, has_assault: bool) -> list[FoundQuantity]:
    q = load_lexicon().quantity
    words = [t.text for t in doc]
    found: list[FoundQuantity] = []
    i = 0
    while i < len(doc):
        token = doc[i]
        if (
            not (token.like_num or token.lower_ in {"dozens", "hundreds", "thousands", "tens", "millions"})
            or token.ent_type_ == "DATE"
            or token.dep_ == "npadvmod"
        ):
            i += 1
            continue
        count = read_count(words, i)
        after = "".join(w.lower() for w in words[i + 1 : i + 5]) if count is not None else ""
        if after.startswith(("-year-old", "year-old", "-years-old", "-month-old", "-day-old")):
            count = None  # an age ("a 65-year-old man"), not a count
        if i > 0 and doc[i - 1].lower_.rstrip(".") in MONTHS:
            count = None  # a date ("March 3"), not a count
        if count is None or (i + 1 < len(doc) and doc[i + 1].lower_ in {"of"} and token.lower_ == "one"):
            i += 1
            continue
        counted = _counted_noun(doc, i, count.end)
        obj = (
            lemma(counted)
            if counted is not None and counted.pos_ in NOUN_POS and not counted.like_num
            else None
        )
        if counted is None or _not_a_count(doc[count.start : count.end].text, count.value, counted, obj):
            i = count.end
            continue
        kind, governor = _kind_from_governors(counted, obj, doc[count.end - 1].head.i == counted.i)
        if kind is None and obj in q["nouns"] and obj is not None:
            kind, governor = q["nouns"][obj], counted
        if kind is None and obj in set(q["weapons"]) and has_assault:
            kind, governor = "launched", counted
        if kind is not None and _fits(kind, obj):
            text = doc[count.start : max(count.end, counted.i + 1)].text
            owner = _owner(counted)
            found.append(
                FoundQuantity(
                    kind, obj, count.value, count.upper, count.approx, text, counted, governor, None, owner
                )
            )
        i = max(count.end, i + 1)
    return found + _single_victims(doc, found)


def _single_victims(doc: Doc, found: list[FoundQuantity]) -> list[FoundQuantity]:
    """'killed a man', 'injured a child': one person, when no number is given for that verb."""
    q = load_lexicon().quantity
    people = set(q["people"])
    governed = {f.governor.i for f in found if f.governor is not None}
    singles: list[FoundQuantity] = []
    text = doc.text.lower()
    if not any(word in text for word in (" a ", " an ", " one ")):
        return singles
    for token in doc:
        kind = q["verbs"].get(lemma(token)) if token.pos_ == "VERB" else None
        if kind not in {"killed", "injured"} or token.i in governed:
            continue
        for child in token.children:
            if (
                child.dep_ in {"dobj", "nsubjpass"}
                and lemma(child) in people
                and child.tag_ == "NN"
                and any(d.lower_ in {"a", "an", "one"} for d in child.children if d.dep_ in {"det", "nummod"})
            ):
                text = doc[min(d.i for d in child.subtree) : child.i + 1].text
                singles.append(FoundQuantity(kind, lemma(child), 1, None, False, text, child, token))
    return singles
