"""Feed polling on a real Redis against a local HTTP server that records every request it gets.

Conditional GET, entries queued once by GUID (else link) and again when their content changes,
exponential backoff of failing feeds and Retry-After, the adaptive interval and its floors and clamps,
and the lease that lets one replica at a time poll a feed (in process, and with two ingest processes).
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import signal
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis

from schemas import UrlRequest
from services.devsite import Hit, Reply, Site, running_site
from services.ingest.feed_poller import poll_due_feeds
from services.ingest.feed_registry import add_feed, list_feeds
from services.ingest.fetcher import Fetcher
from services.runtime import streams
from services.runtime.embedded_redis import free_port
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext
from tests.pipeline_harness import http_get, start_worker, worker_env

LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


# --- a local site that counts requests -------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as served:
        yield served


def static(status: int, body: bytes = b"", **headers: str) -> Callable[[Hit], Reply]:
    return lambda _hit: (status, {k.replace("_", "-"): v for k, v in headers.items()}, body)


def rss(items: Sequence[dict[str, Any]], *, ttl: int | None = None) -> bytes:
    """RSS 2.0; each item has a link and optionally guid, title, summary, published (datetime)."""
    out = []
    for item in items:
        guid = f'<guid isPermaLink="false">{item["guid"]}</guid>' if item.get("guid") else ""
        date = f"<pubDate>{format_datetime(item['published'])}</pubDate>" if item.get("published") else ""
        out.append(
            f"<item><title>{html.escape(item.get('title', 'Untitled'))}</title><link>{item['link']}</link>"
            f"{guid}<description>{html.escape(item.get('summary', ''))}</description>{date}</item>"
        )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test feed</title>'
        f"<link>http://example.org/</link><description>d</description>{ttl_tag}{''.join(out)}</channel></rss>"
    ).encode()


RSS_TYPE = "application/rss+xml"


# --- in-process polling helpers ---------------------------------------------------------------------


@pytest.fixture
async def fetcher(settings: Settings) -> AsyncIterator[Fetcher]:
    f = Fetcher.from_settings(settings)
    yield f
    await f.aclose()


def make_ctx(settings: Settings, redis: Redis, **update: Any) -> WorkerContext:
    return WorkerContext(
        settings.model_copy(update=update), redis, Metrics("ingest"), Health(30.0), asyncio.Event()
    )


async def state_of(ctx: WorkerContext, url: str) -> dict[str, Any]:
    return (await list_feeds(ctx.redis, ctx.settings))[url]


async def make_due(ctx: WorkerContext, url: str) -> None:
    """Move the feed's next poll into the past (instead of waiting for it)."""
    state = await state_of(ctx, url)
    state["next_poll"] = 0.0
    await ctx.redis.hset(ctx.settings.keys.feeds, url, json.dumps(state))


async def queued(ctx: WorkerContext) -> list[UrlRequest]:
    entries = await ctx.redis.xrange(ctx.settings.keys.urls)
    return [UrlRequest.model_validate_json(streams.decode(fields)) for _, fields in entries]


async def poll(ctx: WorkerContext, fetcher: Fetcher, url: str) -> dict[str, Any]:
    """Make the feed due, poll, and return its stored state with the interval chosen."""
    await make_due(ctx, url)
    assert await poll_due_feeds(ctx, fetcher) == 1
    state = await state_of(ctx, url)
    state["interval"] = state["next_poll"] - state["last_poll"]
    return state


def every_ten_minutes(site: Site, count: int = 6, ttl: int | None = None) -> bytes:
    """A feed whose entries came out every 10 minutes, the newest 2 minutes ago."""
    newest = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    items = [{"guid": f"g{i}", "link": f"{site.base}/a/{i}.html", "title": f"Story {i}",
              "published": newest - timedelta(minutes=10 * i)} for i in range(count)]  # fmt: skip
    return rss(items, ttl=ttl)


# --- conditional GET --------------------------------------------------------------------------------


