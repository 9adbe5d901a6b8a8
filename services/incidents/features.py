"""What matching compares: an event's or an incident's types, days, places, actors and evidence words.

Pure functions of the messages; no I/O. Days are ordinal numbers (date.toordinal) so that windows and
index buckets are plain integer arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from schemas import Actor, IncidentMention, Location
from services.incidents.dating import dated_elsewhere

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


_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_TENS = ("thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_UNITS)} | {w: str(30 + 10 * i) for i, w in enumerate(_TENS)}
# Words that news reports use for one thing, folded to one stem (reports of one event differ in wording
# most on exactly these).
_SAME_AS = {
    "swap": "exchang",
    "trade": "exchang",
    "dead": "kill",
    "death": "kill",
    "die": "kill",
    "toll": "kill",
    "wound": "injur",
    "hurt": "injur",
    "arrest": "detain",
    "held": "detain",
    "pow": "prisoner",
    "captive": "prisoner",
    "attack": "strik",
    "struck": "strik",
    "hit": "strik",
}
_SUFFIX = re.compile(r"(?:ing|ed|es|s|e)$")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem: -ing, -ed, -es, -s, -e and a doubled final consonant removed from longer words."""
    if len(word) > 4 and not word.endswith("ss"):
        word = _SUFFIX.sub("", word)
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
            word = word[:-1]
    return _SAME_AS.get(word, word)


@lru_cache(maxsize=65536)
def _number(word: str) -> str | None:
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    tens, _, unit = word.partition("-")
    if tens in _NUMBER_WORDS and unit in _NUMBER_WORDS:  # forty-eight
        return str(int(_NUMBER_WORDS[tens]) + int(_NUMBER_WORDS[unit]))
    if word[:1].isdigit():
        return word.replace(",", "")
    return None


def words(text: str, drop: Iterable[str] = ()) -> frozenset[str]:
    """Content words of a text: lower-cased, stemmed, numbers as digits; stopwords and `drop` left out."""
    dropped = set(drop)
    out = set()
    for raw in _WORD.findall(text):
        w = raw.lower().replace("’", "'").strip("'-.,")
        if w.endswith("'s"):
            w = w[:-2]
        number = _number(w)
        if number is not None:
            if number not in ("0", "1"):
                out.add(number)
            continue
        if len(w) < 3 or w in STOPWORDS or w in dropped:
            continue
        w = stem(w)
        if w not in dropped:
            out.add(w)
    return frozenset(out)


def place_words(location: Location | None) -> set[str]:
    """The words naming a place, left out of evidence similarity: the place is compared on its own."""
    if location is None:
        return set()
    names = (location.text, location.name or "", location.admin1 or "", location.country_name or "")
    return {w for name in names for w in _name_words(name)}


@lru_cache(maxsize=16384)
def _name_words(name: str) -> frozenset[str]:
    return words(name)


def day_range(
    start: datetime | None,
    end: datetime | None,
    published: datetime | None,
    max_span_days: int,
    evidence: str = "",
) -> tuple[int, int] | None:
    """The days an event may have happened on: its own time when precise enough, else the days its
    evidence names ("In March, ...", services/incidents/dating.py), else its publication day.

    `end` is exclusive (the extractor's day precision gives [day, next day)). A time vaguer than
    `max_span_days` cannot tell one incident from another, so it gives no range at all.
    """
    if start is not None:
        first = start.date().toordinal()
        last = (
            (end - timedelta(microseconds=1)).date().toordinal() if end is not None and end > start else first
        )
        return (first, last) if last - first + 1 <= max_span_days else None
    if published is None:
        return None
    dated = dated_elsewhere(evidence, published) if evidence else None
    if dated is not None:
        days = dated.days
        return days if days is not None and days[1] - days[0] + 1 <= max_span_days else None
    day = published.date().toordinal()
    return day, day


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
    figures: frozenset[int] = field(default_factory=frozenset)  # values of 3 and more: small ones say little
    place_names: frozenset[str] = field(default_factory=frozenset)

    @property
    def country(self) -> str:
        return (self.location.country or "") if self.location is not None else ""


def mention_features(mention: IncidentMention, max_span_days: int) -> Features:
    t = mention.time
    days = day_range(
        t.start if t else None,
        t.end if t else None,
        mention.published_at,
        max_span_days,
        mention.evidence.text,
    )
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
        figures=frozenset(q.value for q in mention.quantities if q.value >= 3),
        place_names=frozenset(names),
    )
