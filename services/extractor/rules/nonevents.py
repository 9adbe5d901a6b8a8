"""Triggers that read like events and are not.

- Deaths and injuries by accident or disaster: "the canopy collapsed, killing 16", "the quake killed
  3,800", "died in the crash". Nobody attacked anybody.
- Public advisories: "urged residents to stay in shelters", "asked motorists to avoid the area" are
  authorities informing the public, not a request between political actors.
"""

from __future__ import annotations

from spacy.tokens import Token

from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.triggers import Trigger, lemma

CASUALTY_VERBS = frozenset({"kill", "die", "injure", "wound", "hurt", "claim"})


def _is_accident(token: Token, accidents: frozenset[str]) -> bool:
    low = token.lower_
    stems = {lemma(token), low, low[:-1], low[:-2], low[:-3]}  # collapsed, crashes, capsizing
    return bool(stems & accidents)


def _names_accident(token: Token, accidents: frozenset[str]) -> bool:
    if _is_accident(token, accidents):
        return True
    for child in token.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            head = child
        elif child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ == "in"):
            head = next((g for g in child.children if g.dep_ == "pobj"), child)  # "in the crash"
        else:
            continue
        words = [head, *(c for c in head.children if c.dep_ in {"compound", "amod"})]
        if any(_is_accident(w, accidents) for w in words):
            return True
    return False


def accidental(trigger: Trigger) -> bool:
    """A casualty trigger whose cause is an accident or a disaster."""
    token = trigger.token
    if trigger.event_type != "assault" or lemma(token) not in CASUALTY_VERBS:
        return False
    accidents = load_lexicon().cues["accident_words"]
    nodes = [token]
    if token.dep_ in {"advcl", "xcomp", "conj", "acl"}:
        nodes.append(token.head)  # "the canopy collapsed, killing 16"
    return any(_names_accident(node, accidents) for node in nodes)


def advisory(trigger: Trigger) -> bool:
    """A request whose addressee is the general public."""
    if trigger.event_type != "request":
        return False
    addressees = load_lexicon().cues["advisory_addressees"]
    for child in trigger.token.children:
        asked = [child] if child.dep_ in {"dobj", "nsubjpass"} else []
        if child.dep_ == "prep" and child.lower_ == "on":
            asked = [g for g in child.children if g.dep_ == "pobj"]
        if any(lemma(a) in addressees for a in asked):
            return True
    return False
