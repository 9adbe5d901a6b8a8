"""Duplicates through the pipeline: one story under tracking-parameter and fragment variants of its URL
is fetched and stored once; syndicated copies (same body, other site, title and path) are stored as
their own articles marked `duplicate_of` the first, and the extractor makes no events for them.
Recent fingerprints the worker cannot compare (an older format) are skipped, not fatal.
"""

from __future__ import annotations

import asyncio
import html
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from schemas import article_id_for
from services.devsite import Reply, Site, running_site
from services.ingest import dedup
from services.ingest.worker import Ingestor
from services.ops.submit import submit_urls
from services.runtime.embedded_redis import free_port
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext
from services.store import db
from services.store.db import ArticleRow, EventRow
from tests.pipeline_harness import start_worker, wait_idle, worker_env

CORPUS = Path(__file__).parents[2] / "services" / "demo_corpus" / "001_port_strike.txt"
LEGACY_FINGERPRINTS = [
    "a0legacy 9f3a61c2d4e5b7a8",  # a 64-bit Simhash from before the MinHash fingerprints
    "a0legacy2 " + "zz" * 256,  # right length, not hex
    "an-entry-without-a-fingerprint",
]


def story() -> tuple[str, list[str]]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[0], lines[1:]


def page(site_name: str, title: str, paragraphs: list[str], nav: list[str], footer: str) -> bytes:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    links = " ".join(f'<a href="/{n.lower()}">{n}</a>' for n in nav)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} | {site_name}</title><meta property="og:site_name" content="{site_name}">
<meta property="article:published_time" content="2026-11-20T08:00:00+00:00"></head><body>
<header><div class="brand">{site_name}</div><nav>{links}</nav></header>
<article><h1>{html.escape(title)}</h1>{body}</article>
<aside>Most read: Markets close higher as oil eases</aside>
<footer>{footer}</footer></body></html>""".encode()


# --- in process: the near-duplicate lookup ----------------------------------------------------------


@pytest.fixture
async def ingestor(settings: Settings, redis: Redis) -> AsyncIterator[Ingestor]:
    worker = Ingestor(settings, Metrics("ingest"))
    await worker.start(WorkerContext(settings, redis, worker.metrics, Health(30.0), asyncio.Event()))
    yield worker
    await worker.fetcher.aclose()


async def remember(redis: Redis, settings: Settings, *entries: str) -> None:
    """What the worker does after publishing an article: newest first."""
    for entry in entries:
        await redis.lpush(settings.keys.fingerprints, entry)


async def test_fingerprints_of_an_older_format_are_skipped(
    ingestor: Ingestor, settings: Settings, redis: Redis
) -> None:
    _, paragraphs = story()
    original = dedup.fingerprint("\n".join(paragraphs))
    copy = dedup.fingerprint("\n".join(["By Staff and agencies", *paragraphs, "First published by Wire"]))
    await remember(redis, settings, f"a1 {original}", *LEGACY_FINGERPRINTS)  # the legacy ones are newer
    assert await ingestor._near_duplicate("a2", copy) == "a1"
    assert await ingestor._near_duplicate("a3", dedup.fingerprint("Port workers went on strike.")) is None


async def test_a_copy_of_a_copy_points_to_the_first_article(
    ingestor: Ingestor, settings: Settings, redis: Redis
) -> None:
    _, paragraphs = story()
    first = dedup.fingerprint("\n".join(paragraphs))
    second = dedup.fingerprint("\n".join(["Wire report", *paragraphs]))
    third = dedup.fingerprint("\n".join([*paragraphs, "Reporting by the agency; editing by the desk"]))
    await remember(redis, settings, f"a1 {first}", f"a2 {second}")
    assert await ingestor._near_duplicate("a3", third) == "a1"
    assert await ingestor._near_duplicate("a1", first) == "a2"  # a refetch never matches itself


# --- the three workers as processes -----------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site() as served:
        yield served


def html_reply(body: bytes, ctype: str = "text/html; charset=utf-8") -> Reply:
    return 200, {"Content-Type": ctype}, body


ORIGINAL = "/world/2026/11/odesa-port-drone-attack.html"
COPIES = ["/syndication/wire/odesa-drones-48213.html", "/partners/reprints/ukraine-ports-attack"]


@pytest.mark.slow
def test_one_story_is_fetched_once_and_syndicated_copies_are_marked(site: Site, settings: Settings) -> None:
    title, paragraphs = story()
    site.routes["/robots.txt"] = html_reply(b"User-agent: *\nAllow: /\n", "text/plain")
    site.routes[ORIGINAL] = html_reply(page(
        "Daily Planet", title, paragraphs, ["World", "Business", "Sport"],
        "Sign up for the Daily Planet newsletter. (c) Daily Planet Media",
    ))  # fmt: skip
    site.routes[COPIES[0]] = html_reply(page(
        "Evening Courier", "Dozens of drones target Ukraine's southern ports",
        ["By Staff and agencies", *paragraphs, "This story was first published by our wire partner."],
        ["Home", "Local", "Opinion", "Weather"], "Evening Courier Ltd. Registered in England.",
    ))  # fmt: skip
    site.routes[COPIES[1]] = html_reply(page(
        "Metro Daily", "Ukraine: port attacked overnight", [*paragraphs, "Reporting by the agency desk."],
        ["News", "Video"], "Metro Daily: all rights reserved.",
    ))  # fmt: skip
    original = site.base + ORIGINAL
    variants = [
        f"{original}?utm_source=twitter&utm_medium=social&utm_campaign=odesa",
        f"{original}?fbclid=IwAR2xYzQ8kLmN",
        f"{original}#comments",
    ]
    url = settings.redis_url.get_secret_value()  # type: ignore[union-attr]

    async def prepare() -> None:
        redis = Redis.from_url(url)
        try:  # fingerprints an earlier version left behind must not stop the worker
            for entry in LEGACY_FINGERPRINTS:
                await redis.lpush(settings.keys.fingerprints, entry)
        finally:
            await redis.aclose()
        assert await submit_urls(url, settings, [*variants, *(site.base + c for c in COPIES)]) == []

    asyncio.run(prepare())
    env = worker_env(settings)
    procs = {name: start_worker(name, env, free_port()) for name in ("ingest", "extractor", "store")}
    try:
        wait_idle(settings, timeout=90)
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        codes = {name: proc.wait(timeout=60) for name, proc in procs.items()}
    assert codes == {"ingest": 0, "extractor": 0, "store": 0}

    assert site.count(ORIGINAL) == 1  # three spellings of one URL, fetched once
    assert [site.count(c) for c in COPIES] == [1, 1]
    first_id = article_id_for(dedup.canonical_url(original))
    copy_ids = [article_id_for(dedup.canonical_url(site.base + c)) for c in COPIES]
    articles, events = asyncio.run(_read_store(settings))
    assert articles == {
        first_id: (original, None),  # stored once, under its canonical URL
        copy_ids[0]: (site.base + COPIES[0], first_id),
        copy_ids[1]: (site.base + COPIES[1], first_id),  # the first article, not the copy before it
    }
    assert events.get(first_id, 0) > 0
    assert [events.get(i, 0) for i in copy_ids] == [0, 0]  # no events from the copies
    assert asyncio.run(_dead_letter_count(url, settings)) == 0
    print(f"events: original {events[first_id]}, copies 0; requests: {site.hits}")


async def _read_store(settings: Settings) -> tuple[dict[str, tuple[str, str | None]], dict[str, int]]:
    engine = db.make_engine(settings.sqlalchemy_url())
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(ArticleRow.article_id, ArticleRow.canonical_url, ArticleRow.duplicate_of)
            )
            articles = {r.article_id: (r.canonical_url, r.duplicate_of) for r in rows}
            counted = await conn.execute(
                select(EventRow.article_id, func.count()).group_by(EventRow.article_id)
            )
            events = {article_id: int(n) for article_id, n in counted}
    finally:
        await engine.dispose()
    return articles, events


async def _dead_letter_count(url: str, settings: Settings) -> int:
    redis = Redis.from_url(url)
    try:
        return int(await redis.xlen(settings.keys.dead))
    finally:
        await redis.aclose()
