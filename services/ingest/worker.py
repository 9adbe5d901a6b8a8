"""The ingest worker: URL requests in, cleaned articles out.

For each request from the `urls` stream: canonicalise the URL and skip it if already seen, respect
robots.txt and the per-host delay, fetch, clean, mark near-duplicates of recent articles, and publish
the `Article`. The URL is marked seen in the same transaction that publishes the article and
acknowledges the request, so a crash can neither lose nor double it. Feeds are polled by the
background loop in `feed_poller`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from redis.asyncio import Redis

from schemas import Article, UrlRequest, article_id_for, content_hash
from services.ingest import dedup
from services.ingest.cleaning import CleanedPage, clean_html
from services.ingest.feed_poller import poll_feeds_forever
from services.ingest.fetcher import Fetcher, FetchError, FetchResult, retry_after_seconds
from services.ingest.politeness import Politeness
from services.runtime import streams
from services.runtime.errors import PermanentError, RetryLater, RetryPolicy
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output, RedisCommand
from services.runtime.topology import EXTRACTOR, INGEST, URLS
from services.runtime.worker import Subscription, WorkerContext, WorkerSpec

log = logging.getLogger(__name__)
HTML_TYPES = ("text/html", "application/xhtml+xml", "")
RECENT_FINGERPRINTS = 5000
# Pages honour a server's Retry-After up to six hours; past that the entry is better dead-lettered
# (after its deliveries) than held.
URL_RETRY = RetryPolicy(retry_after_cap_s=6 * 3600.0)


def decode_html(body: bytes, content_type_header: str) -> str:
    charset = None
    if "charset=" in content_type_header:
        charset = content_type_header.split("charset=", 1)[1].split(";", 1)[0].strip().strip('"') or None
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", errors="replace")


class Ingestor:
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self.fetcher = Fetcher.from_settings(settings)
        self.keys = settings.keys
        self.ctx: WorkerContext | None = None
        self._politeness: Politeness | None = None
        self._lag_checked = 0.0

    @property
    def redis(self) -> Redis:
        assert self.ctx is not None, "the ingest worker is not started"
        return self.ctx.redis

    @property
    def politeness(self) -> Politeness:
        """One for the worker's life, so parsed robots.txt files stay cached between requests."""
        if self._politeness is None:
            self._politeness = Politeness(self.redis, self.settings, self.fetcher)
        return self._politeness

    async def start(self, ctx: WorkerContext) -> None:
        self.ctx = ctx

    async def _wait_for_capacity(self) -> None:
        """Back pressure: hold fetching while the extractor is too far behind on `articles`."""
        while True:
            now = time.monotonic()
            if now - self._lag_checked < 1.0:
                return
            lag = await streams.group_lag(self.redis, self.keys.articles, EXTRACTOR.group)
            self.metrics.lag.labels(self.keys.articles).set(lag)
            if lag <= self.settings.articles_max_lag:
                self._lag_checked = now
                self.metrics.backpressure.set(0)
                return
            self.metrics.backpressure.set(1)
            await asyncio.sleep(1.0)

    async def handle(self, request: UrlRequest) -> Sequence[Output]:
        try:
            canonical = dedup.canonical_url(request.url)
        except ValueError as exc:
            raise PermanentError(f"bad URL: {exc}") from exc
        if not request.refetch and await self._seen(canonical):
            self.metrics.dedup_hits.labels("url").inc()
            return []
        await self._wait_for_capacity()
        try:
            result = await self._fetch_politely(request.url)
        except FetchError as exc:
            self.metrics.fetch_errors.labels(exc.reason).inc()
            if exc.retryable:
                raise RetryLater(str(exc), after=exc.retry_after) from exc
            raise PermanentError(str(exc)) from exc
        self.metrics.fetched.labels(str(result.status)).inc()
        if result.status == 429 or result.status >= 500:
            retry_after = retry_after_seconds(result.headers.get("retry-after"))
            raise RetryLater(f"{request.url}: HTTP {result.status}", after=retry_after)
        if result.status >= 400:
            raise PermanentError(f"{request.url}: HTTP {result.status}")
        if result.content_type not in HTML_TYPES:
            self.metrics.fetch_errors.labels("content-type").inc()
            raise PermanentError(f"{request.url}: not HTML ({result.content_type})")
        html = decode_html(result.body, result.headers.get("content-type", ""))
        page = await asyncio.to_thread(clean_html, html, result.final_url)
        if page is None:
            self.metrics.fetch_errors.labels("empty").inc()
            raise PermanentError(f"{request.url}: no main text could be extracted")
        if self.settings.accepted_languages and page.language not in self.settings.accepted_languages:
            self.metrics.skipped.labels("language").inc()
            return self._mark_seen(canonical)
        return await self._article_outputs(request, result.final_url, canonical, page)

    async def _fetch_politely(self, url: str) -> FetchResult:
        politeness = self.politeness
        if not await politeness.allowed(url):
            self.metrics.fetch_errors.labels("robots").inc()
            raise PermanentError(f"robots.txt disallows {url}")
        await politeness.wait_turn(url)
        try:
            return await self.fetcher.fetch(url)
        finally:
            await politeness.done(url)

    async def _seen(self, canonical: str) -> bool:
        seen_at = await self.redis.zscore(self.keys.seen, canonical)
        return seen_at is not None and seen_at >= time.time() - self.settings.seen_max_age_s

    def _mark_seen(self, *urls: str) -> list[Output]:
        """Record the URLs as seen now, and drop what is older than the age or past the size bound."""
        now = time.time()
        key = self.keys.seen
        marks: list[Output] = [RedisCommand(("ZADD", key, now, url)) for url in dict.fromkeys(urls)]
        return [
            *marks,
            RedisCommand(("ZREMRANGEBYSCORE", key, "-inf", f"({now - self.settings.seen_max_age_s}")),
            RedisCommand(("ZREMRANGEBYRANK", key, 0, -self.settings.seen_max_urls - 1)),
        ]

    async def _article_outputs(
        self, request: UrlRequest, final_url: str, canonical: str, page: CleanedPage
    ) -> list[Output]:
        if page.canonical_url:
            try:
                canonical = dedup.canonical_url(page.canonical_url)
            except ValueError as exc:  # the page's own canonical link is unusable: keep the fetched URL
                log.info("%s: ignoring its canonical link %r: %s", final_url, page.canonical_url, exc)
                self.metrics.errors.labels("ingest", "bad-canonical-link").inc()
        article_id = article_id_for(canonical)
        fingerprint = dedup.fingerprint(page.text)
        duplicate_of = await self._near_duplicate(article_id, fingerprint)
        if duplicate_of:
            self.metrics.dedup_hits.labels("content").inc()
        article = Article(
            article_id=article_id, parent_id=request.request_id, url=final_url, canonical_url=canonical,
            title=page.title, text=page.text, published_at=page.published_at, language=page.language,
            sitename=page.sitename, source=page.sitename, authors=page.authors, image=page.image,
            fetched_at=datetime.now(UTC), content_hash=content_hash(page.text), fingerprint=fingerprint,
            duplicate_of=duplicate_of, feed_url=request.feed_url,
        )  # fmt: skip
        self.metrics.articles_published.inc()
        fp_key = self.keys.fingerprints
        return [
            (self.keys.articles, article),
            *self._mark_seen(canonical, dedup.canonical_url(request.url)),
            RedisCommand(("LPUSH", fp_key, f"{article_id} {fingerprint}")),
            RedisCommand(("LTRIM", fp_key, 0, RECENT_FINGERPRINTS - 1)),
        ]

    async def _near_duplicate(self, article_id: str, fingerprint: str) -> str | None:
        """The oldest recent article the text is a copy of, so that every copy points to the first.

        Entries that cannot be compared (a fingerprint of an older format, a malformed entry) are
        skipped: they cannot match, and must not fail every page fetched until they are trimmed away.
        """
        recent = await self.redis.lrange(self.keys.fingerprints, 0, RECENT_FINGERPRINTS - 1)
        found, unreadable = None, 0
        for raw in reversed(recent):  # LPUSHed: oldest last
            other_id, _, other_fp = streams.text(raw).partition(" ")
            if other_id == article_id:
                continue
            try:
                if dedup.is_near_duplicate(fingerprint, other_fp):
                    found = other_id
                    break
            except ValueError:
                unreadable += 1
        if unreadable:
            log.warning("%d recent fingerprints could not be compared (skipped)", unreadable)
            self.metrics.errors.labels("ingest", "unreadable-fingerprint").inc(unreadable)
        return found


def build_ingest(settings: Settings, metrics: Metrics) -> WorkerSpec:
    ingestor = Ingestor(settings, metrics)

    async def feeds(ctx: WorkerContext) -> None:
        await poll_feeds_forever(ctx, ingestor.fetcher)

    async def close() -> None:
        await ingestor.fetcher.aclose()

    return WorkerSpec(
        name=INGEST.name,
        group=INGEST.group,
        subscriptions=[Subscription(URLS, UrlRequest, ingestor.handle, retry=URL_RETRY)],
        on_start=[ingestor.start],
        background=[feeds],
        on_stop=[close],
    )
