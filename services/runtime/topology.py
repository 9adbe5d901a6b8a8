"""The pipeline's shape, declared once: streams, consumer groups, Redis keys and their retention,
worker names and metrics ports. Every other module reads names from here instead of spelling them.

```
urls ─► ingest ─► articles ─► extractor ─► events, events.<type>
                      └──────► store ◄───────┤          (failures of any worker ─► dead)
                                 incidents ◄─┘ ─► incidents      (optional stage)
```
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.vocab import EVENT_TYPES

# streams
URLS = "urls"
ARTICLES = "articles"
EVENTS = "events"
DEAD = "dead"
INCIDENTS = "incidents"
TOPIC_PREFIX = f"{EVENTS}."  # events.<type>: one topic per PLOVER type, read by outside consumers


def topic(event_type: str) -> str:
    """The short name of the topic of one event type, e.g. `events.protest`."""
    return f"{TOPIC_PREFIX}{event_type}"


# Topics outside consumers read: kept for a retention window, not trimmed on acknowledgement
# (services/runtime/retention.py).
PUBLIC_TOPICS: tuple[str, ...] = (EVENTS, *(topic(t) for t in EVENT_TYPES), INCIDENTS)


@dataclass(frozen=True)
class WorkerDecl:
    """One worker: its consumer group, the streams it reads and writes, its default metrics port."""

    name: str
    group: str
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    metrics_port: int
    optional: bool = False  # a stage a deployment may leave out (see OPTIONAL_GROUPS)


INGEST = WorkerDecl("ingest", "ingest", (URLS,), (ARTICLES, DEAD), 9101)
EXTRACTOR = WorkerDecl("extractor", "extractor", (ARTICLES,), (EVENTS, f"{TOPIC_PREFIX}<type>", DEAD), 9102)
STORE = WorkerDecl("store", "store", (ARTICLES, EVENTS), (DEAD,), 9103)
INCIDENT_STAGE = WorkerDecl("incidents", "incidents", (EVENTS,), (INCIDENTS, DEAD), 9104, optional=True)

WORKERS: dict[str, WorkerDecl] = {w.name: w for w in (INGEST, EXTRACTOR, STORE, INCIDENT_STAGE)}
WORKER_NAMES: tuple[str, ...] = tuple(WORKERS)

# Every consumer group of the pipeline, by the stream it reads. Any worker creates them all at id 0
# before it starts, so that no entry published before a group's first reader is skipped or trimmed.
CONSUMER_GROUPS: dict[str, tuple[str, ...]] = {
    stream: tuple(w.group for w in WORKERS.values() if stream in w.consumes and not w.optional)
    for stream in (URLS, ARTICLES, EVENTS)
}
# Groups of optional stages, created by their own worker when it first starts (at id 0: it reads what
# the topic still retains). A deployment without the stage neither holds the topic's retention back
# for it nor waits for it; `newswire run --until-idle` waits for it once it exists.
OPTIONAL_GROUPS: dict[str, tuple[str, ...]] = {
    stream: tuple(w.group for w in WORKERS.values() if stream in w.consumes and w.optional)
    for stream in (EVENTS,)
}


@dataclass(frozen=True)
class KeyDecl:
    """A Redis key (or key family) and how its memory stays bounded."""

    pattern: str
    kind: str
    retention: str


KEY_DECLS: tuple[KeyDecl, ...] = (
    KeyDecl("urls, articles", "stream", "trimmed below what every group acknowledged (XTRIM MINID)"),
    KeyDecl("dead", "stream", "kept until `newswire dlq replay|purge`"),
    KeyDecl(
        "events, events.<type>",
        "stream",
        "NEWSWIRE_TOPIC_RETENTION_S and NEWSWIRE_TOPIC_MAXLEN, never what the store has not read",
    ),
    KeyDecl("incidents", "stream", "NEWSWIRE_TOPIC_RETENTION_S and NEWSWIRE_TOPIC_MAXLEN"),
    KeyDecl("incident-lock:<type group>:<day>", "string", "time-to-live NEWSWIRE_INCIDENT_LOCK_TTL_S"),
    KeyDecl(
        "seen-urls",
        "sorted set (URL → time seen)",
        "older than NEWSWIRE_SEEN_MAX_AGE_S dropped; at most NEWSWIRE_SEEN_MAX_URLS, newest kept",
    ),
    KeyDecl("fingerprints", "list", "the 5000 most recent (LTRIM)"),
    KeyDecl("feeds", "hash (feed URL → state)", "one field per feed added by the operator"),
    KeyDecl(
        "feed-entries:<feed>",
        "hash (entry → content hash) + sorted set (entry → last seen)",
        "entries gone from the feed for NEWSWIRE_FEED_ENTRIES_MAX_AGE_S dropped; at most "
        "NEWSWIRE_FEED_ENTRIES_MAX per feed; the pair expires after that age without a poll",
    ),
    KeyDecl("lease:<feed>", "string", "time-to-live of the lease (120 s)"),
    KeyDecl("host:<host>", "string", "time-to-live of the per-host delay"),
    KeyDecl("robots:<origin>", "string", "time-to-live of one hour"),
)


@dataclass(frozen=True)
class Keys:
    """Full Redis key names under one prefix (`NEWSWIRE_STREAM_PREFIX`)."""

    prefix: str

    def stream(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def short(self, key: str) -> str:
        """The short name of a full key: `newswire:events.protest` → `events.protest`."""
        return key.removeprefix(self.prefix)

    @property
    def urls(self) -> str:
        return self.stream(URLS)

    @property
    def articles(self) -> str:
        return self.stream(ARTICLES)

    @property
    def events(self) -> str:
        return self.stream(EVENTS)

    @property
    def dead(self) -> str:
        return self.stream(DEAD)

    def topic(self, event_type: str) -> str:
        return self.stream(topic(event_type))

    @property
    def topic_pattern(self) -> str:
        """A SCAN MATCH pattern for every `events.<type>` topic."""
        return self.stream(f"{TOPIC_PREFIX}*")

    @property
    def incidents(self) -> str:
        return self.stream(INCIDENTS)

    def incident_lock(self, type_group: str, day: int) -> str:
        return f"{self.prefix}incident-lock:{type_group}:{day}"

    @property
    def seen(self) -> str:
        return f"{self.prefix}seen-urls"

    @property
    def fingerprints(self) -> str:
        return f"{self.prefix}fingerprints"

    @property
    def feeds(self) -> str:
        return f"{self.prefix}feeds"

    def feed_entries(self, feed_url: str) -> str:
        return f"{self.prefix}feed-entries:{feed_url}"

    def feed_entries_seen(self, feed_url: str) -> str:
        return f"{self.prefix}feed-entries-seen:{feed_url}"

    def lease(self, feed_url: str) -> str:
        return f"{self.prefix}lease:{feed_url}"

    def host(self, host: str) -> str:
        return f"{self.prefix}host:{host}"

    def robots(self, origin: str) -> str:
        return f"{self.prefix}robots:{origin}"
