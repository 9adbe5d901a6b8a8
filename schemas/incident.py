"""The `Incident` contract: one real-world event merged from the events of many articles.

An incident keeps every mention (which article said what, with which figures, on whose authority),
its article and distinct-source counts, when it was first and last seen, one consolidated figure per
count kind with every claim behind it, and a version number bumped each time it changes. It is
published on the `incidents` topic (plain JSON in the field `incident`) and stored in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from schemas.messages import Actor, EventTime, Evidence, Location, Quantity, _digest, _Message
from schemas.vocab import EventType, QuantityKind


def incident_id_for(first_event_id: str) -> str:
    """The incident id: a hash of the event that opened it; replaying the same events gives the same ids."""
    return "i" + _digest("incident", first_event_id)


class IncidentMention(BaseModel):
    """One event of one article that reports the incident."""

    event_id: str
    article_id: str
    source: str | None = Field(default=None, description="the outlet (or file) that published the article")
    source_url: str | None = None
    published_at: AwareDatetime | None = None
    event_type: EventType
    mode: str | None = None
    actor: Actor | None = None
    recipient: Actor | None = None
    location: Location | None = None
    time: EventTime | None = None
    claimant: str | None = None
    quantities: list[Quantity] = Field(default_factory=list)
    evidence: Evidence


class Claim(BaseModel):
    """One figure as one article reported it, with who claimed it."""

    value: int = Field(ge=0)
    upper: int | None = None
    approx: bool = False
    object: str | None = None
    claimant: str | None = None
    source: str | None = None
    event_id: str
    reported_at: AwareDatetime | None = None


class Figure(BaseModel):
    """The consolidated figure for one count kind: the latest figure of the most authoritative claimant,
    with the range of every claim (`low` < `high` when claims conflict) and the claims themselves."""

    kind: QuantityKind
    value: int = Field(ge=0)
    claimant: str | None = None
    low: int = Field(ge=0)
    high: int = Field(ge=0)
    disputed: bool = False
    claims: list[Claim] = Field(default_factory=list)


class Incident(_Message):
    """One real-world event as every article so far has reported it."""

    kind: Literal["incident"] = "incident"
    incident_id: str
    version: int = Field(ge=1)
    event_type: EventType
    types: list[EventType] = Field(default_factory=list, description="every type its mentions carry")
    mode: str | None = None
    actor: Actor | None = None
    recipient: Actor | None = None
    location: Location | None = None
    time: EventTime | None = None
    date: str | None = Field(default=None, description="the incident's day, YYYY-MM-DD, when known")
    first_seen: AwareDatetime | None = None
    last_seen: AwareDatetime | None = None
    num_mentions: int = Field(ge=0)
    num_articles: int = Field(ge=0)
    num_sources: int = Field(ge=0)
    sources: list[str] = Field(default_factory=list)
    quantities: list[Figure] = Field(default_factory=list)
    mentions: list[IncidentMention] = Field(default_factory=list)
    updated_at: datetime | None = None