@pytest.mark.parametrize("validators", ["etag", "last-modified", "both"])
async def test_conditional_get_sends_validators_and_a_304_queues_nothing(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher, validators: str
) -> None:
    ctx = make_ctx(settings, redis, feed_min_interval_s=60)
    body = rss([{"guid": f"g{i}", "link": f"{site.base}/a/{i}.html"} for i in range(3)])
    sent = {"ETag": '"v1"'} if validators in ("etag", "both") else {}
    if validators in ("last-modified", "both"):
        sent["Last-Modified"] = LAST_MODIFIED

    def feed(hit: Hit) -> Reply:
        fresh = (hit.headers.get("if-none-match") == '"v1"'
                 or hit.headers.get("if-modified-since") == LAST_MODIFIED)  # fmt: skip
        return (304, sent, b"") if fresh else (200, {"Content-Type": RSS_TYPE, **sent}, body)

    site.routes["/feed.xml"] = feed
    url = f"{site.base}/feed.xml"
    await add_feed(redis, ctx.settings, url)

    first = await poll(ctx, fetcher, url)
    assert len(await queued(ctx)) == 3
    assert first["etag"] == sent.get("ETag") and first["last_modified"] == sent.get("Last-Modified")
    for _ in range(2):  # the validators survive a 304, so every later poll is conditional too
        again = await poll(ctx, fetcher, url)
        assert again["errors"] == 0 and again["etag"] == sent.get("ETag")
    hits = site.requests("/feed.xml")
    assert len(hits) == 3
    assert "if-none-match" not in hits[0].headers and "if-modified-since" not in hits[0].headers
    for hit in hits[1:]:
        assert hit.headers.get("if-none-match") == sent.get("ETag")
        assert hit.headers.get("if-modified-since") == sent.get("Last-Modified")
    assert await redis.xlen(ctx.settings.keys.urls) == 3  # the 304s queued nothing
    polls = ctx.metrics.feed_polls
    assert polls.labels("ok")._value.get() == 1 and polls.labels("not-modified")._value.get() == 2


# --- entries ----------------------------------------------------------------------------------------


async def test_entries_queued_once_by_guid_else_link_and_again_when_changed(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher
) -> None:
    ctx = make_ctx(settings, redis, feed_min_interval_s=60)
    url = f"{site.base}/feed.xml"
    a = {"guid": "urn:story:a", "link": f"{site.base}/a.html", "title": "A", "summary": "first version"}
    b = {"link": f"{site.base}/b.html", "title": "B", "summary": "no guid: keyed by its link"}
    c = {"link": f"{site.base}/c.html", "title": "C"}
    current = {"body": rss([a, b])}  # no validators: every poll gets the whole feed
    site.routes["/feed.xml"] = lambda _hit: (200, {"Content-Type": RSS_TYPE}, current["body"])
    await add_feed(redis, ctx.settings, url)

    await poll(ctx, fetcher, url)
    first = [(r.url, r.refetch, r.feed_url) for r in await queued(ctx)]
    assert first == [(a["link"], False, url), (b["link"], False, url)]

    await poll(ctx, fetcher, url)  # unchanged feed
    a_moved = {**a, "link": f"{site.base}/a-moved.html"}  # same GUID, same content, another link
    current["body"] = rss([a_moved, b])
    await poll(ctx, fetcher, url)
    assert len(await queued(ctx)) == 2

    a_updated = {**a_moved, "summary": "second version: the story was updated"}
    b_updated = {**b, "title": "B (updated)"}
    current["body"] = rss([a_updated, b_updated, c])
    await poll(ctx, fetcher, url)
    later = [(r.url, r.refetch) for r in (await queued(ctx))[2:]]
    assert later == [(a_moved["link"], True), (b["link"], True), (c["link"], False)]

    await poll(ctx, fetcher, url)  # and each change is queued only once
    assert len(await queued(ctx)) == 5
    assert site.count("/feed.xml") == 5


# --- failures and backoff ---------------------------------------------------------------------------


async def test_failing_feed_backs_off_exponentially_capped_and_recovers(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher
) -> None:
    ctx = make_ctx(settings, redis, feed_min_interval_s=60, feed_max_interval_s=600)
    url = f"{site.base}/feed.xml"
    healthy = every_ten_minutes(site, count=3)
    status = {"code": 500}
    site.routes["/feed.xml"] = lambda _hit: (
        (status["code"], {}, b"boom") if status["code"] != 200 else (200, {"Content-Type": RSS_TYPE}, healthy)
    )
    await add_feed(redis, ctx.settings, url)

    seen = []
    for attempt in range(1, 7):
        state = await poll(ctx, fetcher, url)
        assert state["errors"] == attempt and "HTTP 500" in state["last_error"]
        seen.append(round(state["interval"]))
    assert seen == [120, 240, 480, 600, 600, 600]  # min doubled per failure, capped at the maximum
    assert await redis.xlen(ctx.settings.keys.urls) == 0

    # however long it fails, it stays in the feed list and is polled again within the maximum
    state = await state_of(ctx, url)
    state["errors"] = 5000
    await redis.hset(ctx.settings.keys.feeds, url, json.dumps(state))
    state = await poll(ctx, fetcher, url)
    assert state["errors"] == 5001 and round(state["interval"]) == 600

    status["code"] = 200
    state = await poll(ctx, fetcher, url)
    assert state["errors"] == 0 and state["last_error"] is None
    assert 60 <= state["interval"] <= 600
    assert await redis.xlen(ctx.settings.keys.urls) == 3
    assert site.count("/feed.xml") == 8


