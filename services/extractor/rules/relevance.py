"""Which drafts are political events at all: PLOVER codes interactions of political actors.

General news is full of PLOVER's verbs used of things that are no political event ("the recipe requires
eggs" is no request, "he signed with the Angels" no agreement). A draft is kept only when someone
political takes part in it: an actor or recipient tied to a country or an international body, or of a
political sector (government, military, police, armed groups), or, for violent and coercive acts, victims
counted at a named place ("four people were killed in Magway"), people detained, or a protest at a named
place, which news reports carry even when the perpetrator or the protesters' side is unnamed.
"""

from __future__ import annotations

import re
from datetime import datetime

from schemas import Actor
from services.extractor.rules.events import Draft

POLITICAL_SECTORS = frozenset({"government", "military", "police", "rebel"})
VIOLENT_TYPES = frozenset({"assault", "coerce", "protest", "mobilize"})
VICTIM_KINDS = frozenset({"killed", "injured", "casualties", "detained", "displaced", "captured"})


def political_actor(actor: Actor | None) -> bool:
    return actor is not None and (bool(actor.country) or actor.sector in POLITICAL_SECTORS)


def is_political(draft: Draft) -> bool:
    """Whether the draft names a political participant of its own (see the module docstring)."""
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


_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# "in 2018", "in September 2023", "on Oct. 7, 2023", "in early 2012": an event dated by its year
_DATED_YEAR = re.compile(
    rf"\b(?:in|on|during|by|until|from)\s+(?:(?:early|late|mid-?|the\s+(?:spring|summer|autumn|fall|winter)\s+of)\s*)?"
    rf"(?:{_MONTHS}\s+)?(?:\d{{1,2}},?\s+)?((?:19|20)\d\d)\b(?!\s*[-–]\s*(?:19|20)\d\d)"
)
_AGO = re.compile(r"\b(?:years|decades?|a\s+decade|centuries)\s+ago\b|\blast\s+year\b", re.IGNORECASE)


def is_background(sentence: str, published: datetime | None) -> bool:
    """History told as background ("Britain expelled 23 diplomats in 2018", "formed a decade ago").

    News about the present dates its events by weekday or month; an explicit year marks the past: one
    before the publication year, or any year when the publication date is unknown.
    """
    if _AGO.search(sentence):
        return True
    years = [int(m.group(1)) for m in _DATED_YEAR.finditer(sentence)]
    if not years:
        return False
    return published is None or max(years) < published.year
