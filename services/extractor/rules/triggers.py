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

from services.extractor.rules.lexicon import NO_EVENT, TriggerSense, lemma_of, load_lexicon
from services.extractor.rules.tokens import TokenTable, token_table

NOUN_POS = frozenset({"NOUN", "PROPN"})
VERB_POS = frozenset({"VERB", "AUX"})
DEMAND_VERBS = frozenset({"reiterate", "conclude", "insist", "demand"})
CLAUSE_DEPS = frozenset({"advcl", "relcl", "acl", "ccomp", "xcomp", "conj", "pcomp"})
AMOUNT_NOUNS = frozenset({"million", "billion", "trillion", "$", "dollar", "euro", "pound", "ton", "tonne"})


@dataclass
class Trigger:
    token: Token
    event_type: str
    mode: str | None
    weak: bool = False
    negated: bool = False
    hypothetical: bool = False
    background: bool = False  # an earlier event named as background ("following talks"): never an event
    content: bool = False  # what a denial or a demand is about ("denied attacking", "demanded he release")
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
    known = token_table(token.doc).lemma  # filled by `lemmas` (find_triggers) for the sentence's tokens
    if known:
        return known[token.i]
    pos = token.pos_
    return lemma_of(token.lower_, pos in NOUN_POS, pos in VERB_POS)


def lemmas(table: TokenTable) -> list[str]:
    """The base form of every token of a sentence (as `lemma` gives it), computed once."""
    if len(table.lemma) != len(table):
        table.lemma[:] = [
            lemma_of(low, pos in NOUN_POS, pos in VERB_POS)
            for low, pos in zip(table.lower, table.pos, strict=True)
        ]
    return table.lemma


def _object_words(t: TokenTable, i: int) -> list[str]:
    """Lemmas of a verb's or noun's objects: direct objects, compounds, 'of' objects (one level down)."""
    lem, dep, lower, children = t.lemma, t.dep, t.lower, t.children
    words: list[str] = []
    if dep[i] == "acl" and t.tag[i] == "VBN":
        words.append(lem[t.head[i]])  # "footage released by the army", "weapons supplied by Iran"
    for child in children[i]:
        if dep[child] in {"dobj", "nsubjpass", "compound", "attr", "oprd"}:
            words.append(lem[child])
            for acl in (c for c in children[child] if dep[c] == "acl"):  # "ships carrying 40 tonnes of aid"
                for held in (c for c in children[acl] if dep[c] == "dobj"):
                    words.append(lem[held])
                    words.extend(
                        lem[g]
                        for p in children[held]
                        if lower[p] == "of"
                        for g in children[p]
                        if dep[g] == "pobj"
                    )
            if t.pos[child] == "PROPN" and dep[child] == "dobj":
                words.append("_propn")
            words.extend(lem[c] for c in children[child] if dep[c] in {"compound", "conj"})
            preps = {"of", "in"} if lem[child] in AMOUNT_NOUNS else {"of"}  # "$2 billion in aid"
            words.extend(
                lem[g] for p in children[child] if lower[p] in preps for g in children[p] if dep[g] == "pobj"
            )
        elif dep[child] == "prep" and lower[child] in {"of", "with"}:  # "supply Kyiv with missiles"
            words.extend(lem[g] for g in children[child] if dep[g] == "pobj")
    return words


def _sense_of(t: TokenTable, i: int) -> TriggerSense | None:
    lex = load_lexicon()
    word, pos, dep = t.lemma[i], t.pos[i], t.dep[i]
    # read once: the object senses and the routine check both need them
    objects = _object_words(t, i) if pos in {"VERB", "NOUN"} and word in lex.object_senses else None
    decided, sense = _conditioned_sense(t, i, objects)
    if decided:
        return sense
    between = 0 < i < len(t) - 1 and t.pos[i - 1] in {"NUM", "DET"} and t.pos[i + 1] in NOUN_POS | {"ADJ"}
    if pos == "VERB" and t.tag[i] == "VBN" and between:
        return None  # "31 wounded Ukrainian prisoners", "the injured soldiers": an adjective
    if pos == "VERB" and dep != "amod":
        return _verb_sense(t, i, objects)
    if word == "march" and t.text[i] == "March" and i > 0:
        return None  # the month ("on March 28", "since March"), not a protest march
    if pos in NOUN_POS and (dep != "compound" or t.lemma[t.head[i]] in lex.cues["generic_heads"]):
        return _noun_sense(t, i)
    if pos == "ADJ" and dep in {"acomp", "oprd", "ROOT", "conj", "amod"}:
        return lex.triggers.get((word, "adjectives"))
    return None


