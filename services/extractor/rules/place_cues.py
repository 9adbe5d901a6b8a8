"""What the words around a place say about it: where an event was announced rather than where it happened
("officials in Kyiv said"), a definite site that refers back to the story's place ("in the city",
"outside the embassy"), and the PLOVER type the lexicon gives an event word.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from services.extractor.rules.datadir import data_dir
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.tokens import token_table
from services.extractor.rules.triggers import lemma

PHYSICAL = frozenset({"assault", "coerce", "protest", "mobilize"})
# Words of speaking: a place below them, and not below the event, is where the event was announced
SPEAKING = frozenset({"speak", "speaking", "spoke", "statement", "conference", "briefing", "interview"})
ADDRESSED = frozenset({"accuse", "reject", "threaten", "request", "support"})  # acts aimed at a party


def sense_type(token: Token) -> str | None:
    """The PLOVER type the lexicon gives a word ("accusing" -> accuse), if any."""
    pos = "verbs" if token.pos_ in {"VERB", "AUX"} else "nouns"
    sense = load_lexicon().triggers.get((lemma(token), pos))
    return sense.event_type if sense is not None else None


SPEAKERS = frozenset({"officials", "reporters", "journalists"})


def _speakers(node: Token, speech: frozenset[str]) -> bool:
    """ "officials in Kyiv said", "told reporters in Brussels" (not "police beat journalists in Tbilisi")."""
    if node.lower_ not in SPEAKERS:
        return False
    head = node.head.head if node.head.lower_ == "to" else node.head
    return lemma(head) in speech or lemma(head) == "speak"


# "Paris police", "a Moscow court", "Kyiv authorities": the place names the body, not the event's place
BODIES = frozenset({"police", "prosecutor", "prosecutors", "authorities", "mayor", "governor"})


def in_a_name(doc: Doc | Span, end: int) -> bool:
    """Whether the place ending before token `end` names the body a noun phrase is about ("Paris
    police arrested 40 people"): such a place is only a last resort for the event's place."""
    token = doc[end - 1]
    return token.dep_ == "compound" and token.head.lower_ in BODIES and token.head.i == token.i + 1


def where_said(token: Token, targets: set[int]) -> bool:
    """Whether a place tells where a fight, arrest or protest was announced, not where it happened:
    "Officials in Kyiv said missiles killed five", "the army said in a statement issued in Bamako",
    "speaking to reporters in Brussels". Only the words the place's phrase hangs on are read: the first
    verb up the tree (but for one that describes a noun, "issued") ends the search.
    """
    speech = load_lexicon().cues["speech_verbs"]
    node = token
    for _ in range(6):
        if node.i in targets:
            return False
        if node.lower_ in SPEAKING or lemma(node) in SPEAKING or _speakers(node, speech):
            return True
        if node.pos_ in {"VERB", "AUX"} and node is not token:
            if lemma(node) in speech:  # not "reported 20 arrests in Tbilisi": the event is its object
                return not any(c.i in targets and c.dep_ in {"dobj", "attr"} for c in node.children)
            if node.dep_ not in {"acl", "relcl"}:
                return False
        if node.head.i == node.i:
            return False
        node = node.head
    return False


def site_nouns() -> frozenset[str]:
    """`site_nouns.txt`: nouns of definite sites ("in the city", "outside the embassy")."""
    return _site_nouns_in(data_dir())


@cache
def _site_nouns_in(folder: Path) -> frozenset[str]:
    lines = (folder / "site_nouns.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def refers_to_a_site(doc: Doc | Span) -> bool:
    """Whether the sentence places something at a definite site ("in the city", "outside the embassy",
    "reinforcing the area"; not what one speaks to: "told parliament").
    """
    nouns = site_nouns()
    if isinstance(doc, Doc) and nouns.isdisjoint(token_table(doc).lower):
        return False  # (read per event of the sentence: the word check alone settles most sentences)
    speech = load_lexicon().cues["speech_verbs"]
    for token in doc:
        if (
            token.lower_ in nouns
            and (
                (token.dep_ == "dobj" and lemma(token.head) not in speech)
                or (token.dep_ == "pobj" and token.head.pos_ == "ADP")
            )
            and (
                (token.lower_ in BARE_SITES and token.dep_ == "pobj")
                or any(_definite(c) for c in token.children)
            )
        ):
            return True
    return False


BARE_SITES = frozenset({"parliament"})  # "outside parliament": a site without an article


def _definite(child: Token) -> bool:
    """ "the" (or "this", "that"), or a possessor that has one: "the complex's main building"."""
    if child.dep_ == "det":
        return child.lower_ in {"the", "this", "that"}
    return child.dep_ == "poss" and any(_definite(c) for c in child.children)
