"""When an event has no time of its own: does its evidence date it away from the publication day?

Matching lets an undated event stand on its publication day, which is right for the news of the day
and wrong for the background an article recalls: "In March, a rally in Belgrade drew 300,000" in a
June article is no part of June's rally, nor is "after a swap of 175 for 175 in March" part of an
April exchange. This reads the few phrases that date a clause on their own:
- a month, or a year, after "in", "during", "last", "early", "late", "mid" ("In March", "last
  November", "in 2022"): that month (the latest one not after the publication), or no day at all for a
  year; the publication's own month and year say nothing;
- "N days/weeks ago" or "earlier": that day (three days either way for weeks); months and years ago: no day;
- "X came N days after Y": the day's news or the one N days before, whichever the event is, so every
  day from then to the publication (a span that matching only trusts with similar evidence or a
  shared figure).
"since March", "the deadliest since 2022" or "since the war began in 2022" date a span or a
comparison, not the event: a month or year after "since" never counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_MONTH_OR_YEAR = re.compile(
    r"\b(?i:in|during|last|early|late|mid)(?:\s+|-)(?:(?i:early|late|mid)(?:\s+|-))?"
    rf"({'|'.join(_MONTHS)}|(?:19|20)\d\d)\b"
)
_SINCE = re.compile(r"\b(?i:since)\b")
_COUNTS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "a few": 3,
}  # fmt: skip
_COUNT = "|".join(sorted(_COUNTS, key=len, reverse=True))
_AGO = re.compile(rf"\b(\d+|{_COUNT})\s+(day|week|month|year)s?\s+(?:ago|earlier)\b", re.IGNORECASE)
_AFTER = re.compile(rf"\b(\d+|{_COUNT})\s+(day|week)s?\s+after\b", re.IGNORECASE)


@dataclass(frozen=True)
class Dated:
    """The days the evidence names (ordinals, both ends included); None when vaguer than a month."""

    days: tuple[int, int] | None


def _month(name: str, published: datetime) -> Dated | None:
    month = _MONTHS.index(name) + 1
    if month == published.month:
        return None
    year = published.year if month < published.month else published.year - 1
    first = date(year, month, 1)
    after = date(year + month // 12, month % 12 + 1, 1)
    return Dated((first.toordinal(), after.toordinal() - 1))


def _ago(count: str, unit: str, published: datetime) -> Dated:
    n = int(count) if count.isdigit() else _COUNTS[count.lower()]
    day = published.date().toordinal()
    unit = unit.lower()
    if unit == "day":
        return Dated((day - n, day - n))
    if unit == "week":
        return Dated((day - 7 * n - 3, day - 7 * n + 3))
    return Dated(None)


def _after(count: str, unit: str, published: datetime) -> Dated:
    n = int(count) if count.isdigit() else _COUNTS[count.lower()]
    day = published.date().toordinal()
    return Dated((day - (n if unit.lower() == "day" else 7 * n + 3), day))


def dated_elsewhere(text: str, published: datetime) -> Dated | None:
    """The days the evidence dates its event to when they are not the publication's; None when it
    names no other time (the publication day stands)."""
    for m in _MONTH_OR_YEAR.finditer(text):
        if _SINCE.search(text, 0, m.start()):
            continue  # "since the war began in 2022": the start of a span the event falls in
        named = m.group(1)
        if named.isdigit():
            if int(named) != published.year:
                return Dated(None)
            continue
        found = _month(named, published)
        if found is not None:
            return found
    for m in _AGO.finditer(text):
        return _ago(m.group(1), m.group(2), published)
    for m in _AFTER.finditer(text):
        return _after(m.group(1), m.group(2), published)
    return None