def _conditioned_sense(t: TokenTable, i: int, objects: list[str] | None) -> tuple[bool, TriggerSense | None]:
    """(whether an object or a preposition decides the word's sense, that sense or None for no event)."""
    lex = load_lexicon()
    word, pos = t.lemma[i], t.pos[i]
    by_object = [found for obj in objects or () if (found := lex.object_senses[word].get(obj)) is not None]
    if by_object:  # aid carried is aid, whatever carries it ("sent two navy ships carrying 40 tonnes of aid")
        sense = next((found for found in by_object if found.event_type == "aid"), by_object[0])
        return True, None if sense.event_type == NO_EVENT else sense  # "released a statement"
    if pos == "VERB" and word in lex.prep_senses:
        senses = lex.prep_senses[word]
        for child in t.children[i]:
            if t.dep[child] in {"prep", "prt"} and t.lower[child] in senses:
                found = senses[t.lower[child]]
                return True, None if found.event_type == NO_EVENT else found  # "signed with the Angels"
        if "_" in senses:
            return True, senses["_"]
    return False, None


def _verb_sense(t: TokenTable, i: int, objects: list[str] | None) -> TriggerSense | None:
    lex = load_lexicon()
    if t.tag[i] == "VBN" and (t.lower[i], "adjectives") in lex.triggers:
        return lex.triggers[(t.lower[i], "adjectives")]  # "was deeply alarmed by the attack"
    sense = lex.triggers.get((t.lemma[i], "verbs"))
    if sense is not None and sense.event_type == "sanction":
        objects = _object_words(t, i) if objects is None else objects
        if set(objects) & lex.cues["routine_objects"]:
            return None  # "the court suspended hearings", "suspended classes"
    return sense


def _noun_sense(t: TokenTable, i: int) -> TriggerSense | None:
    lex = load_lexicon()
    word = t.lemma[i]
    if word in lex.modified_nouns:
        modifiers = {t.lower[c] for c in t.children[i] if t.dep[c] in {"amod", "compound", "poss"}}
        wanted = lex.modified_nouns[word]
        if modifiers & wanted[0] or _struck_by_workers(t, i):
            return wanted[1]  # "military action", "a nationwide strike", "doctors began a strike"
    return lex.triggers.get((word, "nouns"))


def _struck_by_workers(t: TokenTable, i: int) -> bool:
    """ "Doctors began a strike", "teachers have been on a strike": a labour strike, not an attack."""
    if t.lemma[i] != "strike":
        return False
    verb = t.head[i] if t.dep[i] in {"dobj", "pobj"} else i
    if t.dep[i] == "pobj" and t.pos[t.head[verb]] in VERB_POS:
        verb = t.head[verb]  # "joined ... in a strike", "are on strike"
    cues = load_lexicon().cues
    if t.lemma[verb] in cues["speech_verbs"]:
        return False  # "the general staff confirms a strike on the plant"
    strikers = cues["striker_nouns"]
    return any(t.dep[c] == "nsubj" and t.lemma[c] in strikers for c in t.children[verb])


def _phrase_triggers(doc: Doc, t: TokenTable, used: set[int]) -> list[Trigger]:
    lex = load_lexicon()
    lower, pos = t.lower, t.pos
    found: list[Trigger] = []
    for i, word in enumerate(lower):
        for phrase in lex.phrases_by_first.get(word, ()):
            n = len(phrase.words)
            if tuple(lower[i : i + n]) != phrase.words or any(k in used for k in range(i, i + n)):
                continue
            head = i
            if pos[i + n - 1] in NOUN_POS and pos[i] in NOUN_POS | {"ADJ"}:
                head = i + n - 1  # "hunger strike": the noun phrase's head
            elif pos[i] not in {"VERB", "NOUN"}:
                verb = _governing_verb(t, i)
                head = i if verb is None else verb
            used.update(range(i, i + n))
            if phrase.event_type == NO_EVENT:
                continue  # "in order to", "executive order", "law and order": the words state nothing
            used.add(head)
            found.append(Trigger(doc[head], phrase.event_type, phrase.mode))
    for i, word in enumerate(lower):
        for words, sense in lex.multiword_by_first.get(word, ()):
            n = len(words)
            if i + n > len(t) or any(k in used for k in range(i, i + n)):
                continue
            if tuple(lower[i : i + n]) == words or tuple(t.lemma[i : i + n]) == words:
                used.update(range(i, i + n))
                found.append(Trigger(doc[i + n - 1], sense.event_type, sense.mode))
    return found


def find_triggers(doc: Doc) -> list[Trigger]:
    t = token_table(doc)
    lemmas(t)
    used: set[int] = set()
    triggers = _phrase_triggers(doc, t, used)
    speech = load_lexicon().cues["speech_verbs"] | DEMAND_VERBS
    known = load_lexicon().sense_words
    for i in range(len(t)):
        if i in used:
            continue
        sense = _sense_of(t, i) if t.lemma[i] in known or t.lower[i] in known else None
        if sense is not None:
            triggers.append(Trigger(doc[i], sense.event_type, sense.mode))
        elif (  # "X said that Y must do Z": a demand even when Z is no trigger word
            t.pos[i] == "VERB"
            and t.dep[i] in {"ccomp", "conj"}
            and any(t.dep[c] == "aux" and t.lower[c] in {"must", "should"} for c in t.children[i])
            and t.lemma[t.head[i]] in speech
        ):
            triggers.append(Trigger(doc[i], "request", None))
    for trigger in triggers:
        _mark(trigger, t)
    return sorted(triggers, key=lambda trigger: trigger.i)


