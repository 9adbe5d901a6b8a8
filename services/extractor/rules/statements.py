"""Statements told as deeds: the speaker of a threat, accusation or demand phrased as the other side's deed.

"'Iran will pay a heavy price,' Netanyahu said" and "Misri said Pakistan had violated the understanding"
are Israel threatening Iran and India accusing Pakistan: the clause's subject is the recipient, and the
actor is whoever says it (the speech verb's subject, else the speaker of the quote). "Russia must
withdraw, NATO said" is NATO's demand of Russia. A deed inside a denial ("denied its forces attacked")
is what is denied, not an event.
"""

from __future__ import annotations

from spacy.tokens import Token

from schemas import Actor
from services.extractor.rules.arguments import ArticleState, trigger_actor
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.triggers import Trigger, lemma

# verbs whose subject suffers what the statement announces: "X will face consequences / pay a price",
# "X violated the agreement"
TOLD_DEEDS = frozenset({"face", "pay", "violate", "breach"})
TOLD_TYPES = frozenset({"threaten", "accuse"})


def _speaker(token: Token, state: ArticleState, quoted_speaker: Actor | None) -> Actor | None:
    speech = load_lexicon().cues["speech_verbs"]
    node = token
    for _ in range(6):
        if node.head.i == node.i:
            break
        node = node.head
        if lemma(node) in speech:
            actor, _ = trigger_actor(node, state, frozenset(), True)
            return actor
    return quoted_speaker


def assign_told_deed(
    event_type: str, trigger: Token, actor: Actor | None, state: ArticleState, quoted: Actor | None
) -> tuple[Actor | None, Actor | None] | None:
    """(actor, recipient) of a statement told as the other side's deed, or None when it is not one."""
    if event_type not in TOLD_TYPES or lemma(trigger) not in TOLD_DEEDS:
        return None
    speaker = _speaker(trigger, state, quoted)
    if speaker is not None and actor is not None and speaker.country == actor.country:
        return None  # "we will not let them pay the price": no other side named
    return speaker, actor


# "vowed to press on / fight on / hit back / avenge": a vow of force is a threat, not an agreement
VOWS = frozenset({"vow", "pledge", "swear", "promise"})
FORCEFUL_RESOLVE = frozenset(
    {
        "press",
        "fight",
        "retaliate",
        "avenge",
        "punish",
        "crush",
        "destroy",
        "respond",
        "hit",
        "strike",
        "eliminate",
        "defeat",
        "annihilate",
        "wipe",
        "escalate",
        "prosecute",  # "vowed to prosecute / arrest / jail those responsible": a threat of legal force
        "arrest",
        "jail",
        "imprison",
        "hunt",
        "retake",
        "recapture",
        "reclaim",
    }
)


def is_vow_of_force(event_type: str, trigger: Token) -> bool:
    if event_type != "agree" or lemma(trigger) not in VOWS:
        return False
    threats = load_lexicon().object_senses.get(lemma(trigger), {})
    for clause in trigger.children:
        if clause.dep_ not in {"xcomp", "ccomp"}:
            continue
        objects = [c for c in clause.children if c.dep_ == "dobj"]
        if any(
            (sense := threats.get(lemma(o))) is not None and sense.event_type == "threaten" for o in objects
        ):
            return True  # "vowed to give a full response", "pledged to exact a heavy price"
        if lemma(clause) not in FORCEFUL_RESOLVE:
            continue
        if lemma(clause) in {"press", "fight"} and objects:
            continue  # "pledged to fight corruption", "press the case": not force
        return True  # "vowed to retaliate", "vowed that the army would retake every town"
    return False


def demand_sides(
    verb: Token, actor: Actor | None, state: ArticleState, quoted: Actor | None
) -> tuple[Actor, Actor | None] | None:
    """ "Russia must withdraw its troops, NATO's chief said": a demand told as what the other side must
    do is the speaker's, addressed to the clause's subject; None when the clause has no must/should or
    nobody else says it.
    """
    modals = load_lexicon().cues["request_modals"]
    chain = [verb, *list(verb.ancestors)[:2]] if verb.dep_ in {"xcomp", "acl", "ccomp", "advcl"} else [verb]
    if not any(c.dep_ == "aux" and c.lower_ in modals for t in chain for c in t.children):
        return None
    speaker = _speaker(verb, state, quoted)
    if speaker is None or (actor is not None and speaker.country == actor.country):
        return None
    return speaker, actor


def under_denial(trigger: Trigger, above: Trigger) -> bool:
    """ "X denied its forces were attacking cities", "demanding that he release the prisoners": the deed
    is what the denial or the demand is about, not an event
    (unless told under a speech verb of its own: "denies ... and says its forces attacked").
    """
    if above.event_type not in {"reject", "request"}:  # "demanding that he release the prisoners" too
        return False
    speech = load_lexicon().cues["speech_verbs"]
    node = trigger.token
    for _ in range(8):
        if node.i == above.anchor.i or node.head.i == node.i:
            return node.i == above.anchor.i
        node = node.head
        if node.i != above.anchor.i and lemma(node) in speech:
            return False
    return False


OWN_SIDE = frozenset(
    {"its", "their", "our", "we", "us"}
)  # "Moscow said its forces struck ...": no accusation


def speech_frame(trigger: Trigger) -> Token | None:
    """The speech verb or noun a hostile trigger is reported under ("claims that ...", "the
    argument that ...").
    """
    framing = load_lexicon().cues["framing_speech"]
    node = trigger.token
    for _ in range(8):
        if node.head.i == node.i:
            return None
        parent = node.head
        if lemma(parent) in framing and node.dep_ in {"ccomp", "acl", "relcl", "advcl"}:
            return parent
        node = parent
    return None


def claimant_of_deed(
    root: Trigger, actor: Actor | None, state: ArticleState, quoted_speaker: Actor | None
) -> Actor | None:
    """Who claims a hostile deed told without details under a speech frame or in a quote, when the
    claim accuses another side than the speaker's ("X claims Y is waging an invasion"); else None."""
    frame = speech_frame(root)
    if frame is None and quoted_speaker is None:
        return None
    speaker = quoted_speaker
    if frame is not None:
        speaker, _ = trigger_actor(frame, state, frozenset(), True)
    verb = root.token if root.token.pos_ == "VERB" else root.token.head
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    own_side = subject is not None and any(t.lower_ in OWN_SIDE for t in subject.subtree)
    if speaker is not None and not own_side and (actor is None or actor.country != speaker.country):
        return speaker
    return None
