"""Triggers that read like events and are not.

- Deaths and injuries by accident or disaster: "the canopy collapsed, killing 16", "the quake killed
  3,800", "died in the crash". Nobody attacked anybody.
- Public advisories: "urged residents to stay in shelters", "asked motorists to avoid the area" are
  authorities informing the public, not a request between political actors.
- Asking for comment or seeking refuge: "did not respond to requests for comment", "sought refuge in
  the town" ask nothing of a political actor.
- Forecasts: "warned that the unrest could hurt trade", "warned that further attacks could force
  blackouts" say what may happen, not what the speaker will do (a threat: "warned that the armed forces
  could be deployed", "warned it would respond"); and whatever analysts, experts or observers say of the
  future is commentary ("Analysts said the group appeared determined to seize ...").
"""

from __future__ import annotations

from spacy.tokens import Token

from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.tokens import token_table
from services.extractor.rules.triggers import Trigger, lemma, lemmas

CASUALTY_VERBS = frozenset({"kill", "die", "injure", "wound", "hurt", "claim"})
COMMENTATORS = frozenset(
    {
        "analyst",
        "expert",
        "observer",
        "economist",
        "commentator",
        "researcher",
        "scholar",
        "pundit",
        "forecaster",
    }
)
POSSIBILITY = frozenset({"could", "may", "might"})
ROUTINE_ASKS = frozenset({"comment", "refuge", "shelter", "safety", "cover", "treatment", "care"})
SPEAKERS_OWN = frozenset({"it", "we", "they", "he", "she", "i"})
# whose doings a state's or a group's spokesperson may threaten: its own forces
OWN_FORCES = frozenset(
    {"force", "army", "military", "troop", "soldier", "police", "government", "authority", "navy", "fighter"}
)


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
        elif child.dep_ == "advcl":  # "killed ... after the quake struck near Sagaing"
            head = next((g for g in child.children if g.dep_ in {"nsubj", "nsubjpass"}), child)
        else:
            continue
        words = [head, *(c for c in head.children if c.dep_ in {"compound", "amod"})]
        if any(_is_accident(w, accidents) for w in words):
            return True
    return False


def accidental(trigger: Trigger) -> bool:
    """A casualty trigger whose cause is an accident or a disaster."""
    token = trigger.token
    toll_word = token.like_num or token.lower_ in {"dead", "injured", "wounded", "hurt"}
    if trigger.event_type != "assault" or (lemma(token) not in CASUALTY_VERBS and not toll_word):
        return False
    accidents = load_lexicon().cues["accident_words"]
    nodes = [token]
    if token.dep_ in {"advcl", "xcomp", "conj", "acl"}:
        nodes.append(token.head)  # "the canopy collapsed, killing 16"
    if any(_names_accident(node, accidents) for node in nodes):
        return True
    # "3,085 people had been killed ... after the quake struck near Sagaing": a passive toll whose
    # sentence tells of a disaster striking (the parser may hang it elsewhere) and of nobody attacking
    passive = not any(c.dep_ == "nsubj" and not c.like_num for c in token.children)  # "4,715 injured"
    return passive and any(
        t.dep_ in {"nsubj", "nsubjpass"} and t.head.pos_ == "VERB" and _is_accident(t, accidents)
        for t in token.sent
    )


def _declines_comment(token: Token) -> bool:
    """ "declined to comment", "declined requests for comment", "refused to comment"."""
    for child in token.children:
        if child.dep_ == "xcomp" and lemma(child) == "comment":
            return True
        if child.dep_ == "dobj" and any(
            g.lower_ == "for" and any(lemma(p) == "comment" for p in g.children) for g in child.children
        ):
            return True
    return False


def advisory(trigger: Trigger) -> bool:
    """A request whose addressee is the general public, or that asks for comment or refuge; declining
    to comment."""
    token = trigger.token
    if lemma(token) in ROUTINE_ASKS and lemma(token.head) in {"seek", "find", "take"}:
        return True  # "sought refuge inside the city": no aid, no request
    if trigger.event_type == "reject":
        return _declines_comment(token)
    if trigger.event_type != "request":
        return False
    for child in trigger.token.children:
        asked_for = [child] if child.dep_ == "dobj" else []
        if child.dep_ == "prep" and child.lower_ == "for":
            asked_for = [g for g in child.children if g.dep_ == "pobj"]
        if any(lemma(a) in ROUTINE_ASKS for a in asked_for):
            return True
    addressees = load_lexicon().cues["advisory_addressees"]
    for child in trigger.token.children:
        asked = [child] if child.dep_ in {"dobj", "nsubjpass"} else []
        if child.dep_ == "prep" and child.lower_ == "on":
            asked = [g for g in child.children if g.dep_ == "pobj"]
        if any(lemma(a) in addressees for a in asked):
            return True
    return False