@pytest.mark.parametrize(
    ("status", "retry_after", "expected"),
    [
        (503, "1800", 1800),
        (429, "http-date in 2400 s", 2400),
        (503, "100000", 86_400),  # honoured, but never past the maximum interval
        (503, "5", 120),  # shorter than the backoff: the backoff wins
    ],
)
async def test_retry_after_is_honoured(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher, status: int, retry_after: str,
    expected: float,
) -> None:  # fmt: skip
    ctx = make_ctx(settings, redis, feed_min_interval_s=60, feed_max_interval_s=86_400)

    def feed(_hit: Hit) -> Reply:
        value = retry_after
        if value.startswith("http-date"):
            value = format_datetime(datetime.now(UTC) + timedelta(seconds=2400), usegmt=True)
        return status, {"Retry-After": value}, b"slow down"

    site.routes["/feed.xml"] = feed
    url = f"{site.base}/feed.xml"
    await add_feed(redis, ctx.settings, url)
    state = await poll(ctx, fetcher, url)
    assert state["errors"] == 1 and f"HTTP {status}" in state["last_error"]
    assert state["interval"] == pytest.approx(expected, abs=3)


# --- adaptive interval ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_s", "max_s", "ttl", "cache_control", "expected"),
    [
        (60, 3600, None, None, 600),  # the publishing rhythm
        (900, 3600, None, None, 900),  # clamped to the minimum
        (60, 300, None, None, 300),  # clamped to the maximum
        (60, 3600, 30, None, 1800),  # RSS <ttl> (minutes) is a floor
        (60, 3600, None, "public, max-age=1500", 1500),  # so is Cache-Control max-age
        (60, 3600, 5, "max-age=120", 600),  # floors below the rhythm change nothing
        (60, 3600, 240, None, 3600),  # a floor above the maximum is still clamped
    ],
)
async def test_adaptive_interval_follows_the_publishing_rhythm(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher,
    min_s: float, max_s: float, ttl: int | None, cache_control: str | None, expected: float,
) -> None:  # fmt: skip
    ctx = make_ctx(settings, redis, feed_min_interval_s=min_s, feed_max_interval_s=max_s)
    body = every_ten_minutes(site, ttl=ttl)
    headers = {"Content-Type": RSS_TYPE, **({"Cache-Control": cache_control} if cache_control else {})}
    site.routes["/feed.xml"] = static(200, body, **headers)
    url = f"{site.base}/feed.xml"
    await add_feed(redis, ctx.settings, url)
    state = await poll(ctx, fetcher, url)
    assert state["errors"] == 0
    assert state["interval"] == pytest.approx(expected, abs=1)


async def test_a_304_keeps_the_publishing_rhythm(
    site: Site, settings: Settings, redis: Redis, fetcher: Fetcher
) -> None:
    """Nothing new since the last poll is no reason to wait the default hour on a feed that
    publishes every 10 minutes: the interval after a 304 still comes from the entries' dates."""
    ctx = make_ctx(settings, redis, feed_min_interval_s=60, feed_max_interval_s=7200)
    body = every_ten_minutes(site)
    site.routes["/feed.xml"] = lambda hit: (
        (304, {"ETag": '"r1"'}, b"") if hit.headers.get("if-none-match") == '"r1"'
        else (200, {"Content-Type": RSS_TYPE, "ETag": '"r1"'}, body)
    )  # fmt: skip
    url = f"{site.base}/feed.xml"
    await add_feed(redis, ctx.settings, url)
    assert (await poll(ctx, fetcher, url))["interval"] == pytest.approx(600, abs=1)
    again = await poll(ctx, fetcher, url)
    assert ctx.metrics.feed_polls.labels("not-modified")._value.get() == 1
    assert again["interval"] == pytest.approx(600, abs=1)


