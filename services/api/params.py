"""Query parameters parsed by hand, so that every bad value gets a 400 naming its parameter.

Names follow OGC API – Features where it has one (`bbox`, `datetime`, `limit`); values are checked
here rather than by FastAPI's validation, whose 422 does not name parameters the same way.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

ISO3 = re.compile(r"^[A-Za-z]{3}$")


class BadParameter(ValueError):
    """A query parameter the API cannot use; answered with 400 and its name."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class BBox:
    west: float
    south: float
    east: float
    north: float

    @property
    def crosses_antimeridian(self) -> bool:
        return self.west > self.east

    def contains(self, lon: float, lat: float) -> bool:
        if not self.south <= lat <= self.north:
            return False
        if self.crosses_antimeridian:
            return lon >= self.west or lon <= self.east
        return self.west <= lon <= self.east


MIN_SEARCH_CHARS = 3  # the trigram indexes of q (services/store/search.py) need three characters


def search_text(query: Mapping[str, str], name: str) -> str | None:
    """A substring to search for: at least three characters, so that an index can answer it."""
    value = one(query, name)
    if value is not None and len(value) < MIN_SEARCH_CHARS:
        raise BadParameter(name, f"needs at least {MIN_SEARCH_CHARS} characters")
    return value


def one(query: Mapping[str, str], name: str) -> str | None:
    value = query.get(name)
    if value is None or value.strip() == "":
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise BadParameter(name, "contains control characters")
    if len(value) > 2000:
        raise BadParameter(name, "too long")
    return value.strip()


def words(query: Mapping[str, str], name: str, allowed: Collection[str] | None = None) -> tuple[str, ...]:
    value = one(query, name)
    if value is None:
        return ()
    items = tuple(v.strip() for v in value.split(",") if v.strip())
    if allowed is not None:
        unknown = [v for v in items if v not in allowed]
        if unknown:
            raise BadParameter(name, f"unknown value {unknown[0]!r}; one of {', '.join(sorted(allowed))}")
    return items


def countries(query: Mapping[str, str], name: str) -> tuple[str, ...]:
    items = words(query, name)
    for item in items:
        if not ISO3.match(item):
            raise BadParameter(name, f"{item!r} is not an ISO 3166-1 alpha-3 code")
    return tuple(i.upper() for i in items)


def integer(query: Mapping[str, str], name: str, default: int | None = None, *, lo: int = 0,
            hi: int | None = None) -> int | None:  # fmt: skip
    value = one(query, name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not an integer") from None
    if number < lo or (hi is not None and number > hi):
        raise BadParameter(name, f"must be between {lo} and {hi}" if hi is not None else f"must be >= {lo}")
    return number


def number(query: Mapping[str, str], name: str, *, lo: float, hi: float) -> float | None:
    value = one(query, name)
    if value is None:
        return None
    try:
        parsed = float(value)
    except ValueError:
        raise BadParameter(name, f"{value!r} is not a number") from None
    if not lo <= parsed <= hi:
        raise BadParameter(name, f"must be between {lo:g} and {hi:g}")
    return parsed


def instant(name: str, value: str, *, end: bool = False) -> datetime:
    """An RFC 3339 date-time; a bare date means its first instant (its last as an interval's end)."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                return datetime.combine(day + timedelta(days=1), time.min, UTC) - timedelta(microseconds=1)
            return datetime.combine(day, time.min, UTC)
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise BadParameter(name, f"{value!r} is not an RFC 3339 date-time or date") from None
    if parsed.tzinfo is None:
        raise BadParameter(name, f"{value!r} has no time zone (add Z or an offset)")
    return parsed.astimezone(UTC)


def interval(query: Mapping[str, str], name: str) -> tuple[datetime | None, datetime | None]:
    """`start/end` with `..` (or nothing) for an open end, or one instant (or date) alone."""
    value = one(query, name)
    if value is None:
        return None, None
    if "/" not in value:
        first = instant(name, value)
        return first, instant(name, value, end=True) if len(value) == 10 else first
    left, _, right = value.partition("/")
    start = None if left in ("", "..") else instant(name, left)
    stop = None if right in ("", "..") else instant(name, right, end=True)
    if start is None and stop is None:
        raise BadParameter(name, "both ends are open")
    if start is not None and stop is not None and start > stop:
        raise BadParameter(name, "start is after end")
    return start, stop


def bbox(query: Mapping[str, str], name: str = "bbox") -> BBox | None:
    value = one(query, name)
    if value is None:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise BadParameter(name, "expected minLon,minLat,maxLon,maxLat")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadParameter(name, "expected four numbers: minLon,minLat,maxLon,maxLat") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise BadParameter(name, "values must be finite")
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise BadParameter(name, "longitudes must be within -180..180")
    if not (-90 <= south <= north <= 90):
        raise BadParameter(name, "latitudes must be within -90..90 with minLat <= maxLat")
    return BBox(west, south, east, north)


def encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def decode_cursor(query: Mapping[str, str], name: str = "cursor") -> tuple[datetime, str] | None:
    value = one(query, name)
    if value is None:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        when, key = raw
        parsed = datetime.fromisoformat(when)
        if not isinstance(key, str) or parsed.tzinfo is None:
            raise ValueError(key)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise BadParameter(name, "not a cursor from a `next` link") from None
    return parsed.astimezone(UTC), key


def check_known(query: Mapping[str, str], known: Collection[str]) -> None:
    for name in query:
        if name not in known:
            raise BadParameter(name, f"unknown parameter; known: {', '.join(sorted(known))}")
