"""Loads the lexicons of a data directory once (the active one: see datadir.py) and derives the inflected
word forms from them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from schemas import QUANTITY_KINDS
from services.extractor.rules.datadir import DEFAULT_DATA_DIR, data_dir

DATA_DIR = DEFAULT_DATA_DIR  # the shipped tables (build scripts and tests read them by name)
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
    # every word a sense can be read for (a base form or, for adjectives, as written): others are no trigger
    sense_words: frozenset[str] = frozenset()


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


class LexiconError(ValueError):
    """A lexicon file under `data/` is malformed: the message names the file and the entry."""


TRIGGER_KEYS = ("types", "phrases", "object_senses", "prep_senses", "irregular", "modified_nouns")
NO_EVENT = "none"  # a sense that says the word, so used, states no event


def _read_json(folder: Path, name: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    path = folder / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise LexiconError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise LexiconError(f"{path}: expected an object at the top")
    missing = [key for key in required if key not in data]
    if missing:
        raise LexiconError(f"{path}: missing {', '.join(missing)}")
    return data


def _sense(pair: Any, types: set[str], where: str) -> TriggerSense:
    if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
        raise LexiconError(f"triggers.json {where}: expected [type, mode], got {pair!r}")
    if pair[0] not in types and pair[0] != NO_EVENT:
        raise LexiconError(f"triggers.json {where}: unknown event type {pair[0]!r}")
    return TriggerSense(pair[0], pair[1] if pair[1] else None)


QUANTITY_KEYS = ("verbs", "weapon_verbs", "nouns", "noun_heads")
# the sections of quantities.json that map a word to the kind of what it counts
KIND_SECTIONS = ("verbs", "weapon_verbs", "nouns", "noun_heads", "adjectives", "people_verbs")


def _check_kinds(quantity: dict[str, Any]) -> dict[str, Any]:
    """Every kind quantities.json gives is one of the contract's (schemas.QUANTITY_KINDS) or null."""
    for section in KIND_SECTIONS:
        for word, kind in quantity.get(section, {}).items():
            if kind is not None and kind not in QUANTITY_KINDS:
                raise LexiconError(
                    f"quantities.json {section}.{word}: unknown kind {kind!r} (not in schemas.QUANTITY_KINDS)"
                )
    return quantity


def _check_cues(cues: dict[str, Any]) -> dict[str, frozenset[str]]:
    lists = {key: value for key, value in cues.items() if not key.startswith("_")}
    for key, value in lists.items():
        if not (isinstance(value, list) and all(isinstance(w, str) for w in value)):
            raise LexiconError(f"cues.json {key}: expected a list of words")
    return {key: frozenset(value) for key, value in lists.items()}


def load_lexicon() -> Lexicon:
    """The lexicons of the active data directory (read once per directory)."""
    return read_lexicon(data_dir())


@cache
def read_lexicon(folder: Path) -> Lexicon:
    """Every lexicon of `folder`, checked (LexiconError names a malformed entry) and indexed."""
    triggers = _read_json(folder, "triggers.json", TRIGGER_KEYS)
    lex = Lexicon(quantity=_check_kinds(_read_json(folder, "quantities.json", QUANTITY_KEYS)))
    lex.cues = _check_cues(_read_json(folder, "cues.json"))
    forms: set[str] = set()
    phrase_texts: set[str] = set()
    verbs = _read_word_triggers(triggers["types"], lex, forms, phrase_texts)
    verbs |= _read_senses(triggers, lex, forms, phrase_texts)
    verbs |= set(lex.quantity["verbs"]) | set(lex.quantity["weapon_verbs"])
    verbs |= set().union(
        *(
            lex.cues[k]
            for k in ("speech_verbs", "stative_verbs", "purpose_verbs", "experiencer_verbs", "negating_verbs")
        )
    )
    for verb in verbs:
        for form in _verb_forms(verb):
            lex.lemmas.setdefault(form, verb)
            lex.verb_lemmas.setdefault(form, verb)
    lex.lemmas.update(triggers["irregular"])
    lex.verb_lemmas.update(triggers["irregular"])
    forms |= _verb_trigger_forms(lex)
    forms |= {form for form, lemma in lex.lemmas.items() if lemma in lex.quantity["nouns"]}
    lex.trigger_forms = frozenset(forms)
    lex.sense_words = frozenset(
        {w for w, _ in lex.triggers} | set(lex.object_senses) | set(lex.prep_senses) | set(lex.modified_nouns)
    )
    lex.phrase_texts = tuple(sorted(phrase_texts))
    for phrase in lex.phrases:
        lex.phrases_by_first.setdefault(phrase.words[0], []).append(phrase)
    for words, sense in lex.multiword_nouns.items():
        lex.multiword_by_first.setdefault(words[0], []).append((words, sense))
    return lex


def _read_word_triggers(
    types: dict[str, Any], lex: Lexicon, forms: set[str], phrase_texts: set[str]
) -> set[str]:
    """The verbs, nouns and adjectives of each type (`triggers.json` "types"); returns the verbs."""
    verbs: set[str] = set()
    for event_type, classes in types.items():
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
    return verbs


def _read_senses(triggers: dict[str, Any], lex: Lexicon, forms: set[str], phrase_texts: set[str]) -> set[str]:
    """Modified nouns, phrases and the object and preposition senses of verbs; returns those verbs."""
    types = set(triggers["types"])
    for noun, spec in triggers["modified_nouns"].items():
        sense = _sense([spec.get("type"), spec.get("mode")], types, f"modified_nouns.{noun}")
        lex.modified_nouns[noun] = (frozenset(spec["modifiers"]), sense)
        for form in _noun_forms(noun):
            lex.lemmas.setdefault(form, noun)
            forms.add(form)
    for number, phrase in enumerate(triggers["phrases"]):
        sense = _sense([phrase.get("type"), phrase.get("mode")], types, f"phrases[{number}]")
        words = tuple(phrase["words"].split())
        lex.phrases.append(Phrase(words, sense.event_type, phrase.get("mode")))
        phrase_texts.add(phrase["words"])
    for verb, senses in triggers["object_senses"].items():
        lex.object_senses[verb] = {
            obj: _sense(pair, types, f"object_senses.{verb}.{obj}") for obj, pair in senses.items()
        }
    for verb, senses in triggers["prep_senses"].items():
        lex.prep_senses[verb] = {
            prep: _sense(pair, types, f"prep_senses.{verb}.{prep}") for prep, pair in senses.items()
        }
    return set(lex.object_senses) | set(lex.prep_senses)


def _verb_trigger_forms(lex: Lexicon) -> set[str]:
    """Forms of trigger verbs; a verb that only counts with an object or preposition ("send troops",
    "push into") is a form only in `conditional_forms`, with the words it needs."""
    plain_verbs = {w for (w, pos) in lex.triggers if pos == "verbs"}
    forms = {form for form, lemma in lex.verb_lemmas.items() if lemma in plain_verbs}
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
    return forms


def lemma_of(lower: str, is_noun: bool, is_verb: bool = False) -> str:
    """The base form of a lower-case word: from the lexicons, else a rough singular for nouns."""
    return _lemma_in(data_dir(), lower, is_noun, is_verb)


@lru_cache(maxsize=200_000)  # a directory's lexicon never changes once read; about 1,000 calls per article
def _lemma_in(folder: Path, lower: str, is_noun: bool, is_verb: bool) -> str:
    lex = read_lexicon(folder)
    found = lex.verb_lemmas.get(lower) if is_verb else None
    found = found or lex.lemmas.get(lower)
    if found is not None:
        return found
    return singular(lower) if is_noun else lower