# --- leases -----------------------------------------------------------------------------------------


async def test_a_replica_never_polls_a_feed_another_replica_has_just_polled(
    site: Site, settings: Settings, redis: Redis
) -> None:
    """Replica B reads the due feeds, then spends a while on a slow feed; meanwhile replica A polls
    the other feed and releases its lease. B must not poll that feed again from its stale list."""
    ctx_a = make_ctx(settings, redis, consumer="ingest-a", feed_min_interval_s=60)
    ctx_b = make_ctx(settings, redis, consumer="ingest-b", feed_min_interval_s=60)
    first_request = threading.Event()

    def feed(hit: Hit) -> Reply:
        if not first_request.is_set():  # whichever feed B polls first answers slowly
            first_request.set()
            time.sleep(1.0)
        name = urlsplit(hit.path).path.strip("/").removesuffix(".xml")
        return 200, {"Content-Type": RSS_TYPE}, rss([{"guid": name, "link": f"{site.base}/{name}.html"}])

    feeds = [f"{site.base}/one.xml", f"{site.base}/two.xml"]
    for url in feeds:
        site.routes[urlsplit(url).path] = feed
        await add_feed(redis, settings, url)
    fetcher_a, fetcher_b = Fetcher.from_settings(settings), Fetcher.from_settings(settings)
    try:
        replica_b = asyncio.create_task(poll_due_feeds(ctx_b, fetcher_b))
        deadline = time.monotonic() + 5
        while not site.hits:
            assert time.monotonic() < deadline, "replica B polled nothing"
            await asyncio.sleep(0.01)
        assert await poll_due_feeds(ctx_a, fetcher_a) == 1  # the other feed; B holds the slow one's lease
        assert await replica_b == 1
    finally:
        await fetcher_a.aclose()
        await fetcher_b.aclose()
    assert [site.count("/one.xml"), site.count("/two.xml")] == [1, 1]
    assert sorted(r.url for r in await queued(ctx_a)) == [f"{site.base}/one.html", f"{site.base}/two.html"]
    assert await redis.keys(settings.keys.lease("*")) == []  # both leases released


ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1><p>{title}: the city council approved the new budget on Monday after a
long debate about school funding, road repairs and the cost of public transport.</p><p>The mayor said
the plan would be reviewed again in the autumn, when the tax receipts of the summer are known.</p>
</article></body></html>"""


def metric(port: int, name: str, **labels: str) -> float:
    """The sum of a worker process's samples of `name` whose labels include `labels`."""
    status, body = http_get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    total = 0.0
    for found, value in re.findall(rf"^{name}\{{(.*?)\}} (\S+)$", body, re.M):
        have = dict(re.findall(r'(\w+)="(.*?)"', found))
        if all(have.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


@pytest.mark.slow
def test_two_ingest_processes_poll_a_feed_once_per_interval(site: Site, settings: Settings) -> None:
    interval, window = 2.0, 7.0
    items = [{"guid": f"g{i}", "link": f"{site.base}/articles/{i}.html", "title": f"Budget story {i}"}
             for i in range(3)]  # fmt: skip
    site.routes["/feed.xml"] = static(200, rss(items), Content_Type=RSS_TYPE)
    site.routes["/robots.txt"] = static(200, b"User-agent: *\nAllow: /\n", Content_Type="text/plain")
    for i in range(3):
        page = ARTICLE.format(title=f"Budget story {i}").encode()
        site.routes[f"/articles/{i}.html"] = static(200, page, Content_Type="text/html; charset=utf-8")
    feed_url = f"{site.base}/feed.xml"
    ports = [free_port(), free_port()]
    procs: list[subprocess.Popen[bytes]] = []
    for name, port in zip(("ingest-a", "ingest-b"), ports, strict=True):
        env = worker_env(settings, {
            "NEWSWIRE_FEEDS": json.dumps([feed_url]), "NEWSWIRE_CONSUMER": name,
            "NEWSWIRE_FEED_MIN_INTERVAL_S": str(interval), "NEWSWIRE_FEED_MAX_INTERVAL_S": str(interval),
        })  # fmt: skip
        procs.append(start_worker("ingest", env, port))
    try:
        deadline = time.monotonic() + 30
        while not site.requests("/feed.xml"):
            assert time.monotonic() < deadline, "no replica polled the feed"
            assert all(p.poll() is None for p in procs), "an ingest process exited"
            time.sleep(0.05)
        first = site.requests("/feed.xml")[0].at
        time.sleep(max(0.0, first + window - time.monotonic()))
        assert all(p.poll() is None for p in procs), "an ingest process exited"
        polls = [h.at - first for h in site.requests("/feed.xml") if h.at - first <= window]
        gaps = [b - a for a, b in itertools.pairwise(polls)]
        # one poller polls at most every `interval` (its loop wakes every second): 4 polls in 7 s
        assert 2 <= len(polls) <= int(window // interval) + 1, polls
        assert min(gaps) >= interval - 0.1, gaps
        per_process = [metric(port, "newswire_feed_polls_total", result="ok") for port in ports]
        assert sum(per_process) >= len(polls)

        # every URL request is handled once by one replica: as many as the feed has entries, none
        # of them a repeat (a repeat would be dropped as an already seen URL)
        urls = settings.keys.urls
        deadline = time.monotonic() + 20
        while sum(metric(p, "newswire_messages_total", stream=urls, outcome="ok") for p in ports) < 3:
            assert time.monotonic() < deadline, "the entries were not handled"
            time.sleep(0.1)
        handled = sum(metric(p, "newswire_messages_total", stream=urls) for p in ports)
        repeats = sum(metric(p, "newswire_dedup_hits_total", kind="url") for p in ports)
        assert (handled, repeats) == (3, 0)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=30) for proc in procs]

    assert [site.count(f"/articles/{i}.html") for i in range(3)] == [1, 1, 1]
    assert codes == [0, 0]
    print(f"feed polls at {[round(p, 2) for p in polls]} s; per process {per_process}")


