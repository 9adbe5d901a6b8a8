"""Feeds, sitemaps and the adaptive poll interval.

`parse_feed` reads RSS 0.9x/1.0/2.0 and Atom with feedparser (always on bytes we fetched, so it never
fetches anything itself) and JSON Feed 1/1.1 with json. It never raises: an unusable feed comes back
with `error` set. Hostile input is refused before parsing: oversized bodies and documents that declare
XML entities (billion laughs, external entities); feeds have no use for either.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
from courlan import extract_domain
from trafilatura.feeds import FeedParameters, determine_feed
from trafilatura.sitemaps import SitemapObject

MAX_FEED_BYTES = 10_000_000
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z]")
_SKIP_HOURS = re.compile(rb"<skipHours>(.*?)</skipHours>", re.DOTALL | re.IGNORECASE)
_SKIP_DAYS = re.compile(rb"<skipDays>(.*?)</skipDays>", re.DOTALL | re.IGNORECASE)
_SY_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200, "yearly": 525600}


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


def _content_hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:32]


def _struct_date(value: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime; None for impossible dates."""
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC) if value else None
    except (TypeError, ValueError, OverflowError):
        return None


_MONTH_NAMES = (
    "jan feb mar apr may jun jul aug sep oct nov dec "  # English, then pt, es, it, fr, de, nl
    "jan fev mar abr mai jun jul ago set out nov dez "
    "ene feb mar abr may jun jul ago sep oct nov dic "
    "gen feb mar apr mag giu lug ago set ott nov dic "
    "jan fév mar avr mai juin juil aoû sep oct nov déc "
    "jan feb mär apr mai jun jul aug sep okt nov dez "
    "jan feb maa apr mei jun jul aug sep okt nov dec"
)
_MONTHS = {name: i % 12 + 1 for i, name in enumerate(_MONTH_NAMES.split())}
_LOOSE_DATE = re.compile(
    r"(\d{1,2})\.?\s+([^\W\d_]{3,5})\w*\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s*(?:([+-])(\d{2}):?(\d{2})|GMT|UTC|Z)?"
)


def _loose_date(value: Any) -> datetime | None:
    """An RFC 822 date with month and weekday names in another language, which feedparser rejects."""
    m = _LOOSE_DATE.search(str(value or ""))
    month = _MONTHS.get(m[2].lower()[:4], _MONTHS.get(m[2].lower()[:3], 0)) if m else 0
    if not m or not month:
        return None
    offset = (1 if m[7] == "+" else -1) * (int(m[8]) * 3600 + int(m[9]) * 60) if m[7] else 0
    try:
        local = datetime(int(m[3]), month, int(m[1]), int(m[4]), int(m[5]), int(m[6] or 0), tzinfo=UTC)
    except ValueError:
        return None
    return local - timedelta(seconds=offset)


def _iso_date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_feed(
    data: bytes, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int = MAX_FEED_BYTES
) -> ParsedFeed:
    """The feed's entries, or a ParsedFeed with `error` saying why there are none."""
    if len(data) > max_bytes:
        return ParsedFeed(error=f"feed body of {len(data)} bytes is over the {max_bytes}-byte cap")
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    if not data.strip():
        return ParsedFeed(error="empty feed body")
    if _declares_entities(data):
        return ParsedFeed(error="refused: the feed declares XML entities (entity-expansion/XXE guard)")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" or "json" in lowered.get("content-type", ""):
        return _parse_json_feed(data, url)
    try:
        # no Content-Location: feedparser would resolve a non-URL <guid> against it; links are joined below
        parsed = feedparser.parse(data, response_headers=lowered)
        return _from_feedparser(parsed, data, url)
    except Exception as exc:  # feedparser's loose parser can fail in odd ways on garbage; never raise
        return ParsedFeed(error=f"feed parser failed: {type(exc).__name__}: {exc}")


