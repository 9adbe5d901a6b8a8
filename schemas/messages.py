"""Pydantic v2 models of every message on the newswire streams, and their deterministic ids.

Every message carries `schema_version`, its own id and the id of the message it came from
(`parent_id`), so that a record can be traced back through the pipeline and reprocessing the same
input yields the same ids.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from schemas.vocab import EventType, QuantityKind

SCHEMA_VERSION = 1


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()


def article_id_for(canonical_url: str) -> str:
    """The article id: a hash of the canonical URL, so a page fetched twice keeps its id."""
    return "a" + _digest(canonical_url)


def dead_letter_id_for(stream: str, group: str, entry_id: str) -> str:
    """The dead letter id: a hash of where the entry failed, so dead-lettering it twice keeps one id."""
    return "d" + _digest(stream, group, entry_id)


def content_hash(text: str) -> str:
    """SHA-256 of an article's text: equal texts, equal hashes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_id_for(
    article_id: str, event_type: str, evidence_start: int, evidence_end: int, key: str = ""
) -> str:
    """The event id: a hash of its article, type and evidence span (plus an engine key)."""
    return "e" + _digest(article_id, event_type, str(evidence_start), str(evidence_end), key)


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False)

    schema_version: int = SCHEMA_VERSION


class UrlRequest(_Message):
    """A URL to fetch, put on the `urls` stream by `newswire submit`, a feed poll or an outside producer."""

    kind: Literal["url"] = "url"
    url: str = Field(min_length=1, max_length=4096)
    request_id: str = ""
    parent_id: str | None = None
    feed_url: str | None = None
    refetch: bool = Field(default=False, description="fetch even if the URL was seen (a changed feed entry)")
    submitted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _fill_id(self) -> UrlRequest:
        if not self.request_id:
            self.request_id = "u" + _digest(self.url)
        return self


class Article(_Message):
    """A cleaned page: main text plus metadata, published on the `articles` stream."""

    kind: Literal["article"] = "article"
    article_id: str
    parent_id: str | None = None
    url: str
    canonical_url: str
    title: str | None = None
    text: str
    published_at: AwareDatetime | None = None
    language: str | None = None
    sitename: str | None = None
    source: str | None = None
    authors: list[str] = Field(default_factory=list)
    image: str | None = None
    fetched_at: AwareDatetime | None = None
    content_hash: str
    fingerprint: str | None = None
    duplicate_of: str | None = None
    feed_url: str | None = None


class Actor(BaseModel):
    """Who acts or is acted on: the words of the text and what they resolve to."""

    text: str
    name: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3")
    sector: str | None = None


class Location(BaseModel):
    text: str
    name: str | None = None
    admin1: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3")
    country_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    geonames_id: int | None = None
    precision: Literal["point", "city", "admin1", "country"] | None = None


class EventTime(BaseModel):
    start: datetime | None = None
    end: datetime | None = None
    precision: Literal["hour", "day", "week", "month", "year"] | None = None
    text: str | None = None


class Quantity(BaseModel):
    kind: QuantityKind
    object: str | None = None
    value: int = Field(ge=0)
    upper: int | None = None
    approx: bool = False
    text: str
    claimant: str | None = None


class Evidence(BaseModel):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ExtractorInfo(BaseModel):
    name: str
    version: str


class Event(_Message):
    """One real-world event reported by one article, published on `events` and `events.<type>`."""

    kind: Literal["event"] = "event"
    event_id: str
    article_id: str
    parent_id: str | None = None
    source: str | None = None
    source_url: str | None = None
    published_at: AwareDatetime | None = None
    extractor: ExtractorInfo
    event_type: EventType
    mode: str | None = None
    actor: Actor | None = None
    recipient: Actor | None = None
    location: Location | None = None
    time: EventTime | None = None
    quantities: list[Quantity] = Field(default_factory=list)
    claimant: str | None = None
    negated: bool = False
    hypothetical: bool = False
    evidence: Evidence
    confidence: float = Field(ge=0.0, le=1.0)


class DeadLetter(_Message):
    """A message that could not be processed, with why, where it came from and how often it was tried."""

    kind: Literal["dead_letter"] = "dead_letter"
    dead_letter_id: str
    parent_id: str | None = None
    stream: str
    group: str
    entry_id: str
    payload: str
    error_type: str
    error: str
    attempts: int
    failed_at: AwareDatetime


MESSAGE_MODELS: dict[str, type[BaseModel]] = {
    "url_request": UrlRequest,
    "article": Article,
    "event": Event,
    "dead_letter": DeadLetter,
}


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every message, keyed by file stem."""
    return {name: model.model_json_schema() for name, model in MESSAGE_MODELS.items()}
