"""The draft of an event read from one sentence, and how the drafts of one sentence merge.

Drafts of one type in a sentence merge unless they name different places or sides; a count-less noun
beside a counted deed restates it; accusations, rejections, requests and support by one side in one
sentence are one statement, told as its first act.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from schemas import Actor, EventTime, Location
from services.extractor.rules.quantities import FoundQuantity
from services.extractor.rules.triggers import Trigger

VERBAL = frozenset({"accuse", "reject", "threaten", "request", "support"})  # placed only where they were made
SAID = VERBAL - {"threaten"}


@dataclass
class Draft:
    """An event read from one sentence, before merging across the article."""

    event_type: str
    mode: str | None
    trigger: Token
    quantities: list[FoundQuantity] = field(default_factory=list)
    actor: Actor | None = None
    recipient: Actor | None = None
    location: Location | None = None
    claimant: str | None = None
    negated: bool = False
    hypothetical: bool = False
    new_event: bool = False
    cumulative: bool = False  # a toll over a period ("since Wednesday", "so far"), not one incident's
    time: EventTime | None = None
    members: list[Trigger] = field(default_factory=list)
    depth: int = 0


def _restates(nominal: Draft, told: Draft) -> bool:
    """A count-less noun of the same type in the sentence of a counted deed names that deed again."""
    if nominal.quantities or not told.quantities or nominal.trigger.pos_ not in {"NOUN", "PROPN"}:
        return False
    if nominal.new_event or told.trigger.pos_ != "VERB":
        return False
    a, b = nominal.location, told.location
    return a is None or b is None or a.country == b.country


def merge_same_type(drafts: list[Draft]) -> list[Draft]:
    merged: list[Draft] = []
    for draft in drafts:
        for other in merged:
            # "rebels took Goma and protesters attacked embassies in Kinshasa": a place named by one
            # predicate and not the other, or two different actors, make two events
            same_place = (draft.location.name if draft.location else None) == (
                other.location.name if other.location else None
            )
            same_actor = (
                draft.actor is None or other.actor is None or draft.actor.country == other.actor.country
            )
            if other.event_type == draft.event_type and _restates(draft, other):
                break  # "..., one of the deadliest attacks on a medical site in months": the same strike
            # "condemned the attack and called for calm": one statement, told as its first act (a threat
            # stays an event of its own: "called the protesters criminals and warned that ...")
            one_statement = other.event_type in SAID and draft.event_type in SAID and same_actor
            if other.event_type == draft.event_type and same_place and same_actor and not draft.new_event:
                other.quantities.extend(draft.quantities)
                other.actor = other.actor or draft.actor
                other.recipient = other.recipient or draft.recipient
                other.location = other.location or draft.location
                other.mode = other.mode or draft.mode
                break
            if one_statement:
                other.quantities.extend(draft.quantities)
                other.recipient = other.recipient or draft.recipient
                break
        else:
            merged.append(draft)
    return merged
