"""Which drafts are political events at all: PLOVER codes interactions of political actors.

General news is full of PLOVER's verbs used of things that are no political event ("the recipe requires
eggs" is no request, "he signed with the Angels" no agreement). A draft is kept only when someone
political takes part in it: an actor or recipient tied to a country or an international body, or of a
political sector (government, military, police, armed groups), or, for violent and coercive acts, victims
counted at a named place ("four people were killed in Magway"), people detained, or a protest at a named
place, which news reports carry even when the perpetrator or the protesters' side is unnamed.

Before that, a learned classifier over the sentence's words (relevance_model.py, trained by
build_relevance.py on openly licensed text) decides whether the sentence reports an event at all:
advice, product text, sport and entertainment, forecasts, feelings and plots rarely do, whatever verb
they use.
"""

from __future__ import annotations

from spacy.tokens import Token

from schemas import Actor
from services.extractor.rules.actors import load_actor_table
from services.extractor.rules.drafts import Draft
from services.extractor.rules.gazetteer import fold
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.relevance_model import relevance_model
from services.extractor.rules.tokens import sentence_text
from services.extractor.rules.triggers import lemma

# Words of force that everyday news uses of sport, accidents and feelings ("a 41-yard strike", "asthma
# attacks", "hit back at a fan", "Happy Hour Isn't Dead"): an assault only with signs of violence.
EVERYDAY_ASSAULT = frozenset(
    {
        "hit",
        "shoot",
        "fight",
        "beat",
        "strike",
        "fire",
        "target",
        "capture",
        "seize",
        "storm",
        "burn",
        "blow",
        "down",
        "attack",
        "battle",
        "death",
        "dead",
        "damage",
        "destroy",
        "destruction",
        "violence",
        "clash",
        "raid",
        "abuse",
        "die",
        "obliterate",
        "pound",
        "batter",
        "shooting",
        "killing",
        "assault",
        "hostility",
        "aggression",
        "combat",
    }
)
QUESTION_WORDS = frozenset({"why", "whether", "if", "how", "what", "who", "when", "where", "which"})
WEAPON_MODES = frozenset({"aerial", "drone", "missile", "heavy-weapons", "explosives", "firearms"})
POLITICAL_SECTORS = frozenset({"government", "military", "police", "rebel"})
VIOLENT_TYPES = frozenset({"assault", "coerce", "protest", "mobilize"})
VICTIM_KINDS = frozenset({"killed", "injured", "casualties", "detained", "displaced", "captured"})
# the classifier's probability that a sentence reports an event: at or above EVENT_LIKELY it does; below
# EVENT_UNLIKELY it does not; in between other signs decide (reports_an_event)
EVENT_LIKELY = 0.5
EVENT_UNLIKELY = 0.15


def _violent(draft: Draft) -> bool:
    """Signs that an everyday verb of force is political violence: counts, weapons, or an armed or
    state side taking part."""
    sides = [side for side in (draft.actor, draft.recipient) if side is not None]
    weapons = load_lexicon().quantity["weapons"]
    armed = any(
        w.lower().rstrip("s") in weapons for side in sides for w in side.text.split()
    )  # "Israeli jets"
    sectors = {side.sector for side in sides}
    return bool(draft.quantities) or draft.mode in WEAPON_MODES or bool(sectors & POLITICAL_SECTORS) or armed


def _asks_a_question(trigger: Token) -> bool:
    """ "asked why AI companies were based there" asks a question, not for something."""
    if lemma(trigger) != "ask":
        return False
    clauses = [c for c in trigger.children if c.dep_ in {"ccomp", "advcl", "xcomp"}]
    return any(next(iter(c.subtree)).lower_ in QUESTION_WORDS for c in clauses)


def political_actor(actor: Actor | None) -> bool:
    return actor is not None and (bool(actor.country) or actor.sector in POLITICAL_SECTORS)


def is_political(draft: Draft) -> bool:
    """Whether the draft names a political participant of its own (see the module docstring)."""
    if draft.event_type == "assault" and lemma(draft.trigger) in EVERYDAY_ASSAULT and not _violent(draft):
        return False
    if draft.event_type == "request" and _asks_a_question(draft.trigger):
        return False
    if political_actor(draft.actor) or political_actor(draft.recipient):
        return True
    if draft.event_type not in VIOLENT_TYPES:
        return False
    located = _located(draft)
    if draft.event_type == "protest":
        return located
    return any(q.kind in VICTIM_KINDS for q in draft.quantities) and (located or draft.event_type == "coerce")


