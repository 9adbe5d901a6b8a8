"""Does an event report an incident we already hold? Gates, then a score.

An event may join an incident only if, against one of its mentions, every gate holds:
- the same PLOVER type, or types of one compatible group (`incident_compatible_types`);
- days no more than `incident_window_days` apart (from the event's own time, else its publication day);
- places not different: the same place, points within `incident_distance_km`, or the same admin1 (or
  country) when one of the two is coarser; a missing place passes but then needs evidence similarity,
  and so does a time vaguer than a few days;
- actors not incompatible: for directed types (`incident_directed_types`), not the same pair with the
  roles reversed (a strike and the retaliation for it); a swap or a deal goes both ways;
- no placed mention of the same article tells another event: two events of one article join one
  incident only when their evidence agrees (`incident_same_article_text`, or a shared figure);
- and the event's place is not different from the incident's own (its most reported place).
The score then adds how well place, type, actors, mode, evidence words and shared figures agree; the
event joins the best-scoring incident at or above `incident_threshold`, else it opens a new one.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from schemas import Location
from services.incidents.features import Features
from services.runtime.settings import Settings

COARSE = ("admin1", "country")


@dataclass(frozen=True)
class MatchConfig:
    """The incident settings (matching, and the figure policy), read once from `Settings`."""

    window_days: int = 1
    max_span_days: int = 31
    distance_km: float = 15.0
    type_groups: tuple[frozenset[str], ...] = ()
    threshold: float = 0.4
    text_weight: float = 1.0
    unknown_place_text: float = 0.2
    same_article_text: float = 0.2
    vague_time_text: float = 0.4
    directed_types: frozenset[str] = frozenset()
    figure_policy: str = "latest"

    @classmethod
    def from_settings(cls, settings: Settings) -> MatchConfig:
        return cls(
            window_days=settings.incident_window_days,
            max_span_days=settings.incident_max_span_days,
            distance_km=settings.incident_distance_km,
            type_groups=tuple(frozenset(g.split()) for g in settings.incident_compatible_types),
            threshold=settings.incident_threshold,
            text_weight=settings.incident_text_weight,
            unknown_place_text=settings.incident_unknown_place_text,
            same_article_text=settings.incident_same_article_text,
            vague_time_text=settings.incident_vague_time_text,
            directed_types=frozenset(settings.incident_directed_types),
            figure_policy=settings.incident_figure_policy,
        )

    def type_group(self, event_type: str) -> str:
        """A name shared by every type of one compatible group (the index buckets on it)."""
        for group in self.type_groups:
            if event_type in group:
                return min(group)
        return event_type


@lru_cache(maxsize=16384)
def _norm(name: str | None) -> str:
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalnum()).casefold()


def km_between(a: Location, b: Location) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def place_agreement(a: Location | None, b: Location | None, distance_km: float) -> float | None:
    """1 same place, 0.9 near, 0.7 same admin1 (one coarser), 0.3 same country (one a country),
    0 unknown, None different places."""
    if a is None or b is None:
        return 0.0
    if a.country and b.country and a.country != b.country:
        return None
    if a.geonames_id is not None and a.geonames_id == b.geonames_id:
        return 1.0
    na, nb = _norm(a.name or a.text), _norm(b.name or b.text)
    fine_a, fine_b = a.precision not in COARSE, b.precision not in COARSE
    if fine_a and fine_b:
        if na and na == nb:
            return 1.0
        km = km_between(a, b)
        return 0.9 if km is not None and km <= distance_km else None
    if "country" in (a.precision, b.precision):
        return 0.3 if a.country and a.country == b.country else None
    # one (or both) an admin1: the same region, named either way
    regions_a = {_norm(a.admin1), na if not fine_a else ""} - {""}
    regions_b = {_norm(b.admin1), nb if not fine_b else ""} - {""}
    return 0.7 if regions_a & regions_b else None


def actor_agreement(a: Features, b: Features, directed: frozenset[str]) -> float | None:
    """1 same actor, 0.7 overlapping parties, 0.3 unknown, 0 different parties, None incompatible."""
    if (
        a.event_type in directed and b.event_type in directed
        and a.actor and a.recipient and b.actor and b.recipient
        and a.actor != a.recipient and a.actor == b.recipient and a.recipient == b.actor
    ):  # fmt: skip
        return None  # the same pair, roles reversed: the response, not the event
    if not a.parties or not b.parties:
        return 0.3
    if not a.parties & b.parties:
        return 0.0
    if a.actor and a.actor == b.actor:
        return 1.0
    return 0.7


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Cosine similarity of two word sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def vague(days: tuple[int, int] | None) -> bool:
    return days is not None and days[1] - days[0] > 2


def same_story(event: Features, mention: Features, cfg: MatchConfig) -> bool:
    """Two events of one article are one incident only if their evidence agrees (words or figures)."""
    text = similarity(event.words, mention.words)
    return text >= cfg.same_article_text or bool(event.figures & mention.figures)


def days_apart(a: tuple[int, int] | None, b: tuple[int, int] | None) -> int | None:
    if a is None or b is None:
        return None
    return max(0, a[0] - b[1], b[0] - a[1])


def pair_score(event: Features, mention: Features, cfg: MatchConfig) -> float | None:
    """How well an event agrees with one mention of an incident; None when a gate fails."""
    if event.event_type == mention.event_type:
        type_score = 1.0
    elif cfg.type_group(event.event_type) == cfg.type_group(mention.event_type):
        type_score = 0.4
    else:
        return None
    gap = days_apart(event.days, mention.days)
    if gap is None or gap > cfg.window_days:
        return None
    place = place_agreement(event.location, mention.location, cfg.distance_km)
    if place is None:
        return None
    actors = actor_agreement(event, mention, cfg.directed_types)
    if actors is None:
        return None
    event_words, mention_words = event.words, mention.words
    if place == 0.0:  # one place unknown: does its evidence name the other's place?
        named = (event.words & mention.place_names) | (mention.words & event.place_names)
        if named:
            place = 0.8
            event_words, mention_words = event_words - named, mention_words - named
    text = similarity(event_words, mention_words)
    shared_figure = bool(event.figures & mention.figures)
    if place == 0.0 and text < cfg.unknown_place_text and not shared_figure:
        return None
    if (vague(event.days) or vague(mention.days)) and text < cfg.vague_time_text and not shared_figure:
        return None  # "earlier this month" fits too many incidents to go by the day alone
    mode = 0.5 if not event.mode or not mention.mode else float(event.mode == mention.mode)
    return (
        0.35 * place + 0.15 * type_score + 0.1 * actors + 0.1 * mode
        + cfg.text_weight * text + (0.2 if shared_figure else 0.0) - 0.05 * gap
    )  # fmt: skip


def incident_score(
    event: Features, mentions: Sequence[Features], cfg: MatchConfig, place: Location | None = None
) -> float | None:
    """The best agreement of the event with any mention of the incident (None: it cannot join).

    `place` is the incident's own place: an event placed elsewhere cannot join, even if one of the
    incident's mentions has no place at all."""
    if place_agreement(event.location, place, cfg.distance_km) is None:
        return None
    for mention in mentions:
        if (
            mention.article_id == event.article_id
            and mention.location is not None
            and not same_story(event, mention, cfg)
        ):
            return None  # one article telling two placed events apart: they are not one incident
    best: float | None = None
    for mention in mentions:
        s = pair_score(event, mention, cfg)
        if s is not None and (best is None or s > best):
            best = s
    return best
