"""Which drafts are political events at all: PLOVER codes interactions of political actors.

General news is full of PLOVER's verbs used of things that are no political event ("the recipe requires
eggs" is no request, "he signed with the Angels" no agreement). A draft is kept only when someone
political takes part in it: an actor or recipient tied to a country or an international body, or of a
political sector (government, military, police, armed groups), or, for violent and coercive acts, victims
counted at a named place ("four people were killed in Magway"), people detained, or a protest at a named
place, which news reports carry even when the perpetrator or the protesters' side is unnamed.
"""

from __future__ import annotations

from spacy.tokens import Token

from schemas import Actor
from services.extractor.rules.events import Draft
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


def _violent(draft: Draft) -> bool:
    """Signs that an everyday verb of force is political violence: counts, weapons, or an armed or
    state side taking part."""
    sides = [side.sector for side in (draft.actor, draft.recipient) if side is not None]
    return bool(draft.quantities) or draft.mode in WEAPON_MODES or bool(set(sides) & POLITICAL_SECTORS)


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
    located = draft.location is not None and draft.location.precision in {"city", "admin1", "point"}
    if draft.event_type == "protest":
        return located
    return any(q.kind in VICTIM_KINDS for q in draft.quantities) and (located or draft.event_type == "coerce")


def political_drafts(drafts: list[Draft]) -> list[Draft]:
    """The drafts that are political events. In an article that reports at least two events with
    political participants of their own, the parties are known from the article ("a meeting in
    Istanbul", "both sides exchanged accusations"): there a draft with a place of its own or a count
    is kept too.
    """
    own = [is_political(d) for d in drafts]
    if sum(own) < 2:
        return [d for d, ok in zip(drafts, own, strict=True) if ok]
    return [
        d
        for d, ok in zip(drafts, own, strict=True)
        if ok or d.quantities or (d.location is not None and d.location.precision != "country")
    ]
