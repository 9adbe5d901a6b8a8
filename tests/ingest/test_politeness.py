"""Politeness on a real Redis against a local HTTP server that records when each request arrives.

robots.txt: a disallowed URL request is dead-lettered with the robots reason and its page is never
requested. Spacing: requests to one host (robots.txt included) keep NEWSWIRE_HOST_DELAY_S, or the
site's Crawl-delay when longer, between them even when two replicas fetch from the host at once.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from redis.asyncio import Redis

from schemas import Article, UrlRequest
from services.devsite import Site, running_site
from services.ingest.worker import Ingestor
from services.ops.dlq import dead_letters
from services.runtime import streams
from services.runtime.consumer import ReliableConsumer
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext, ensure_topology

JITTER_S = 0.002  # Redis expires keys to the millisecond


# --- a local site that records requests -------------------------------------------------------------


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    with ExitStack() as stack:
        yield lambda: stack.enter_context(running_site())


PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1><p>{title}: the harbour authority reopened the northern quay on Tuesday
after repairs to the crane rails, which had been damaged by the winter storms.</p><p>Shipping
companies said the delays had cost them several days of loading and asked for a new timetable.</p>
</article></body></html>"""


def add_pages(site: Site, paths: list[str], robots: str) -> None:
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, robots.encode())
    for path in paths:
        body = PAGE.format(title=f"Harbour report {path}").encode()
        site.routes[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, body)


@pytest.fixture
async def replicas(settings: Settings, redis: Redis) -> AsyncIterator[Callable[..., Ingestor]]:
    """Ingest replicas on one Redis, each with its own consumer name, fetcher and settings."""
    made: list[Ingestor] = []

    def make(consumer: str, **update: Any) -> Ingestor:
        own = settings.model_copy(update={"consumer": consumer, **update})
        ingestor = Ingestor(own, Metrics("ingest"))
        ingestor.ctx = WorkerContext(own, redis, ingestor.metrics, Health(30.0), asyncio.Event())
        made.append(ingestor)
        return ingestor

    yield make
    for ingestor in made:
        await ingestor.fetcher.aclose()


def articles_in(outputs: Any) -> list[Article]:
    return [o[1] for o in outputs if isinstance(o, tuple) and isinstance(o[1], Article)]


# --- robots.txt -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "robots",
    [
        "User-agent: *\nDisallow: /private/\n",
        # our own product token's group is the one that applies, not the catch-all
        "User-agent: *\nAllow: /\n\nUser-agent: newswire\nDisallow: /private/\n",
    ],
)
async def test_robots_disallowed_request_is_dead_lettered_and_never_fetched(
    sites: Callable[[], Site], settings: Settings, redis: Redis, replicas: Callable[..., Ingestor],
    robots: str,
) -> None:  # fmt: skip
    site = sites()
    add_pages(site, ["/private/salaries.html", "/news/harbour.html"], robots)
    ingestor = replicas("ingest-a")
    urls = settings.keys.urls
    consumer = ReliableConsumer(
        redis=redis, settings=ingestor.settings, stream=urls, group="ingest", model=UrlRequest,
        handle=ingestor.handle, metrics=ingestor.metrics, health=Health(30.0),
    )  # fmt: skip
    await ensure_topology(redis, settings)
    private, public = f"{site.base}/private/salaries.html", f"{site.base}/news/harbour.html"
    await streams.publish(redis, [(urls, UrlRequest(url=private)), (urls, UrlRequest(url=public))])
    for _, entries in await redis.xreadgroup("ingest", "ingest-a", {urls: ">"}, count=10):
        for entry_id, fields in entries:
            await consumer.process(streams.text(entry_id), streams.decode(fields), deliveries=1)

    letters = [letter for _, letter in await dead_letters(redis, settings, []) if letter]
    assert len(letters) == 1
    letter = letters[0]
    assert letter.error_type == "PermanentError" and letter.attempts == 1  # at once, no retries
    assert letter.error == f"robots.txt disallows {private}"
    assert UrlRequest.model_validate_json(letter.payload).url == private
    assert site.count("/private/salaries.html") == 0
    assert site.count("/news/harbour.html") == 1 and site.count("/robots.txt") == 1
    assert await redis.xlen(settings.keys.articles) == 1
    assert (await redis.xpending(urls, "ingest"))["pending"] == 0  # both entries settled
    assert ingestor.metrics.fetch_errors.labels("robots")._value.get() == 1


# --- spacing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host_delay", "robots", "spacing", "pages_each"),
    [
        (0.5, "User-agent: *\nAllow: /\n", 0.5, 3),  # NEWSWIRE_HOST_DELAY_S
        (0.2, "User-agent: *\nCrawl-delay: 1\n", 1.0, 2),  # the site's Crawl-delay, when longer
        (0.2, "User-agent: newswire\nCrawl-delay: 0.75\n", 0.75, 2),  # a fraction of a second too
    ],
)
async def test_requests_to_one_host_are_spaced_across_two_replicas(
    sites: Callable[[], Site], replicas: Callable[..., Ingestor],
    host_delay: float, robots: str, spacing: float, pages_each: int,
) -> None:  # fmt: skip
    site = sites()
    paths = {name: [f"/{name}/{i}.html" for i in range(pages_each)] for name in ("a", "b")}
    add_pages(site, [p for ps in paths.values() for p in ps], robots)
    pair = [replicas(f"ingest-{name}", host_delay_s=host_delay) for name in paths]

    async def crawl(ingestor: Ingestor, own: list[str]) -> int:
        fetched = 0
        for path in own:
            fetched += len(articles_in(await ingestor.handle(UrlRequest(url=site.base + path))))
        return fetched

    started = time.monotonic()
    done = await asyncio.gather(*(crawl(ing, ps) for ing, ps in zip(pair, paths.values(), strict=True)))
    elapsed = time.monotonic() - started
    assert done == [pages_each, pages_each]
    assert site.count("/robots.txt") == 1  # fetched by one replica, cached in Redis for the other
    times = site.times()
    assert len(times) == 1 + 2 * pages_each
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(times)]
    assert min(gaps) >= spacing - JITTER_S, gaps
    assert elapsed < (len(times) - 1) * spacing + 1.5, gaps  # spaced, not serialised beyond that
    print(f"spacing {spacing}s: gaps {gaps}")


async def test_spacing_is_per_host(sites: Callable[[], Site], replicas: Callable[..., Ingestor]) -> None:
    first, second = sites(), sites()  # two ports: two hosts as far as the spacing goes
    for site in (first, second):
        add_pages(site, ["/news/1.html"], "User-agent: *\nAllow: /\n")
    ingestor = replicas("ingest-a", host_delay_s=1.0)
    for site in (first, second):
        assert articles_in(await ingestor.handle(UrlRequest(url=f"{site.base}/news/1.html")))
    robots_1, page_1 = first.times()
    robots_2, page_2 = second.times()
    assert page_1 - robots_1 >= 1.0 - JITTER_S and page_2 - robots_2 >= 1.0 - JITTER_S
    assert robots_2 - page_1 < 0.5  # the other host did not wait for the first one's turn
