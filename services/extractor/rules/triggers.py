"""Finds trigger words in a parsed sentence and decides which of them state an event of their own.

A trigger is a verb, noun, adjective or phrase from `data/triggers.json`; some verbs ("send", "return",
"exchange", "push") only count with a given object or preposition. A trigger is *weak* when the text
only mentions it in passing: as background ("amid accusations", "following talks"), as a topic ("the
future of sanctions"), anaphorically ("the attacks", "this meeting"), as the subject of a state verb
("talks remain stagnant"), or as a purpose or condition. Weak triggers only give an event when they
bring their own details (a count, a place, an actor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from services.extractor.rules.lexicon import TriggerSense, lemma_of, load_lexicon

NOUN_POS = frozenset({"NOUN", "PROPN"})
DEMAND_VERBS = frozenset({"reiterate", "conclude", "insist", "demand"})
CLAUSE_DEPS = frozenset({"advcl", "relcl", "acl", "ccomp", "xcomp", "conj", "pcomp"})


@dataclass
class Trigger:
    token: Token
    event_type: str
    mode: str | None
    weak: bool = False
    negated: bool = False
    hypothetical: bool = False
    background: bool = False  # an earlier event named as background ("following talks"): never an event
    absorbed_into: Trigger | None = None
    members: list[Trigger] = field(default_factory=list)

    @property
    def i(self) -> int:
        return int(self.token.i)

    @property
    def anchor(self) -> Token:
        """Where the trigger sits in the clause: a predicate adjective ("deemed X premature") sits
        at its verb.
        """
        if self.token.pos_ == "ADJ" and self.token.head.pos_ not in NOUN_POS:
            return governing_verb(self.token.head) or self.token.head
        if self.token.pos_ in NOUN_POS and self.token.dep_ == "dobj" and self.token.head.pos_ == "VERB":
            return self.token.head  # "made threats against ...", "reiterated its demand that ..."
        return self.token


def lemma(token: Token) -> str:
    return lemma_of(token.lower_, token.pos_ in NOUN_POS, token.pos_ in {"VERB", "AUX"})


def _object_words(token: Token) -> list[str]:
    """Lemmas of a verb's or noun's objects: direct objects, compounds, 'of' objects (one level down)."""
    words: list[str] = []
    for child in token.children:
        if child.dep_ in {"dobj", "nsubjpass", "compound", "attr", "oprd"}:
            words.append(lemma(child))
            if child.pos_ == "PROPN" and child.dep_ == "dobj":
                words.append("_propn")
            words.extend(lemma(c) for c in child.children if c.dep_ in {"compound", "conj"})
            words.extend(
                lemma(g) for p in child.children if p.lower_ == "of" for g in p.children if g.dep_ == "pobj"
            )
        elif child.dep_ == "prep" and child.lower_ == "of":
            words.extend(lemma(g) for g in child.children if g.dep_ == "pobj")
    return words


def _sense_of(token: Token) -> TriggerSense | None:
    lex = load_lexicon()
    word = lemma(token)
    if token.pos_ in {"VERB", "NOUN"} and word in lex.object_senses:
        for obj in _object_words(token):
            sense = lex.object_senses[word].get(obj)
            if sense is not None:
                return sense
    if token.pos_ == "VERB" and word in lex.prep_senses:
        senses = lex.prep_senses[word]
        for child in token.children:
            if child.dep_ in {"prep", "prt"} and child.lower_ in senses:
                return senses[child.lower_]
        if "_" in senses:
            return senses["_"]
    if token.pos_ == "VERB" and token.dep_ != "amod":
        return lex.triggers.get((word, "verbs"))
    if token.pos_ in NOUN_POS and (
        token.dep_ != "compound" or lemma(token.head) in lex.cues["generic_heads"]
    ):
        if word in lex.modified_nouns:
            modifiers = {c.lower_ for c in token.children if c.dep_ in {"amod", "compound"}}
            wanted = lex.modified_nouns[word]
            return wanted[1] if modifiers & wanted[0] else None
        return lex.triggers.get((word, "nouns"))
    if token.pos_ == "ADJ" and token.dep_ in {"acomp", "oprd", "ROOT", "conj", "amod"}:
        return lex.triggers.get((word, "adjectives"))
    return None


def _phrase_triggers(doc: Doc, used: set[int]) -> list[Trigger]:
    lex = load_lexicon()
    lower = [t.lower_ for t in doc]
    found: list[Trigger] = []
    for i, word in enumerate(lower):
        for phrase in lex.phrases_by_first.get(word, ()):
            n = len(phrase.words)
            if tuple(lower[i : i + n]) != phrase.words or any(k in used for k in range(i, i + n)):
                continue
            head = doc[i]
            if doc[i + n - 1].pos_ in NOUN_POS and head.pos_ in NOUN_POS | {"ADJ"}:
                head = doc[i + n - 1]  # "hunger strike": the noun phrase's head
            elif head.pos_ not in {"VERB", "NOUN"}:
                head = governing_verb(doc[i]) or doc[i]
            used.update(range(i, i + n))
            used.add(head.i)
            found.append(Trigger(head, phrase.event_type, phrase.mode))
    for i, word in enumerate(lower):
        for words, sense in lex.multiword_by_first.get(word, ()):
            n = len(words)
            if i + n > len(doc) or any(k in used for k in range(i, i + n)):
                continue
            if tuple(lower[i : i + n]) == words or tuple(lemma(t) for t in doc[i : i + n]) == words:
                used.update(range(i, i + n))
                found.append(Trigger(doc[i + n - 1], sense.event_type, sense.mode))
    return found


def find_triggers(doc: Doc) -> list[Trigger]:
    used: set[int] = set()
    triggers = _phrase_triggers(doc, used)
    speech = load_lexicon().cues["speech_verbs"] | DEMAND_VERBS
    for token in doc:
        if token.i in used:
            continue
        sense = _sense_of(token)
        if sense is not None:
            triggers.append(Trigger(token, sense.event_type, sense.mode))
        elif (  # "X said that Y must do Z": a demand even when Z is no trigger word
            token.pos_ == "VERB"
            and token.dep_ in {"ccomp", "conj"}
            and any(c.dep_ == "aux" and c.lower_ in {"must", "should"} for c in token.children)
            and lemma(token.head) in speech
        ):
            triggers.append(Trigger(token, "request", None))
    for trigger in triggers:
        _mark(trigger)
    return sorted(triggers, key=lambda t: t.i)


def governing_verb(token: Token) -> Token | None:
    """The nearest verb at or above a token."""
    current = token
    for _ in range(8):
        if current.pos_ in {"VERB", "AUX"}:
            return current
        if current.head.i == current.i:
            return None
        current = current.head
    return None


def _mark(trigger: Trigger) -> None:
    cues = load_lexicon().cues
    token = trigger.token
    determiners = {c.lower_ for c in token.children if c.dep_ in {"det", "poss"} or c.lower_ == "such"}
    trigger.negated = any(c.dep_ == "neg" or c.lower_ in {"no", "never"} for c in token.children)
    anaphoric = token.pos_ in NOUN_POS and bool(determiners & cues["anaphoric_determiners"])
    new_event = any(c.lower_ in cues["new_event_words"] for c in token.children)
    weak = anaphoric and not new_event
    hops = 0
    node = token
    while node.head.i != node.i and hops < 10:
        parent = node.head
        if node.dep_ == "pobj" and parent.lower_ in cues["background_preps"]:
            weak = True
            trigger.background = trigger.background or parent.lower_ in cues["prior_preps"]
        if (
            node.dep_ in {"pobj"}
            and parent.lower_ in {"of", "about", "on", "regarding"}
            and parent.head.pos_ in NOUN_POS
            and hops <= 1
            and token.pos_ in NOUN_POS
            and lemma(parent.head) not in cues["quantifier_nouns"]
        ):
            weak = True
        if node.dep_ == "relcl":
            weak = True
        if node.dep_ in {"advcl", "acl", "relcl"} and any(
            c.dep_ == "mark" and c.lower_ in cues["background_marks"] for c in node.children
        ):
            weak = True
        if node.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in cues["conditional_marks"] for c in node.children
        ):
            weak = trigger.hypothetical = True
        if node.dep_ in {"nsubj", "nsubjpass"} and lemma(parent) in cues["stative_verbs"]:
            weak = True
        if node.dep_ == "xcomp" and lemma(parent) in cues["purpose_verbs"]:
            trigger.hypothetical = True
            weak = weak or lemma(parent) not in cues["future_verbs"]
        if parent.pos_ in {"VERB", "AUX"} and any(c.dep_ == "neg" for c in parent.children) and hops == 0:
            trigger.negated = True
        if node.dep_ in CLAUSE_DEPS and hops > 0:
            break
        node = parent
        hops += 1
    for ancestor in [token, *list(token.ancestors)[:5]]:
        if any(c.dep_ == "aux" and c.lower_ in {"may", "might", "could"} for c in ancestor.children):
            trigger.hypothetical = True
            trigger.background = True  # speculation ("talks may prove crucial") is no event without counts
    trigger.weak = weak
