"""parse_feed on the 19 real feeds in ../shared, on hostile and broken input; JSON Feed, sitemaps, polling."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from services.ingest.feeds import discover_feeds, next_poll_interval, parse_feed, parse_sitemap

FEEDS = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "feeds"
needs_feeds = pytest.mark.skipif(not FEEDS.is_dir(), reason=f"shared feed benchmark not found at {FEEDS}")
FEED_FILES = sorted(FEEDS.glob("*.xml")) if FEEDS.is_dir() else []
# grep counts of <item>/<entry> from the benchmark README (upper bounds where it says "~")
MIN_ENTRIES = {
    "golem.de": 40,
    "theguardian-us": 55,
    "lanacion.com.ar": 100,
    "science-mag": 60,
    "heise.de": 60,
}


@needs_feeds
def test_all_nineteen_feeds_are_in_the_benchmark() -> None:
    assert len(FEED_FILES) == 19


@needs_feeds
@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: p.name)
def test_every_real_feed_gives_entries_with_links_and_ids(path: Path) -> None:
    feed = parse_feed(path.read_bytes(), "https://feeds.example.org/rss")
    assert feed.error is None, feed.error
    assert feed.entries, "no entries"
    prefix = path.name.split("_")[0]
    assert len(feed.entries) >= MIN_ENTRIES.get(prefix, 1)
    assert feed.title
    for entry in feed.entries:
        assert entry.link and entry.link.startswith("http"), entry.link
        assert entry.guid
        assert len(entry.content_hash) == 32
        for stamp in (entry.published, entry.updated):
            assert stamp is None or stamp.tzinfo is not None


@needs_feeds
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("le-cercle-psy_rss2_no-xml-decl_latin1.xml", "Perturbateurs endocriniens : quels effets"),
        ("uol-noticias_rss2_no-xml-decl_latin1.xml", "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin"),
        ("jn.pt_rss2_iso-8859-1_feedburner.xml", "Mãe de utente é a nova presidente"),
        ("inovacaotecnologica.com.br_rss2_1item_iso-8859-1.xml", "Revolução nas telas com pontos quânticos"),
    ],
)
def test_latin1_feeds_decode_to_accented_text(name: str, expected: str) -> None:
    feed = parse_feed((FEEDS / name).read_bytes(), "https://feeds.example.org/rss")
    title = feed.entries[0].title or ""
    assert title.startswith(expected), title
    assert "\ufffd" not in title and "Ã" not in title


@needs_feeds
def test_foreign_language_rfc822_dates_are_read() -> None:
    uol = parse_feed((FEEDS / "uol-noticias_rss2_no-xml-decl_latin1.xml").read_bytes(), "https://u.br/")
    # "Seg, 24 Set 2018 19:42:40 -0300"
    assert uol.entries[0].published == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)
    messaggero = parse_feed(
        (FEEDS / "ilmessaggero.it_rss2_1item_no-xml-decl.xml").read_bytes(), "https://m.it/"
    )
    assert messaggero.entries[0].published == datetime(2022, 11, 15, 23, 38, 15, tzinfo=UTC)


@needs_feeds
def test_quirky_feeds_and_channel_fields() -> None:
    def load(name: str) -> bytes:
        return (FEEDS / name).read_bytes()

    assert len(parse_feed(load("fcutrecht.net_rss2_broken-prolog.xml"), "https://f.nl/").entries) == 20
    assert len(parse_feed(load("macworld_rss2_leading-whitespace.xml"), "https://m.com/").entries) == 30
    # ten <item>s, one of them empty (<title></title><link></link>): skipped
    assert len(parse_feed(load("le-cercle-psy_rss2_no-xml-decl_latin1.xml"), "https://c.fr/").entries) == 9
    assert parse_feed(load("bbc-urdu_rss2.xml"), "https://b.com/").ttl_minutes == 15
    mint = parse_feed(load("livemint_rss2.xml"), "https://feeds.example.org/rss")
    assert mint.entries[0].guid == "1559104147038"  # a non-URL <guid> is not resolved against the feed URL


def test_changed_entry_changes_the_content_hash() -> None:
    def feed(summary: str) -> bytes:
        return (
            f'<rss version="2.0"><channel><title>t</title><ttl>30</ttl><skipHours><hour>0</hour>'
            f"<hour>23</hour></skipHours><skipDays><day>Sunday</day></skipDays><item><title>A</title>"
            f"<link>/a</link><description>{summary}</description></item></channel></rss>"
        ).encode()

    first, second = parse_feed(feed("one"), "https://e.org/rss"), parse_feed(feed("two"), "https://e.org/rss")
    assert first.entries[0].content_hash != second.entries[0].content_hash
    assert first.entries[0].link == "https://e.org/a" and first.entries[0].guid == "https://e.org/a"
    assert (first.ttl_minutes, first.skip_hours, first.skip_days) == (30, [0, 23], ["Sunday"])


def test_billion_laughs_is_refused_quickly() -> None:
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{lols}]>'
        '<rss version="2.0"><channel><title>&lol9;</title><item><title>x</title></item></channel></rss>'
    )
    feed = parse_feed(bomb.encode(), "https://e.org/rss")
    assert not feed.entries
    assert feed.error and "entit" in feed.error


def test_oversized_empty_and_non_feed_bodies_give_errors() -> None:
    assert "cap" in (parse_feed(b"<rss>" + b" " * 2000, "https://e.org/", max_bytes=1000).error or "")
    assert parse_feed(b"", "https://e.org/").error == "empty feed body"
    html = parse_feed(b"<!DOCTYPE html><html><body>x</body></html>", "https://e.org/")
    assert "HTML page" in (html.error or "")
    assert parse_feed(b"\x00\xff garbage", "https://e.org/").error
    assert parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', "https://e.org/").error


def test_json_feed() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "home_page_url": "https://j.org/",'
        b'"items": [{"id": "7", "url": "/posts/7", "title": "Seven", "content_text": "Body",'
        b'"date_published": "2024-03-01T10:00:00+01:00"}]}'
    )
    feed = parse_feed(body, "https://j.org/feed.json")
    assert feed.error is None and feed.title == "J"
    entry = feed.entries[0]
    assert (entry.guid, entry.link, entry.title) == ("7", "https://j.org/posts/7", "Seven")
    assert entry.published == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert "JSON Feed" in (parse_feed(b'{"items": []}', "https://j.org/").error or "")
    assert parse_feed(b"{not json", "https://j.org/").error


def test_discover_feeds_resolves_alternate_links() -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b'<link rel="alternate" type="application/feed+json" href="feed.json">'
        b'<link rel="stylesheet" href="/s.css"></head><body><p>Hello</p></body></html>'
    )
    assert discover_feeds(page, "https://news.example.org/world/") == [
        "https://news.example.org/rss.xml",
        "https://news.example.org/world/feed.json",
    ]


def test_parse_sitemap_google_news_index_and_gzip() -> None:
    news = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://www.e.org/a/1.html</loc>'
        b"<news:news><news:title>T</news:title></news:news></url>"
        b"<url><loc>https://www.e.org/a/2.html</loc></url></urlset>"
    )
    expected = ["https://www.e.org/a/1.html", "https://www.e.org/a/2.html"]
    assert parse_sitemap(news, "https://www.e.org/news-sitemap.xml") == expected
    assert parse_sitemap(gzip.compress(news), "https://www.e.org/news-sitemap.xml.gz") == expected
    index = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
        b"<loc>https://www.e.org/sitemap-2024.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index, "https://www.e.org/sitemap.xml") == ["https://www.e.org/sitemap-2024.xml"]
    assert parse_sitemap(gzip.compress(news), "https://www.e.org/s.xml.gz", max_bytes=100) == []


def test_poll_interval_follows_rate_and_publisher_hints() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def poll(
        published: list[datetime],
        ttl: int | None = None,
        max_age: float | None = None,
        retry_after: float | None = None,
    ) -> float:
        return next_poll_interval(
            published, ttl_minutes=ttl, cache_max_age=max_age, retry_after=retry_after, now=now
        )

    hourly = [now - timedelta(hours=h) for h in range(10)]
    assert poll(hourly) == 3600
    assert poll([now - timedelta(minutes=m) for m in range(10)]) == 300  # clamped to min_s
    assert poll(hourly, ttl=120) == 7200
    assert poll(hourly, max_age=5400) == 5400
    assert poll(hourly, retry_after=9000) == 9000
    assert poll([now - timedelta(days=30 + d) for d in range(5)]) == 86_400  # quiet feed: max_s
    assert poll([now + timedelta(days=1), now - timedelta(hours=1), now - timedelta(hours=2)]) == 3600


def test_failing_feeds_back_off_exponentially_but_are_never_parked() -> None:
    waits = [
        next_poll_interval([], ttl_minutes=None, cache_max_age=None, retry_after=None, errors=n)
        for n in range(1, 40)
    ]
    assert waits[:3] == [600, 1200, 2400]
    assert all(a <= b for a, b in pairwise(waits))
    assert max(waits) == 86_400
