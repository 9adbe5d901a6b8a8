"""What matching compares: an event's or an incident's types, days, places, actors and evidence words.

Pure functions of the messages; no I/O. Days are ordinal numbers (date.toordinal) so that windows and
index buckets are plain integer arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import Actor, IncidentMention, Location

_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*", re.UNICODE)
# Words that say nothing about which event an article reports: function words, reporting verbs and the
# vocabulary every report of every event shares.
STOPWORDS = frozenset(
    """
    a about after again against all also an and another any are around as at be been before being
    between both but by can could did do does during each early earlier either for from had has have he her
    here his how if in into is it its itself last late later least local made make many may more most much
    near new next no nor not now of off on once one only or other others our out over own per said same
    say saying says several she should since so some still such than that the their them then there these
    they this those through to told too two under until up upon very was we were what when where which while
    who whom why will with within would yet you according official officials people report reported reports
    statement added day days week weeks month year years time times morning evening night overnight today
    yesterday monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def words(text: str, drop: Iterable[str] = ()) -> frozenset[str]:
    """Content words of a text, lower-cased, possessives and plural -s removed; numbers kept as written."""
    dropped = set(drop)
    out = set()
    for raw in _WORD.findall(text):
        w = raw.lower().replace("’", "'").strip("'-.,")
        if w.endswith("'s"):
            w = w[:-2]
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        if len(w) < 3 and not w[:1].isdigit():
            continue
        if w in STOPWORDS or w in dropped:
            continue
        out.add(w)
    return frozenset(out)


def place_words(location: Location | None) -> set[str]:
    """The words naming a place, left out of evidence similarity: the place is compared on its own."""
    if location is None:
        return set()
    names = [location.text, location.name or "", location.admin1 or "", location.country_name or ""]
    return {w for name in names for w in words(name)}


def day_range(
    start: datetime | None, end: datetime | None, published: datetime | None, max_span_days: int
) -> tuple[int, int] | None:
    """The days an event may have happened on: its own time when precise enough, else its publication day.

    `end` is exclusive (the extractor's day precision gives [day, next day)). A time vaguer than
    `max_span_days` cannot tell one incident from another, so it gives no range at all.
    """
    if start is not None:
        first = start.date().toordinal()
        last = (
            (end - timedelta(microseconds=1)).date().toordinal() if end is not None and end > start else first
        )
        if last - first + 1 > max_span_days:
            return None
        return first, last
    if published is not None:
        day = published.date().toordinal()
        return day, day
    return None


def countries(*actors: Actor | None) -> frozenset[str]:
    return frozenset(a.country for a in actors if a is not None and a.country)


@dataclass(frozen=True)
class Features:
    """What one mention contributes to matching."""

    event_id: str
    article_id: str
    event_type: str
    mode: str | None
    days: tuple[int, int] | None
    location: Location | None
    actor: str | None
    recipient: str | None
    parties: frozenset[str]
    words: frozenset[str]
    figures: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    place_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def country(self) -> str:
        return (self.location.country or "") if self.location is not None else ""


def mention_features(mention: IncidentMention, max_span_days: int) -> Features:
    t = mention.time
    days = day_range(t.start if t else None, t.end if t else None, mention.published_at, max_span_days)
    names = place_words(mention.location)
    return Features(
        event_id=mention.event_id,
        article_id=mention.article_id,
        event_type=mention.event_type,
        mode=mention.mode,
        days=days,
        location=mention.location,
        actor=mention.actor.country if mention.actor else None,
        recipient=mention.recipient.country if mention.recipient else None,
        parties=countries(mention.actor, mention.recipient),
        words=words(mention.evidence.text, drop=names),
        figures=frozenset((q.kind, q.value) for q in mention.quantities),
        place_names=frozenset(names),
    )
