"""Time expressions resolved against the article's publication time.

Handles "today", "this morning", "overnight", "last night", "yesterday", weekday names ("on Monday"),
"last/next/this week", "last/this month", "earlier this month" and dates ("September 14", "14 Sept 2025").
Without a publication date nothing is resolved (the event's time stays null).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from schemas import EventTime

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
MONTHS.update({m[:3]: n for m, n in list(MONTHS.items())} | {"sept": 9})
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DATE_MD = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_DATE_DM = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(\d{{4}}))?\b", re.I)
_RELATIVE = re.compile(
    r"\b(this morning|this afternoon|this evening|tonight|today|overnight|last night|yesterday|"
    r"the day before|"
    r"last week|this week|next week|earlier this week|last month|this month|earlier this month|next month|"
    r"(?:on |last |this |next )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)


def _day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _week(moment: datetime, weeks: int) -> tuple[datetime, datetime]:
    start = _day(moment) - timedelta(days=moment.weekday()) + timedelta(weeks=weeks)
    return start, start + timedelta(days=7)


def _month(moment: datetime, months: int) -> tuple[datetime, datetime]:
    index = moment.year * 12 + moment.month - 1 + months
    start = _day(moment).replace(year=index // 12, month=index % 12 + 1, day=1)
    after = index + 1
    return start, start.replace(year=after // 12, month=after % 12 + 1)


def _relative(phrase: str, published: datetime) -> EventTime:
    p = phrase.lower()
    day = _day(published)
    if p in {"today", "this morning", "this afternoon", "this evening", "tonight"}:
        return EventTime(start=day, end=day + timedelta(days=1), precision="day", text=phrase)
    if p == "overnight" or p == "last night":
        start = day - timedelta(hours=6)
        return EventTime(start=start, end=day + timedelta(hours=8), precision="hour", text=phrase)
    if p in {"yesterday", "the day before"}:
        return EventTime(start=day - timedelta(days=1), end=day, precision="day", text=phrase)
    if p.endswith("week"):
        start, end = _week(published, -1 if "last" in p else 1 if "next" in p else 0)
        return EventTime(start=start, end=end, precision="week", text=phrase)
    if p.endswith("month"):
        start, end = _month(published, -1 if "last" in p else 1 if "next" in p else 0)
        return EventTime(start=start, end=end, precision="month", text=phrase)
    weekday = WEEKDAYS.index(p.split()[-1])
    offset = (published.weekday() - weekday) % 7
    if p.startswith("next"):
        offset = -((weekday - published.weekday()) % 7 or 7)
    elif p.startswith("last") and offset == 0:
        offset = 7
    start = day - timedelta(days=offset)
    return EventTime(start=start, end=start + timedelta(days=1), precision="day", text=phrase)


def _absolute(
    match: re.Match[str], month_group: int, day_group: int, published: datetime
) -> EventTime | None:
    month = MONTHS.get(match.group(month_group).lower().rstrip(".")[:3])
    if month is None:
        return None
    year = int(match.group(3)) if match.group(3) else published.year
    try:
        start = published.replace(
            year=year, month=month, day=int(match.group(day_group)), hour=0, minute=0, second=0, microsecond=0
        )
    except ValueError:
        return None
    if not match.group(3) and start > published + timedelta(days=2):
        if (start.month, start.day) == (2, 29):
            return None  # "Feb 29" in a year after a leap year names no day of last year
        start = start.replace(year=year - 1)
    return EventTime(start=start, end=start + timedelta(days=1), precision="day", text=match.group(0))


def resolve_time(sentence: str, published: datetime | None) -> EventTime | None:
    """The first time expression of a sentence, resolved; None without one or without a publication date."""
    if published is None:
        return None
    found: list[tuple[int, EventTime]] = []
    for match in _DATE_MD.finditer(sentence):
        resolved = _absolute(match, 1, 2, published)
        if resolved:
            found.append((match.start(), resolved))
    for match in _DATE_DM.finditer(sentence):
        resolved = _absolute(match, 2, 1, published)
        if resolved:
            found.append((match.start(), resolved))
    for match in _RELATIVE.finditer(sentence):
        found.append((match.start(), _relative(match.group(1), published)))
    return min(found, key=lambda pair: pair[0])[1] if found else None


def refers_back(sentence: str) -> bool:
    """Whether the sentence dates itself by the previous one ("on the same day", "that morning",
    "earlier").
    """
    return bool(
        re.search(
            r"\b(the same day|that (?:day|morning|night|evening)|earlier that|later that)\b", sentence, re.I
        )
    )