def _declares_entities(data: bytes) -> bool:
    """True when the prolog (all before the root element) declares entities."""
    first = _FIRST_ELEMENT.search(data)
    return bool(_ENTITY_DECL.search(data[: first.start() if first else len(data)]))


def _from_feedparser(parsed: Any, data: bytes, url: str) -> ParsedFeed:
    entries = []
    for e in parsed.entries:
        content = " ".join(c.get("value", "") for c in e.get("content", []))
        link = urljoin(url, e["link"].strip()) if (e.get("link") or "").strip() else None
        if not (link or e.get("id") or e.get("title") or e.get("summary") or content):
            continue  # an empty <item/>
        # dict.get: FeedParserDict maps a missing `updated` to `published`, with a DeprecationWarning
        updated = _struct_date(dict.get(e, "updated_parsed")) or _loose_date(dict.get(e, "updated"))
        published = _struct_date(e.get("published_parsed")) or _loose_date(e.get("published"))
        entries.append(
            FeedEntry(
                guid=e.get("id") or link,
                link=link,
                title=e.get("title"),
                published=published or updated,  # RSS 1.0's dc:date reaches feedparser as `updated`
                updated=updated,
                summary=e.get("summary"),
                content_hash=_content_hash(e.get("title"), e.get("summary"), content),
            )
        )
    feed = parsed.feed
    error = None
    if not entries:
        exc = parsed.get("bozo_exception")
        version = parsed.get("version") or ""
        html = re.match(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype html|html)", data[:2048], re.I | re.S)
        error = (
            "feed has no entries"
            if version
            else "not a feed: the body is an HTML page"
            if html
            else f"not a readable feed: {exc}"
            if exc
            else "not a feed: no RSS, RDF or Atom root"
        )
    ttl = str(feed.get("ttl") or "").strip()
    ttl_minutes = int(ttl) if ttl.isdigit() else None
    period = str(feed.get("sy_updateperiod") or "").strip().lower()
    if ttl_minutes is None and period in _SY_MINUTES:
        frequency = str(feed.get("sy_updatefrequency") or "1").strip()
        ttl_minutes = _SY_MINUTES[period] // max(1, int(frequency) if frequency.isdigit() else 1)
    return ParsedFeed(
        title=feed.get("title"),
        link=feed.get("link"),
        entries=entries,
        ttl_minutes=ttl_minutes,
        error=error,
        **_skips(data),
    )


def _skips(data: bytes) -> dict[str, Any]:
    """RSS <skipHours>/<skipDays>, which feedparser does not read (ASCII content, so read from bytes)."""
    hours_block, days_block = _SKIP_HOURS.search(data), _SKIP_DAYS.search(data)
    hours = re.findall(rb"<hour>\s*(\d{1,2})\s*</hour>", hours_block[1] if hours_block else b"", re.I)
    days = re.findall(rb"<day>\s*([A-Za-z]+)\s*</day>", days_block[1] if days_block else b"", re.I)
    return {
        "skip_hours": sorted({int(h) for h in hours if int(h) < 24}),
        "skip_days": [d.decode("ascii").capitalize() for d in days],
    }


