"""Message contracts shared by the newswire workers: the only code every worker imports."""

from schemas.incident import Claim, Figure, Incident, IncidentMention, incident_id_for
from schemas.messages import (
    SCHEMA_VERSION,
    Actor,
    Article,
    DeadLetter,
    Event,
    EventTime,
    Evidence,
    ExtractorInfo,
    Location,
    Quantity,
    UrlRequest,
    article_id_for,
    content_hash,
    dead_letter_id_for,
    event_id_for,
)
from schemas.vocab import EVENT_TYPES, QUANTITY_KINDS, EventType, QuantityKind

__all__ = [
    "EVENT_TYPES",
    "QUANTITY_KINDS",
    "SCHEMA_VERSION",
    "Actor",
    "Article",
    "Claim",
    "DeadLetter",
    "Event",
    "EventTime",
    "EventType",
    "Evidence",
    "ExtractorInfo",
    "Figure",
    "Incident",
    "IncidentMention",
    "Location",
    "Quantity",
    "QuantityKind",
    "UrlRequest",
    "article_id_for",
    "content_hash",
    "dead_letter_id_for",
    "event_id_for",
    "incident_id_for",
]