def reports_an_event(draft: Draft, probability: float) -> bool:
    """Whether the learned classifier's probability for the draft's sentence says it reports an event.
    Between EVENT_UNLIKELY and EVENT_LIKELY the sentence still passes with details of its own (counts, a
    named town or region, a side named by a word of a state or armed sector), two countries as its two
    sides, or a weapon of a violent act, which the classifier, trained on few real reports, undervalues
    ("Kharkiv saw another strike, injuring at least 33 people", "the junta dismissed the reports")."""
    if probability >= EVENT_LIKELY:
        return True
    if probability < EVENT_UNLIKELY:
        return False
    return (
        _own_details(draft)
        or _between_states(draft)
        or (draft.event_type in VIOLENT_TYPES and draft.mode in WEAPON_MODES)
    )


def _own_details(draft: Draft) -> bool:
    """Counts, a named town or region, or a side named by a word of a state or armed sector."""
    return bool(draft.quantities) or _located(draft) or _state_or_armed_side(draft)


def _between_states(draft: Draft) -> bool:
    """Two countries on the two sides ("Russia launched drones at Ukraine"): an act between states."""
    actor, recipient = draft.actor, draft.recipient
    return bool(
        actor and recipient and actor.country and recipient.country and actor.country != recipient.country
    )


def _state_or_armed_side(draft: Draft) -> bool:
    """A side named by a word of a state or armed sector ("the junta", "troops", "police"), not only by
    a country's name ("Spain's coach")."""
    sectors = load_actor_table().sectors
    return any(
        side is not None and any(sectors.get(fold(word)) in POLITICAL_SECTORS for word in side.text.split())
        for side in (draft.actor, draft.recipient)
    )


def _located(draft: Draft) -> bool:
    return draft.location is not None and draft.location.precision in {"city", "admin1", "point"}


# An article in which fewer than this share of its first sentences read as event reports is not news of
# political events (sport, lifestyle, business, technology): there a draft needs a sentence the
# classifier is sure of (EVENT_CERTAIN) and political participants of its own. Every report in the
# development sets (wide w01-w06, bench/extraction_dev, the seeds and incidents) has 0.69 or more.
REPORTING_SHARE = 0.3
EVENT_CERTAIN = 0.9
SHARE_SENTENCES = 20  # the first sentences of five words or more read for the share
SHARE_MIN_WORDS = 5
SHARE_MIN_SENTENCES = 5


def reporting_share(sentences: list[str]) -> float:
    """The share of an article's first sentences that the classifier takes for event reports."""
    model = relevance_model()
    read = [s for s in sentences if len(s.split()) >= SHARE_MIN_WORDS][:SHARE_SENTENCES]
    if len(read) < SHARE_MIN_SENTENCES:
        return 1.0  # a brief or a single sentence says too little of the article it comes from
    return sum(model.probability(s) >= EVENT_LIKELY for s in read) / len(read)


def political_drafts(drafts: list[Draft], share: float = 1.0) -> list[Draft]:
    """The drafts that are political events.

    An article that reports at least two events with political participants of their own in sentences
    the learned classifier takes for event reports is political news: there its parties are known from
    the article ("a meeting in Istanbul", "both sides exchanged accusations"), so a draft with a place
    of its own or a count is kept too, and the classifier only drops sentences it is sure of that have
    nothing else for them (`_clearly_no_report`). Elsewhere (general news) a draft needs political
    participants (`is_political`) and a sentence that reports an event (`reports_an_event`); in an
    article whose sentences mostly report nothing (`share`, see `reporting_share`), one the classifier
    is sure of.
    """
    model = relevance_model()
    scores = [model.probability(sentence_text(d.trigger.doc)) for d in drafts]  # (remembered per text)
    own = [is_political(d) for d in drafts]
    if share < REPORTING_SHARE:  # not news of political events: only what is surely one
        return [d for d, ok, score in zip(drafts, own, scores, strict=True) if ok and score >= EVENT_CERTAIN]
    if sum(ok and score >= EVENT_LIKELY for ok, score in zip(own, scores, strict=True)) < 2:
        return [
            d for d, ok, score in zip(drafts, own, scores, strict=True) if ok and reports_an_event(d, score)
        ]
    return [
        d
        for d, ok, score in zip(drafts, own, scores, strict=True)
        if (ok or d.quantities or (d.location is not None and d.location.precision != "country"))
        and not _clearly_no_report(d, score)
    ]


def _clearly_no_report(draft: Draft, probability: float) -> bool:
    """A sentence the classifier is sure reports nothing, with no count, named town or region, or state
    or armed side of its own ("U.N. members will want to see more steps taken")."""
    return probability < EVENT_UNLIKELY and not _own_details(draft)