def _parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1 and 1.1 (https://jsonfeed.org/version/1.1)."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return ParsedFeed(error=f"not a readable JSON feed: {exc}")
    if not isinstance(doc, dict) or not str(doc.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        return ParsedFeed(error="JSON document is not a JSON Feed (no jsonfeed.org version)")
    entries = []
    for item in doc.get("items") or []:
        if not isinstance(item, dict):
            continue
        link = urljoin(url, str(item.get("url") or item.get("external_url") or "")) or None
        summary = item.get("summary") or item.get("content_text") or item.get("content_html")
        content = item.get("content_html") or item.get("content_text")
        guid = item.get("id")
        entries.append(
            FeedEntry(
                guid=str(guid) if guid is not None else link,
                link=link,
                title=item.get("title"),
                published=_iso_date(item.get("date_published")),
                updated=_iso_date(item.get("date_modified")),
                summary=summary,
                content_hash=_content_hash(item.get("title"), summary, content),
            )
        )
    return ParsedFeed(
        title=doc.get("title"),
        link=doc.get("home_page_url"),
        entries=entries,
        error=None if entries else "JSON feed has no items",
    )


def discover_feeds(html: str | bytes, base_url: str) -> list[str]:
    """Feed URLs a page links to (<link rel=alternate> RSS/Atom/RDF/JSON, else feed-like <a> links)."""
    text = html.decode("utf-8", errors="replace") if isinstance(html, bytes) else html
    params = FeedParameters(base_url, extract_domain(base_url) or "", base_url)
    return list(dict.fromkeys(determine_feed(text, params)))


def parse_sitemap(data: bytes, url: str, *, max_bytes: int = 50_000_000) -> list[str]:
    """Page URLs of a sitemap or Google News sitemap, or the child sitemaps of a sitemap index.

    Gzipped sitemaps are inflated (up to `max_bytes`); links to other domains are dropped; a body that
    is not a sitemap, or is hostile, gives an empty list.
    """
    if data[:2] == b"\x1f\x8b":
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, max_bytes + 1)
        except zlib.error:
            return []
    if len(data) > max_bytes or _declares_entities(data):
        return []
    sitemap = SitemapObject(url, extract_domain(url) or "", [])
    sitemap.current_url = url
    sitemap.content = data.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    sitemap.process()
    found = sitemap.urls + sitemap.sitemap_urls
    if not found and extract_domain(url) is None:
        # courlan refuses hosts without a domain name (an IP, localhost, an intranet name), which
        # NEWSWIRE_ALLOW_PRIVATE_NETWORKS allows: read the <loc> elements of such a sitemap directly.
        found = _locs_on_host(data, url)
    return list(dict.fromkeys(found))


def _locs_on_host(data: bytes, url: str) -> list[str]:
    host = urlsplit(url).netloc
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        return []
    locs = [(el.text or "").strip() for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "loc"]
    return [loc for loc in locs if urlsplit(loc).scheme in ("http", "https") and urlsplit(loc).netloc == host]


def next_poll_interval(
    entries_published: Sequence[datetime],
    *,
    ttl_minutes: int | None,
    cache_max_age: float | None,
    retry_after: float | None,
    min_s: float = 300,
    max_s: float = 86_400,
    errors: int = 0,
    now: datetime | None = None,
) -> float:
    """Seconds until the next poll of a feed.

    Healthy feed: the median gap between its recent entries (the feed is polled about as often as it
    publishes), at least as long as its time since the last entry suggests when it has gone quiet,
    and never shorter than the publisher asks for (RSS ttl, Cache-Control max-age, Retry-After).
    Failing feed (`errors` consecutive failures): min_s doubled per failure. Always within
    [min_s, max_s], so no feed is polled in a tight loop or parked for good.
    """
    if errors > 0:
        interval = min_s * 2.0 ** min(errors, 30)
    else:
        now = now or datetime.now(UTC)
        dates = sorted(d if d.tzinfo else d.replace(tzinfo=UTC) for d in entries_published)
        dates = [d for d in dates if d <= now][-30:]
        interval = 3600.0
        if len(dates) >= 2:
            gaps = sorted((b - a).total_seconds() for a, b in pairwise(dates))
            interval = max(gaps[len(gaps) // 2], 60.0)
        if dates:
            interval = max(interval, (now - dates[-1]).total_seconds() / 4)
        for floor in (ttl_minutes * 60 if ttl_minutes else None, cache_max_age):
            if floor and floor > 0:
                interval = max(interval, float(floor))
    if retry_after and retry_after > 0:
        interval = max(interval, float(retry_after))
    return float(min(max_s, max(min_s, interval)))
