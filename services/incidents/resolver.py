"""Incident resolution in memory: each event joins its best incident or opens one.

Candidates come from an index keyed by day, type group and country, so the work per event depends on
how many incidents share its days, not on how many are stored. `newswire incidents` and the benchmark
use `Resolver` directly; the incident worker keeps the same index keys as database columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from schemas import Event, Incident, IncidentMention, incident_id_for
from services.incidents.consolidate import consolidate, mention_of
from services.incidents.features import Features, mention_features
from services.incidents.matching import MatchConfig, incident_score


@dataclass
class Candidate:
    incident: Incident
    features: list[Features]


def best_candidate(event: Features, candidates: Iterable[Candidate], cfg: MatchConfig) -> Candidate | None:
    """The candidate the event joins: the best score at or above the threshold; ties go to the older one."""
    best: tuple[float, str] | None = None
    chosen: Candidate | None = None
    for cand in candidates:
        score = incident_score(event, cand.features, cfg, cand.incident.location)
        if score is None or score < cfg.threshold:
            continue
        key = (score, cand.incident.incident_id)
        if best is None or key[0] > best[0] or (key[0] == best[0] and key[1] < best[1]):
            best, chosen = key, cand
    return chosen


def updated(
    incident: Incident | None,
    mention: IncidentMention,
    now: datetime | None = None,
    figure_policy: str = "latest",
) -> Incident:
    """The incident with one more mention and a version one higher, or a new incident of version 1."""
    now = now or datetime.now(UTC)
    if incident is None:
        return consolidate(incident_id_for(mention.event_id), [mention], 1, now, figure_policy)
    mentions = [*incident.mentions, mention]
    return consolidate(incident.incident_id, mentions, incident.version + 1, now, figure_policy)


def index_keys(f: Features, cfg: MatchConfig) -> Iterator[tuple[int, str, str]]:
    """The (day, type group, country) buckets a mention is filed under."""
    if f.days is None:
        return
    group = cfg.type_group(f.event_type)
    for day in range(f.days[0], f.days[1] + 1):
        yield day, group, f.country


def probe_days(f: Features, cfg: MatchConfig) -> range:
    """The days whose buckets may hold an incident this event can join."""
    if f.days is None:
        return range(0)
    return range(f.days[0] - cfg.window_days, f.days[1] + cfg.window_days + 1)


@dataclass
class Resolver:
    cfg: MatchConfig
    match_mentions: int = 50
    incidents: dict[str, Incident] = field(default_factory=dict)
    _features: dict[str, list[Features]] = field(default_factory=dict)
    _index: dict[tuple[int, str], dict[str, set[str]]] = field(default_factory=dict)
    _by_event: dict[str, str] = field(default_factory=dict)

    def candidates(self, f: Features) -> Iterator[Candidate]:
        seen: set[str] = set()
        group = self.cfg.type_group(f.event_type)
        for day in probe_days(f, self.cfg):
            by_country = self._index.get((day, group))
            if not by_country:
                continue
            if f.country:
                buckets = [by_country.get(f.country, set()), by_country.get("", set())]
            else:
                buckets = list(by_country.values())
            for bucket in buckets:
                for incident_id in bucket - seen:
                    seen.add(incident_id)
                    feats = self._features[incident_id][-self.match_mentions :]
                    yield Candidate(self.incidents[incident_id], feats)

    def add(self, event: Event, now: datetime | None = None) -> Incident | None:
        """Resolve one event; returns the incident it created or changed, None if it was already applied."""
        if event.event_id in self._by_event:
            return None
        mention = mention_of(event)
        f = mention_features(mention, self.cfg.max_span_days)
        chosen = best_candidate(f, self.candidates(f), self.cfg)
        incident = updated(chosen.incident if chosen else None, mention, now, self.cfg.figure_policy)
        self._store(incident, f)
        return incident

    def _store(self, incident: Incident, f: Features) -> None:
        iid = incident.incident_id
        self.incidents[iid] = incident
        self._features.setdefault(iid, []).append(f)
        self._by_event[f.event_id] = iid
        for day, group, country in index_keys(f, self.cfg):
            self._index.setdefault((day, group), {}).setdefault(country, set()).add(iid)

    def incident_of(self, event_id: str) -> str | None:
        return self._by_event.get(event_id)