def governing_verb(token: Token) -> Token | None:
    """The nearest verb at or above a token."""
    found = _governing_verb(token_table(token.doc), token.i)
    return None if found is None else token.doc[found]


def _governing_verb(t: TokenTable, i: int) -> int | None:
    current = i
    for _ in range(8):
        if t.pos[current] in VERB_POS:
            return current
        if t.head[current] == current:
            return None
        current = t.head[current]
    return None


def _ancestors(t: TokenTable, i: int) -> list[int]:
    """The heads above token i, nearest first (as `Token.ancestors`)."""
    found: list[int] = []
    while t.head[i] != i and len(found) < len(t):
        i = t.head[i]
        found.append(i)
    return found


def _weak_below(trigger: Trigger, t: TokenTable, node: int, hops: int) -> bool:
    """Whether the link from `node` (the trigger or one of its heads, `hops` up) to its head makes the
    trigger weak: background, a topic, a relative or conditional clause, a state, a purpose; marks the
    trigger background or hypothetical on the way."""
    cues = load_lexicon().cues
    lower, dep, pos, lem, head, children = t.lower, t.dep, t.pos, t.lemma, t.head, t.children
    parent = head[node]
    weak = False
    if dep[node] == "pobj" and lower[parent] in cues["background_preps"]:
        weak = True
        trigger.background = trigger.background or lower[parent] in cues["prior_preps"]
    if dep[node] == "pobj" and lower[parent] == "to" and lem[head[parent]] in cues["answer_nouns"]:
        weak = trigger.background = True  # "in response to weeks of attacks": what came before
    if (
        dep[node] in {"pobj"}
        and lower[parent] in {"of", "about", "on", "regarding"}
        and pos[head[parent]] in NOUN_POS
        and hops <= 1
        and pos[trigger.i] in NOUN_POS
        and lem[head[parent]] not in cues["quantifier_nouns"]
    ):
        weak = True
    if dep[node] == "relcl":
        weak = True
    if dep[node] in {"advcl", "acl", "relcl"} and any(
        dep[c] == "mark" and lower[c] in cues["background_marks"] for c in children[node]
    ):
        weak = True
    if dep[node] == "advcl" and any(
        dep[c] == "mark" and lower[c] in cues["conditional_marks"] for c in children[node]
    ):
        weak = trigger.hypothetical = True
    if dep[node] in {"nsubj", "nsubjpass"} and lem[parent] in cues["stative_verbs"]:
        weak = True
    if (dep[node] == "acl" and lower[parent] == "order") or (
        dep[node] in {"advcl", "xcomp"} and any(lower[c] == "order" for c in children[node])
    ):
        weak = trigger.hypothetical = True  # "cut taxes in order to calm protests": a purpose
    if dep[node] == "xcomp" and lem[parent] in cues["purpose_verbs"]:
        trigger.hypothetical = True
        weak = weak or lem[parent] not in cues["future_verbs"]
    return weak


def _mark(trigger: Trigger, t: TokenTable) -> None:
    cues = load_lexicon().cues
    lower, dep, pos, head, children = t.lower, t.dep, t.pos, t.head, t.children
    token = trigger.i
    determiners = {lower[c] for c in children[token] if dep[c] in {"det", "poss"} or lower[c] == "such"}
    trigger.negated = any(dep[c] == "neg" or lower[c] in {"no", "never"} for c in children[token]) or any(
        dep[c] == "nsubj" and any(lower[g] == "no" for g in children[c]) for c in children[token]
    )  # "no officers had entered the town"
    anaphoric = pos[token] in NOUN_POS and bool(determiners & cues["anaphoric_determiners"])
    new_event = any(lower[c] in cues["new_event_words"] for c in children[token])
    weak = anaphoric and not new_event
    hops = 0
    node = token
    while head[node] != node and hops < 10:
        parent = head[node]
        weak = _weak_below(trigger, t, node, hops) or weak
        direct = hops == 0 or (hops == 1 and dep[node] == "prep")  # "did not subscribe to sanctions"
        if pos[parent] in VERB_POS and any(dep[c] == "neg" for c in children[parent]) and direct:
            trigger.negated = True
        if dep[node] in CLAUSE_DEPS and hops > 0:
            break
        node = parent
        hops += 1
    for ancestor in [token, *_ancestors(t, token)[:5]]:
        if any(dep[c] == "aux" and lower[c] in {"may", "might", "could"} for c in children[ancestor]):
            trigger.hypothetical = True
            trigger.background = True  # speculation ("talks may prove crucial") is no event without counts
    trigger.weak = weak
