"""An incident as a pure function of its mentions: counts, place, time and consolidated figures.

Rebuilding from the mentions (instead of patching fields) makes an update idempotent: applying the
same event twice gives the same incident.

Figures: one per count kind, every claim kept with its claimant and source, and the range of all
claims when they conflict. Which claim gives the figure is `incident_figure_policy`:
- `latest` (the default, what an analyst publishes while the news is fresh): the latest figure of the
  most authoritative claimant; a number before a magnitude ("dozens" is no toll); for tolls (killed,
  injured, casualties) never a later figure under an earlier one of a claimant as authoritative when
  either is a floor: tolls are revised upwards, so after "at least 15" a "one" is a part ("one more
  died"), and after "12" an "at least 6" says nothing new;
- `conservative` (ACLED's rule): the lowest figure of the latest report, whoever claims it (hearsay
  only when nobody else gave one), revised as reports come in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from schemas import Claim, Event, Figure, Incident, IncidentMention, Location, Quantity

_PRECISION_RANK = {"point": 3, "city": 2, "admin1": 1, "country": 0, None: 0}
_SPAN_RANK = {"hour": 0, "day": 1, "week": 2, "month": 3, "year": 4, None: 5}

# Who says a figure decides how much it weighs: an office or authority over an unnamed report, and
# both over hearsay. Word lists, not names, so that they hold for any country.
_OFFICIAL = re.compile(
    r"\b(ministry|minister|ministers|police|government|governor|mayor|military|army|armed forces|"
    r"authorities|authority|officials?|office|president|prime|spokes\w*|health|emergenc\w*|civil defen[cs]e|"
    r"services?|headquarters|prosecutors?|interior|defen[cs]e|council|administration|agency|department|"
    r"command|staff|united nations|un|red cross|red crescent|icrc|who)\b",
    re.IGNORECASE,
)
_HEARSAY = re.compile(
    r"\b(witness\w*|residents?|sources?|rumou?rs?|social media|videos?|footage|unconfirmed|"
    r"activists?|reports?|media)\b",
    re.IGNORECASE,
)


def authority(claimant: str | None) -> int:
    """2 an official body, 1 unattributed or another named claimant, 0 hearsay."""
    if not claimant:
        return 1
    if _HEARSAY.search(claimant) and not _OFFICIAL.search(claimant):
        return 0
    return 2 if _OFFICIAL.search(claimant) else 1


def mention_of(event: Event) -> IncidentMention:
    return IncidentMention(
        event_id=event.event_id,
        article_id=event.article_id,
        source=event.source,
        source_url=event.source_url,
        published_at=event.published_at,
        event_type=event.event_type,
        mode=event.mode,
        actor=event.actor,
        recipient=event.recipient,
        location=event.location,
        time=event.time,
        claimant=event.claimant,
        quantities=event.quantities,
        evidence=event.evidence,
    )


# Words that give an order of magnitude, not a count: "dozens" is no toll.
_VAGUE = re.compile(r"\b(dozens|scores|hundreds|thousands|tens|several|many|a few|numerous)\b", re.IGNORECASE)
# A figure stated as a floor: "at least 21", "more than 60".
_FLOOR = re.compile(r"^\W*(at least|more than|over|upwards of|no fewer than|in excess of)\b", re.IGNORECASE)
# Counts of people that reports only ever revise upwards: a later, lower figure of these is a part
# of the toll (a breakdown, "one more died"), not a revision of it.
TOLL_KINDS = frozenset({"killed", "injured", "casualties"})
FIGURE_POLICIES = ("latest", "conservative")


def magnitude_only(q: Quantity) -> bool:
    """ "dozens", "several hundred": an order of magnitude, no number."""
    return q.approx and _VAGUE.search(q.text) is not None and not any(c.isdigit() for c in q.text)


@dataclass(frozen=True)
class _Reported:
    """A claim with what its wording says about it."""

    claim: Claim
    vague: bool
    floor: bool

    @property
    def when(self) -> float:
        return self.claim.reported_at.timestamp() if self.claim.reported_at is not None else 0.0

    def rank(self) -> tuple[int, bool, float, bool, int]:
        """Most authoritative, a number before a magnitude, the latest; at one time an exact figure
        before a floor, then the higher (tolls rise: of two reports at once, the higher is the newer)."""
        return (authority(self.claim.claimant), not self.vague, self.when, not self.floor, self.claim.value)


def _reported(mentions: Sequence[IncidentMention]) -> dict[str, list[_Reported]]:
    """Every claim per kind. Within one mention, one claim per kind and claimant: the first figure, or
    the first that is a number when the first is only a magnitude ("dozens"); the ones after it are
    breakdowns ("20 people, nine of them children") or other events told in passing. Two claimants in
    one mention ("35 dead, Kyiv says; Moscow claims 60") are two claims."""
    out: dict[str, list[_Reported]] = {}
    for m in mentions:
        first: dict[tuple[str, str | None], _Reported] = {}
        for q in m.quantities:
            claimant = q.claimant or m.claimant
            claim = Claim(
                value=q.value, upper=q.upper, approx=q.approx, object=q.object,
                claimant=claimant, source=m.source, event_id=m.event_id, reported_at=m.published_at,
            )  # fmt: skip
            key = (q.kind, claimant)
            if key not in first or (first[key].vague and not magnitude_only(q)):
                first[key] = _Reported(claim, magnitude_only(q), _FLOOR.search(q.text) is not None)
        for (kind, _), reported in first.items():
            out.setdefault(kind, []).append(reported)
    return out


def _below_a_floor(r: _Reported, claims: Sequence[_Reported]) -> bool:
    """A later toll under an earlier one of a claimant as authoritative, either of them a floor ("at
    least 15", then "one": a part; "12", then "at least 6": nothing new), is no revision of it."""
    level = authority(r.claim.claimant)
    return any(
        (o.floor or r.floor) and o.claim.value > r.claim.value and o.when < r.when
        and authority(o.claim.claimant) >= level
        for o in claims
    )  # fmt: skip


def _latest(kind: str, claims: Sequence[_Reported]) -> _Reported:
    """The latest figure of the most authoritative claimant (numbers before magnitudes)."""
    eligible = [r for r in claims if kind not in TOLL_KINDS or not _below_a_floor(r, claims)] or claims
    return max(eligible, key=_Reported.rank)


def _conservative(claims: Sequence[_Reported]) -> _Reported:
    """ACLED's rule: the lowest figure of the latest report, over every claimant but hearsay (and
    magnitudes only when nobody gave a number)."""
    pool = [r for r in claims if authority(r.claim.claimant) > 0] or list(claims)
    pool = [r for r in pool if not r.vague] or pool
    latest = max(r.when for r in pool)
    return min((r for r in pool if r.when == latest), key=lambda r: r.claim.value)


def figures(mentions: Sequence[IncidentMention], policy: str = "latest") -> list[Figure]:
    """One figure per count kind, chosen by `policy` (`latest` or `conservative`), with every claim."""
    if policy not in FIGURE_POLICIES:
        raise ValueError(f"unknown figure policy {policy!r}: one of {', '.join(FIGURE_POLICIES)}")
    out = []
    for kind, reported in sorted(_reported(mentions).items()):
        best = _conservative(reported) if policy == "conservative" else _latest(kind, reported)
        values = [r.claim.value for r in reported]
        out.append(
            Figure(
                kind=kind,
                value=best.claim.value,
                claimant=best.claim.claimant,
                low=min(values),
                high=max(values),
                disputed=min(values) != max(values),
                claims=[r.claim for r in reported],
            )
        )
    return out


def _location(mentions: Sequence[IncidentMention]) -> Location | None:
    places = [m.location for m in mentions if m.location is not None]
    if not places:
        return None
    votes = Counter((p.name or p.text).casefold() for p in places)
    return max(places, key=lambda p: (votes[(p.name or p.text).casefold()], _PRECISION_RANK[p.precision]))


def _most_common(values: Sequence[str]) -> str | None:
    if not values:
        return None
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -values.index(v)))


