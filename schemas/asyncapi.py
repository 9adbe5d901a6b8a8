"""The AsyncAPI 3.0 document of every newswire stream, generated with FastStream's AsyncAPI.

newswire writes its entries with raw XADD inside MULTI/EXEC, so no FastStream publisher exists to
document them: this module declares doc-only publishers (nothing calls them) with their payload
schemas and wire formats. No subscriber is declared, since a subscriber's consumer name is the
replica's host name and would make the document differ per machine. The document is committed as
`schemas/asyncapi.json` (`make schemas`) and served at GET /asyncapi.json.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from faststream.redis import RedisBroker
from faststream.specification import AsyncAPI

from schemas.incident import Incident
from schemas.messages import Article, DeadLetter, Event, UrlRequest
from schemas.vocab import EVENT_TYPES
from services.runtime import topology

ASYNCAPI_FILE = Path(__file__).resolve().parent / "asyncapi.json"
BINARY = (
    "Wire format: FastStream's binary message format (BinaryMessageFormatV1) in the entry field "
    "`__data__`; its body is the JSON payload below. Producers outside newswire may instead write "
    "the payload's fields as plain entry fields."
)
PLAIN = (
    "Wire format: plain JSON, no envelope. Each entry has the field `event`, the Event as JSON (the "
    "payload below), and `event_type` beside it; read it with XRANGE/XREAD/XREADGROUP from any "
    "language. Retention: NEWSWIRE_TOPIC_RETENTION_S (default 24 h), capped at NEWSWIRE_TOPIC_MAXLEN "
    "entries, whatever any consumer group acknowledged."
)


PLAIN_INCIDENT = (
    "Wire format: plain JSON, no envelope. Each entry has the field `incident`, the Incident as JSON "
    "(the payload below), with `incident_id` and `version` beside it; one entry each time an incident "
    "is created or changes (at least once: a redelivered event publishes the same version again). "
    "Retention: NEWSWIRE_TOPIC_RETENTION_S, capped at NEWSWIRE_TOPIC_MAXLEN entries."
)


def asyncapi_document(prefix: str = "newswire:") -> dict[str, Any]:
    broker = RedisBroker(
        specification_url="redis://localhost:6379",
        description="The Redis server named by NEWSWIRE_REDIS_URL; every key starts with "
        "NEWSWIRE_STREAM_PREFIX.",
    )

    def publish(name: str, schema: type[Any], what: str, wire: str) -> None:
        broker.publisher(stream=f"{prefix}{name}", schema=schema, title=name, description=f"{what} {wire}")

    publish(
        topology.URLS,
        UrlRequest,
        "URLs to fetch, from `newswire submit`, feed polls or any producer; read by the group `ingest`.",
        BINARY,
    )
    publish(
        topology.ARTICLES,
        Article,
        "Cleaned articles from ingest; read by the groups `extractor` and `store`, "
        "trimmed once both acknowledged.",
        BINARY,
    )
    publish(
        topology.EVENTS,
        Event,
        "Every extracted event, all types in one stream (one cursor); read by the "
        "group `store`, by `newswire subscribe` and by GET /stream.",
        PLAIN,
    )
    for event_type in EVENT_TYPES:
        publish(topology.topic(event_type), Event, f"The events of PLOVER type `{event_type}` only.", PLAIN)
    publish(
        topology.INCIDENTS,
        Incident,
        "Incidents: the same real-world event merged across articles, with every mention, the "
        "distinct sources and the consolidated figures; written by the optional `incidents` stage.",
        PLAIN_INCIDENT,
    )
    publish(
        topology.DEAD,
        DeadLetter,
        "Messages that could not be processed, with their payload, origin, error "
        "and attempts; `newswire dlq` lists and replays them.",
        BINARY,
    )
    spec = AsyncAPI(
        broker,
        title="newswire",
        version="0.1.0",
        description="Streams of the newswire pipeline: urls → ingest → articles → extractor → events "
        "and events.<type> → store; events → incidents (optional stage) → incidents. Public topics for "
        "subscribers: events, events.<type> and incidents.",
        schema_version="3.0.0",
    )
    document: dict[str, Any] = spec.to_specification().to_jsonable()
    return document


def render() -> str:
    return json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n"