def forecast(trigger: Trigger) -> bool:
    """A warning of what may happen rather than of what the speaker will do, commentary, or a
    record told as a trend ("has seized more territory than at any point in its history")."""
    token = trigger.token
    if _commentary(token) or _record_trend(token) or _a_question(token) or _figurative(trigger):
        return True
    if trigger.event_type != "threaten" or lemma(token) != "warn":
        return False
    for clause in (c for c in token.children if c.dep_ == "ccomp"):
        modal = {c.lower_ for c in clause.children if c.dep_ == "aux"}
        if not modal & POSSIBILITY:
            continue
        subject = next((c for c in clause.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None:
            return False
        own = subject.lower_ in SPEAKERS_OWN or lemma(subject) in OWN_FORCES
        return not own  # what may happen ("warned that the unrest could hurt trade")
    return False


def _a_question(token: Token) -> bool:
    """ "Will it push countries toward a deal?": a question reports nothing."""
    sentence = token.sent
    return sentence[-1].text == "?" or (len(sentence) > 1 and sentence[-2].text == "?")


def _figurative(trigger: Trigger) -> bool:
    """ "It strikes me that ...": an act of force with an empty "it" for subject and a clause for
    object; "insisted the government was doing what it said": an assertion, not a demand (one is
    made in the base form: "insisted that he resign"); a threat made by no one, support that is an
    escort of arms (below)."""
    token = trigger.token
    children = list(token.children)
    if trigger.event_type in {"assault", "consult"} and _contest_or_show(trigger):
        return True
    if trigger.event_type == "assault":
        return any(c.dep_ == "nsubj" and c.lower_ == "it" for c in children) and any(
            c.dep_ == "ccomp" for c in children
        )
    if trigger.event_type == "threaten":
        return _impersonal_threat(token)
    if trigger.event_type == "support" and lemma(token) == "back":
        return _backed_by_arms(token)
    if trigger.event_type != "request" or lemma(token) != "insist":
        return False
    for clause in (c for c in children if c.dep_ == "ccomp"):
        auxiliaries = {c.lower_ for c in clause.children if c.dep_ in {"aux", "auxpass"}}
        if auxiliaries & {"should", "must"}:
            return False
        return clause.tag_ in {"VBD", "VBZ", "VBP"} or bool(auxiliaries & INDICATIVE_AUXILIARIES)
    return False


# Subjects that endanger without anyone threatening: "attacks on shipping threaten global trade", "the
# surge poses a grave threat to ...", "the drought threatens millions". Events and trends, not sides.
IMPERSONAL = frozenset(
    {"surge", "rise", "increase", "spike", "storm", "drought", "flood", "crisis", "shortage", "inflation",
     "pandemic", "virus", "disease", "change", "heat", "fire", "wildfire", "cost", "price", "debt",
     "slowdown", "recession", "disruption", "delay", "plan", "proposal", "rule", "law", "bill", "policy",
     "tariff"}
)  # fmt: skip


# "a real shot at beating Trump in the nominating contest": an electoral defeat, not an assault
ELECTORAL = frozenset(
    {"election", "primary", "race", "vote", "poll", "campaign", "nomination", "nominating", "caucus",
     "ballot", "candidate", "contest", "runoff", "seat"}
)  # fmt: skip
DEFEATS = frozenset({"beat", "defeat", "trounce", "rout", "crush", "topple", "unseat", "oust"})
# "appeared on CNN to discuss the decision": a talk show, not talks
SHOWS = frozenset({"appear", "interview", "podcast", "show", "programme", "program", "broadcast", "panel"})
TALK_WORDS = frozenset({"discuss", "talk", "speak", "chat"})


def _contest_or_show(trigger: Trigger) -> bool:
    """An electoral defeat read as an assault, or a media appearance read as a meeting."""
    word = lemma(trigger.token)
    verbs, context = (DEFEATS, ELECTORAL) if trigger.event_type == "assault" else (TALK_WORDS, SHOWS)
    return word in verbs and not context.isdisjoint(lemmas(token_table(trigger.token.doc)))


# What forces on the ground are "backed by": an escort of arms, not political support.
ARMS = frozenset(
    {"vehicle", "tank", "helicopter", "gunship", "jet", "aircraft", "drone", "artillery", "troop", "soldier",
     "police", "force", "armor", "armour", "warship", "bulldozer"}
)  # fmt: skip


def _backed_by_arms(token: Token) -> bool:
    """ "personnel, backed by armoured vehicles, were sent": an escort, not support."""
    agents = [g for c in token.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    return any(lemma(a) in ARMS for a in agents)


def _impersonal_threat(token: Token) -> bool:
    """A threat whose subject is an event, a trend or a measure rather than a side: "attacks threaten
    global trade", "a surge of attacks poses a grave threat"."""
    verb = token.head if token.dep_ == "dobj" and lemma(token.head) == "pose" else token
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.pos_ not in {"NOUN", "PROPN"}:
        return False
    word = lemma(subject)
    forms = load_lexicon().trigger_forms
    return word in IMPERSONAL or (subject.pos_ == "NOUN" and subject.lower_ in forms)


INDICATIVE_AUXILIARIES = frozenset({"is", "are", "was", "were", "has", "have", "had", "will", "would"})


def _record_trend(token: Token) -> bool:
    sentence = token.sent
    if "than" not in token_table(token.doc).lower[sentence.start : sentence.end]:
        return False
    verb = token if token.pos_ in {"VERB", "AUX"} else token.head
    words = " ".join(t.lower_ for t in verb.subtree)
    return any(phrase in words for phrase in RECORD_PHRASES)


RECORD_PHRASES = ("than at any point", "than at any time", "than ever before", "than in any year")


def _commentary(token: Token) -> bool:
    """Whether the trigger stands in what analysts, experts or observers say."""
    speech = load_lexicon().cues["speech_verbs"]
    node = token
    for _ in range(5):
        if lemma(node) in speech:
            subjects = [c for c in node.children if c.dep_ == "nsubj"]
            if subjects and lemma(subjects[0]) in COMMENTATORS:
                return True
        if node.head.i == node.i:
            break
        node = node.head
    return False
