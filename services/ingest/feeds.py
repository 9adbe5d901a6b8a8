"""Feed parsing with feedparser on bytes we fetched, feed discovery and the adaptive poll interval."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser


@dataclass
class FeedEntry:
    guid: str | None
    link: str | None
    title: str | None
    published: datetime | None
    updated: datetime | None
    summary: str | None
    content_hash: str


@dataclass
class ParsedFeed:
    title: str | None = None
    link: str | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    ttl_minutes: int | None = None
    skip_hours: list[int] = field(default_factory=list)
    skip_days: list[str] = field(default_factory=list)
    error: str | None = None


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    year, month, day, hour, minute, second = (int(v) for v in value[:6])
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def parse_feed(
    data: bytes, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int = 10_000_000
) -> ParsedFeed:
    if len(data) > max_bytes:
        return ParsedFeed(error=f"feed of {len(data)} bytes is over the cap of {max_bytes}")
    parsed = feedparser.parse(data, response_headers=dict(headers or {}))
    entries = []
    for e in parsed.entries:
        body = (e.get("title") or "") + (e.get("summary") or "")
        entries.append(
            FeedEntry(
                guid=e.get("id"),
                link=e.get("link"),
                title=e.get("title"),
                published=_date(e.get("published_parsed")),
                updated=_date(e.get("updated_parsed")),
                summary=e.get("summary"),
                content_hash=hashlib.sha256(body.encode()).hexdigest()[:32],
            )  # fmt: skip
        )
    error = None
    if not entries and parsed.get("bozo"):
        error = f"not a readable feed: {parsed.get('bozo_exception')}"
    ttl = parsed.feed.get("ttl")
    return ParsedFeed(
        title=parsed.feed.get("title"), link=parsed.feed.get("link"), entries=entries,
        ttl_minutes=int(ttl) if str(ttl or "").isdigit() else None, error=error,
    )  # fmt: skip


def discover_feeds(html: str | bytes, base_url: str) -> list[str]:
    from trafilatura.feeds import determine_feed

    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    return list(determine_feed(text, {"base_url": base_url, "domain": "", "reference": base_url}) or [])  # type: ignore[arg-type]


def next_poll_interval(
    entries_published: Sequence[datetime],
    *,
    ttl_minutes: int | None,
    cache_max_age: float | None,
    retry_after: float | None,
    min_s: float = 300,
    max_s: float = 86_400,
    errors: int = 0,
) -> float:
    if errors:
        return float(min(max_s, min_s * 2 ** min(errors, 16)))
    interval = max_s / 4
    dates = sorted(entries_published)
    if len(dates) >= 2:
        span = (dates[-1] - dates[0]).total_seconds()
        interval = span / (len(dates) - 1)
    for floor in (ttl_minutes * 60 if ttl_minutes else None, cache_max_age, retry_after):
        if floor:
            interval = max(interval, floor)
    return float(min(max_s, max(min_s, interval)))
