"""An incident as a pure function of its mentions: counts, place, time and consolidated figures.

Rebuilding from the mentions (instead of patching fields) makes an update idempotent: applying the
same event twice gives the same incident. Figures follow the default an analyst would publish: per
count kind, the latest figure of the most authoritative claimant (an exact figure before an
approximate one of the same authority: "dozens" is no toll), with every claim kept and the range of
all claims when they conflict.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from schemas import Claim, Event, Figure, Incident, IncidentMention, Location

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


def _claims(mentions: Sequence[IncidentMention]) -> dict[str, list[Claim]]:
    """Every claim per kind; within one mention only the first figure of a kind counts (the first exact
    one when there is one: "dozens" is no count): the ones after it are breakdowns ("20 people, nine of
    them children") or other events told in passing."""
    out: dict[str, list[Claim]] = {}
    for m in mentions:
        first: dict[str, Claim] = {}
        for q in m.quantities:
            claim = Claim(
                value=q.value, upper=q.upper, approx=q.approx, object=q.object,
                claimant=q.claimant or m.claimant, source=m.source, event_id=m.event_id,
                reported_at=m.published_at,
            )  # fmt: skip
            if q.kind not in first or (first[q.kind].approx and not q.approx):
                first[q.kind] = claim
        for kind, claim in first.items():
            out.setdefault(kind, []).append(claim)
    return out


def figures(mentions: Sequence[IncidentMention]) -> list[Figure]:
    out = []
    for kind, claims in sorted(_claims(mentions).items()):

        def rank(c: Claim) -> tuple[int, bool, float, int]:
            when = c.reported_at.timestamp() if c.reported_at is not None else 0.0
            return (authority(c.claimant), not c.approx, when, c.value)

        best = max(claims, key=rank)
        values = [c.value for c in claims]
        out.append(
            Figure(
                kind=kind,
                value=best.value,
                claimant=best.claimant,
                low=min(values),
                high=max(values),
                disputed=min(values) != max(values),
                claims=claims,
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
    incident_id: str, mentions: Sequence[IncidentMention], version: int, now: datetime
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
        quantities=figures(mentions),
        mentions=list(mentions),
        updated_at=now,
    )