# --- sitemaps as a source --------------------------------------------------------------------------


def sitemap_xml(base: str, locs: list[str], index: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{base}{loc}</loc></{item}>" for loc in locs)
    return f'<?xml version="1.0"?><{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>'.encode()


async def test_a_sitemap_index_and_its_sitemaps_are_sources(
    site: Site, settings: Settings, redis: Redis
) -> None:
    xml = {"Content-Type": "application/xml"}
    site.routes["/sitemap.xml"] = (200, xml, sitemap_xml(site.base, ["/news-sitemap.xml"], index=True))
    site.routes["/news-sitemap.xml"] = (200, xml, sitemap_xml(site.base, ["/a/1.html", "/a/2.html"]))
    ctx = make_ctx(settings, redis)
    fetcher = Fetcher.from_settings(ctx.settings)
    try:
        await add_feed(redis, ctx.settings, f"{site.base}/sitemap.xml")
        state = await poll(ctx, fetcher, f"{site.base}/sitemap.xml")
        assert state["errors"] == 0
        assert f"{site.base}/news-sitemap.xml" in await list_feeds(redis, ctx.settings)  # a source of its own
        await poll(ctx, fetcher, f"{site.base}/news-sitemap.xml")
        assert sorted(r.url for r in await queued(ctx)) == [f"{site.base}/a/1.html", f"{site.base}/a/2.html"]
        await poll(ctx, fetcher, f"{site.base}/news-sitemap.xml")
        assert len(await queued(ctx)) == 2  # pages already queued are not queued again
    finally:
        await fetcher.aclose()


async def test_a_lease_that_expired_is_not_freed_by_its_late_holder(
    site: Site, settings: Settings, redis: Redis
) -> None:
    ctx = make_ctx(settings, redis)
    url = f"{site.base}/feed.xml"
    site.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, every_ten_minutes(site))
    await add_feed(redis, ctx.settings, url)
    lease = ctx.settings.keys.lease(url)
    fetcher = Fetcher.from_settings(ctx.settings)

    async def slow_fetch(target: str, headers: dict[str, str] | None = None) -> Any:
        result = await Fetcher.fetch(fetcher, target, headers)
        await redis.set(lease, "another-replica", px=60_000)  # ours expired; someone else took it
        return result

    fetcher.fetch = slow_fetch  # type: ignore[method-assign,assignment]
    try:
        assert await poll_due_feeds(ctx, fetcher) == 1
        assert await redis.get(lease) == b"another-replica"
    finally:
        await fetcher.aclose()
