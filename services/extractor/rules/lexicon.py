"""Loads the lexicons under `data/` once per process and derives the inflected word forms from them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent / "data"
POS_CLASSES = ("verbs", "nouns", "adjectives")


@dataclass(frozen=True)
class TriggerSense:
    """One reading of a trigger word: its PLOVER type and mode."""

    event_type: str
    mode: str | None


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]
    event_type: str
    mode: str | None


@dataclass
class Lexicon:
    """Every word list the rules use, keyed for fast lookup."""

    triggers: dict[tuple[str, str], TriggerSense] = field(default_factory=dict)  # (lemma, pos class) -> sense
    multiword_nouns: dict[tuple[str, ...], TriggerSense] = field(default_factory=dict)
    phrases: list[Phrase] = field(default_factory=list)
    phrases_by_first: dict[str, list[Phrase]] = field(default_factory=dict)
    multiword_by_first: dict[str, list[tuple[tuple[str, ...], TriggerSense]]] = field(default_factory=dict)
    object_senses: dict[str, dict[str, TriggerSense]] = field(default_factory=dict)
    prep_senses: dict[str, dict[str, TriggerSense]] = field(default_factory=dict)
    lemmas: dict[str, str] = field(default_factory=dict)  # surface form -> base form (nouns first)
    verb_lemmas: dict[str, str] = field(default_factory=dict)  # surface form -> base form of a verb
    trigger_forms: frozenset[str] = frozenset()  # lower-case single words that may state an event
    phrase_texts: tuple[str, ...] = ()
    conditional_forms: dict[str, frozenset[str]] = field(
        default_factory=dict
    )  # form -> words it needs  # lower-case multi-word triggers, looked for as substrings
    quantity: dict[str, Any] = field(default_factory=dict)
    cues: dict[str, frozenset[str]] = field(default_factory=dict)
    modified_nouns: dict[str, tuple[frozenset[str], TriggerSense]] = field(default_factory=dict)


def _verb_forms(base: str) -> set[str]:
    forms = {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
    if base.endswith("e"):
        forms |= {base[:-1] + "ing", base + "d"}
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
        forms |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    return forms


def _noun_forms(base: str) -> set[str]:
    forms = {base, base + "s", base + "es"}
    if base.endswith("y") and len(base) > 2 and base[-2] not in "aeiou":
        forms.add(base[:-1] + "ies")
    return forms


def singular(word: str) -> str:
    """A rough singular of a lower-case English noun."""
    if word in {"series", "species", "news", "means", "headquarters", "remains", "arms", "forces"}:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def _read_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))
    return data


def _sense(pair: list[Any]) -> TriggerSense:
    return TriggerSense(str(pair[0]), pair[1] if pair[1] else None)


@cache
def load_lexicon() -> Lexicon:
    triggers = _read_json("triggers.json")
    lex = Lexicon(quantity=_read_json("quantities.json"))
    cues = _read_json("cues.json")
    lex.cues = {key: frozenset(value) for key, value in cues.items() if isinstance(value, list)}
    verbs: set[str] = set()
    forms: set[str] = set()
    phrase_texts: set[str] = set()
    for event_type, classes in triggers["types"].items():
        for pos_class in POS_CLASSES:
            for word, mode in classes.get(pos_class, {}).items():
                sense = TriggerSense(event_type, mode)
                words = tuple(word.split())
                if len(words) > 1:
                    lex.multiword_nouns[words] = sense
                    phrase_texts.add(word)
                    continue
                lex.triggers[(word, pos_class)] = sense
                if pos_class == "verbs":
                    verbs.add(word)
                elif pos_class == "nouns":
                    for form in _noun_forms(word):
                        lex.lemmas.setdefault(form, word)
                        forms.add(form)
                else:
                    forms.add(word)
    for noun, spec in triggers["modified_nouns"].items():
        lex.modified_nouns[noun] = (
            frozenset(spec["modifiers"]),
            TriggerSense(spec["type"], spec.get("mode")),
        )
        for form in _noun_forms(noun):
            lex.lemmas.setdefault(form, noun)
            forms.add(form)
    for phrase in triggers["phrases"]:
        words = tuple(phrase["words"].split())
        lex.phrases.append(Phrase(words, phrase["type"], phrase.get("mode")))
        phrase_texts.add(phrase["words"])
    for verb, senses in triggers["object_senses"].items():
        verbs.add(verb)
        lex.object_senses[verb] = {obj: _sense(pair) for obj, pair in senses.items()}
    for verb, senses in triggers["prep_senses"].items():
        verbs.add(verb)
        lex.prep_senses[verb] = {prep: _sense(pair) for prep, pair in senses.items()}
    verbs |= set(lex.quantity["verbs"]) | set(lex.quantity["weapon_verbs"])
    verbs |= set().union(
        *(lex.cues[k] for k in ("speech_verbs", "stative_verbs", "purpose_verbs", "experiencer_verbs"))
    )
    for verb in verbs:
        for form in _verb_forms(verb):
            lex.lemmas.setdefault(form, verb)
            lex.verb_lemmas.setdefault(form, verb)
    lex.lemmas.update(triggers["irregular"])
    lex.verb_lemmas.update(triggers["irregular"])
    plain_verbs = {w for (w, pos) in lex.triggers if pos == "verbs"}
    forms |= {form for form, lemma in lex.verb_lemmas.items() if lemma in plain_verbs}
    # verbs that only count with an object or preposition ("send troops", "push into") need one of those too
    for verb in (set(lex.object_senses) | set(lex.prep_senses)) - plain_verbs:
        needed: set[str] = {p for p in lex.prep_senses.get(verb, {}) if p != "_"}
        for obj in lex.object_senses.get(verb, {}):
            needed |= _noun_forms(obj) if not obj.startswith("_") else set()
        if "_" in lex.prep_senses.get(verb, {}) or "_propn" in lex.object_senses.get(verb, {}):
            needed = set()  # any object will do
        for form, lemma in lex.verb_lemmas.items():
            if lemma == verb:
                if needed:
                    lex.conditional_forms[form] = frozenset(needed)
                else:
                    forms.add(form)
    forms |= {form for form, lemma in lex.lemmas.items() if lemma in lex.quantity["nouns"]}
    lex.trigger_forms = frozenset(forms)
    lex.phrase_texts = tuple(sorted(phrase_texts))
    for phrase in lex.phrases:
        lex.phrases_by_first.setdefault(phrase.words[0], []).append(phrase)
    for words, sense in lex.multiword_nouns.items():
        lex.multiword_by_first.setdefault(words[0], []).append((words, sense))
    return lex


@lru_cache(maxsize=200_000)  # the lexicon never changes once loaded; about 1,000 calls per article
def lemma_of(lower: str, is_noun: bool, is_verb: bool = False) -> str:
    """The base form of a lower-case word: from the lexicons, else a rough singular for nouns."""
    lex = load_lexicon()
    found = lex.verb_lemmas.get(lower) if is_verb else None
    found = found or lex.lemmas.get(lower)
    if found is not None:
        return found
    return singular(lower) if is_noun else lower