def consolidate(
    incident_id: str,
    mentions: Sequence[IncidentMention],
    version: int,
    now: datetime,
    figure_policy: str = "latest",
) -> Incident:
    """The incident its mentions describe (mentions in the order they arrived)."""
    event_type = _most_common([m.event_type for m in mentions]) or mentions[0].event_type
    timed = [m for m in mentions if m.time is not None and m.time.start is not None]
    time = min(timed, key=lambda m: _SPAN_RANK[m.time.precision if m.time else None]).time if timed else None
    published = [m.published_at for m in mentions if m.published_at is not None]
    if time is not None and time.start is not None:
        date: str | None = time.start.date().isoformat()
    else:
        date = min(published).date().isoformat() if published else None
    main = [m for m in mentions if m.event_type == event_type]
    actor_country = _most_common([m.actor.country for m in main if m.actor and m.actor.country])
    recipient_country = _most_common(
        [m.recipient.country for m in main if m.recipient and m.recipient.country]
    )
    sources = sorted({m.source or m.article_id for m in mentions})
    return Incident(
        incident_id=incident_id,
        version=version,
        event_type=event_type,
        types=sorted({m.event_type for m in mentions}),
        mode=_most_common([m.mode for m in main if m.mode]),
        actor=next((m.actor for m in main if m.actor and m.actor.country == actor_country), None),
        recipient=next(
            (m.recipient for m in main if m.recipient and m.recipient.country == recipient_country), None
        ),
        location=_location(main) or _location(mentions),
        time=time,
        date=date,
        first_seen=min(published) if published else None,
        last_seen=max(published) if published else None,
        num_mentions=len(mentions),
        num_articles=len({m.article_id for m in mentions}),
        num_sources=len(sources),
        sources=sources,
        quantities=figures(mentions, figure_policy),
        mentions=list(mentions),
        updated_at=now,
    )
