"""robots.txt as RFC 9309 §2.3.1 reads its status: 2xx is parsed, 4xx allows everything, 5xx or a
network failure disallows everything (the page is retried later, and never fetched meanwhile)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from schemas import Article, UrlRequest
from services.devsite import Site, page, running_site
from services.ingest.worker import Ingestor
from services.runtime.embedded_redis import free_port
from services.runtime.errors import RetryLater
from services.runtime.metrics import Health, Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerContext

BODY = (
    b"<html><head><title>Quay reopens</title></head><body><article><h1>Quay reopens</h1>"
    + b"<p>The harbour authority reopened the northern quay on Tuesday after repairs to the rails.</p>" * 4
    + b"</article></body></html>"
)


@pytest.fixture
def site() -> Iterator[Site]:
    with running_site({"/news.html": page("text/html; charset=utf-8", BODY)}) as site:
        yield site


@pytest.fixture
async def ingestor(settings: Settings, redis: Redis) -> AsyncIterator[Ingestor]:
    ingestor = Ingestor(settings, Metrics("ingest"))
    ingestor.ctx = WorkerContext(settings, redis, ingestor.metrics, Health(30.0), asyncio.Event())
    yield ingestor
    await ingestor.fetcher.aclose()


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_disallows_the_host_and_the_page_is_retried_later(
    site: Site, ingestor: Ingestor, status: int
) -> None:
    site.routes["/robots.txt"] = (status, {"Content-Type": "text/plain"}, b"busy")
    for _ in range(2):
        with pytest.raises(RetryLater, match=r"robots\.txt .* unreachable") as caught:
            await ingestor.handle(UrlRequest(url=f"{site.base}/news.html"))
        assert caught.value.after is not None and caught.value.after > 0
    assert site.count("/news.html") == 0  # complete disallow
    assert site.count("/robots.txt") == 1  # the unreachable state is cached, not asked for every page


async def test_a_network_failure_disallows_the_host(ingestor: Ingestor) -> None:
    with pytest.raises(RetryLater, match=r"robots\.txt .* unreachable"):
        await ingestor.handle(UrlRequest(url=f"http://127.0.0.1:{free_port()}/news.html"))


@pytest.mark.parametrize("status", [401, 403, 404, 410])
async def test_a_client_error_means_no_robots_txt_and_everything_is_allowed(
    site: Site, ingestor: Ingestor, status: int
) -> None:
    site.routes["/robots.txt"] = (status, {"Content-Type": "text/plain"}, b"nope")
    outputs = await ingestor.handle(UrlRequest(url=f"{site.base}/news.html"))
    assert [o[1].title for o in outputs if isinstance(o, tuple) and isinstance(o[1], Article)] == [
        "Quay reopens"
    ]
    assert site.count("/news.html") == 1
