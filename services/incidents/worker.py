"""The incident worker: reads `events` (group `incidents`), merges each event into an incident, stores it
and publishes every created or changed incident on the `incidents` topic (plain JSON in `incident`).

The stage is optional: its group is created when the worker first starts, from the start of what
`events` retains (`topic_retention_s`); a stage stopped longer than that misses the trimmed events.

Safe with several replicas:
- an event first takes Redis locks on the (type group, day) buckets it may match in, in sorted order,
  so two events that could form one incident are never resolved at the same time: two replicas
  never open two incidents for one event;
- the write is optimistic: an update names the version it read and fails if the row moved (a third
  event of a far day joined meanwhile); the event is then resolved again;
- the mention's primary key (event id) makes a redelivered event change nothing: its incident is
  published again (at-least-once) with the version stored now. A version stored by a replica that died
  before publishing it is thus skipped when later events moved the incident on meanwhile: the topic
  always carries each incident's latest version, not always every one. A replica killed while holding
  locks holds them at most `incident_lock_ttl_s`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from schemas import Event, Incident
from services.incidents import db as incident_db
from services.incidents.consolidate import mention_of
from services.incidents.features import Features, mention_features
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Candidate, best_candidate, index_keys, probe_days, updated
from services.runtime import streams
from services.runtime.dependency import Dependency
from services.runtime.errors import DependencyUnavailable, RetryPolicy
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output, TopicEntry
from services.runtime.topology import EVENTS, INCIDENT_STAGE
from services.runtime.worker import Subscription, WorkerContext, WorkerSpec
from services.store import db
from services.store.errors import classify

log = logging.getLogger(__name__)
MAX_CONFLICTS = 5


# An outage is waited out without limit, at most 10 s between attempts (as the store does).
INCIDENT_RETRY = RetryPolicy(base_s=0.5, dependency_max_s=10.0)


@asynccontextmanager
async def bucket_locks(redis: Redis, settings: Settings, type_group: str, days: range) -> AsyncIterator[None]:
    """Hold the locks of the buckets, taken in one global order so that no two holders wait on each other."""
    async with AsyncExitStack() as stack:
        for day in days:
            lock = redis.lock(
                settings.keys.incident_lock(type_group, day),
                timeout=settings.incident_lock_ttl_s,
                blocking_timeout=settings.incident_lock_wait_s,
            )
            if not await lock.acquire():
                raise LockError(f"bucket {type_group}:{day} busy for {settings.incident_lock_wait_s}s")
            stack.push_async_callback(_release, lock)
        yield


async def _release(lock: object) -> None:
    try:
        await lock.release()  # type: ignore[attr-defined]
    except LockError:  # expired and maybe taken by another: nothing of ours to release
        log.warning("an incident lock expired before it was released")


def build_incidents(settings: Settings, metrics: Metrics) -> WorkerSpec:
    url = settings.sqlalchemy_url()
    engine = db.make_engine(url)
    cfg = MatchConfig.from_settings(settings)
    topic = settings.keys.incidents
    state: dict[str, Redis] = {}

    def classified(exc: BaseException) -> BaseException:
        if isinstance(exc, RedisError | LockError):
            return DependencyUnavailable(f"incident locks: {type(exc).__name__}: {exc}")
        return classify(exc, url)

    database = Dependency("incidents", lambda: db.upgrade(engine), classified, metrics)

    async def start(ctx: WorkerContext) -> None:
        state["redis"] = ctx.redis
        await streams.ensure_group(ctx.redis, settings.keys.events, INCIDENT_STAGE.group)
        db.create_sqlite_dir(url)
        await database.start()

    def features_of(incident: Incident) -> list[Features]:
        recent = incident.mentions[-settings.incident_match_mentions :]
        return [mention_features(m, cfg.max_span_days) for m in recent]

    def published(incident: Incident) -> list[Output]:
        return [TopicEntry(topic, incident, settings.topic_maxlen)]

    async def resolve(event: Event) -> Sequence[Output]:
        mention = mention_of(event)
        f = mention_features(mention, cfg.max_span_days)
        days, group = probe_days(f, cfg), cfg.type_group(f.event_type)
        for _ in range(MAX_CONFLICTS):
            done = await incident_db.incident_of_event(engine, event.event_id)
            if done is not None:  # a redelivery: publish again what is stored
                metrics.skipped.labels("incident-replayed").inc()
                return published(done)
            async with bucket_locks(state["redis"], settings, group, days):
                countries = [f.country, ""] if f.country else None
                found = await incident_db.candidates(engine, group, days, countries)
                candidates = [Candidate(i, features_of(i)) for i in found]
                chosen = best_candidate(f, candidates, cfg)
                incident = updated(chosen.incident if chosen else None, mention, None, cfg.figure_policy)
                try:
                    await incident_db.save(
                        engine, incident, event.event_id, event.article_id, index_keys(f, cfg)
                    )
                except incident_db.StaleIncident as exc:
                    log.info("resolving %s again: %s", event.event_id, exc)
                    continue
            metrics.stored.labels("incidents").inc()
            return published(incident)
        raise RuntimeError(f"event {event.event_id}: incident kept changing, {MAX_CONFLICTS} tries")

    async def handle(event: Event) -> Sequence[Output]:
        return await database.run(lambda: resolve(event))

    async def dispose() -> None:
        await engine.dispose()

    return WorkerSpec(
        name=INCIDENT_STAGE.name,
        group=INCIDENT_STAGE.group,
        subscriptions=[Subscription(EVENTS, Event, handle, retry=INCIDENT_RETRY)],
        on_start=[start],
        on_stop=[dispose],
    )
