"""Politeness shared by every ingest replica through Redis: per-host spacing and robots.txt.

The spacing is a Redis key per host set with NX and a time-to-live of the delay: whichever replica
sets it may fetch, the others wait out its remaining life. robots.txt is fetched once per host and
cached in Redis for an hour; its Crawl-delay widens the spacing.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from redis.asyncio import Redis

from services.ingest.fetcher import Fetcher, FetchError
from services.runtime.settings import Settings

ROBOTS_TTL_S = 3600


class Politeness:
    def __init__(self, redis: Redis, settings: Settings, fetcher: Fetcher) -> None:
        self.redis = redis
        self.settings = settings
        self.fetcher = fetcher
        self._parsers: dict[str, tuple[float, RobotFileParser]] = {}

    async def wait_turn(self, url: str) -> None:
        """Return when this replica may send the next request to the URL's host."""
        host = urlsplit(url).netloc.lower()
        delay = max(self.settings.host_delay_s, await self._crawl_delay(url))
        if delay <= 0:
            return
        key = self.settings.key(f"host:{host}")
        while not await self.redis.set(key, self.settings.consumer, nx=True, px=max(1, int(delay * 1000))):
            wait_ms = await self.redis.pttl(key)
            await asyncio.sleep(max(wait_ms, 10) / 1000)

    async def allowed(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        parser = await self._robots(url)
        return parser.can_fetch(self.settings.user_agent, url)

    async def _crawl_delay(self, url: str) -> float:
        if not self.settings.respect_robots:
            return 0.0
        parser = await self._robots(url)
        delay = parser.crawl_delay(self.settings.user_agent)
        return float(delay) if delay else 0.0

    async def _robots(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        loop = asyncio.get_running_loop()
        cached = self._parsers.get(origin)
        if cached and loop.time() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        key = self.settings.key(f"robots:{origin}")
        text = await self.redis.get(key)
        if text is None:
            body = ""
            with contextlib.suppress(FetchError):
                result = await self.fetcher.fetch(origin + "/robots.txt")
                if result.status == 200:
                    body = result.body.decode("utf-8", errors="replace")
                elif result.status in (401, 403):
                    body = "User-agent: *\nDisallow: /\n"
            await self.redis.set(key, body.encode(), ex=ROBOTS_TTL_S)
            text = body.encode()
        parser = RobotFileParser()
        parser.parse(text.decode("utf-8", errors="replace").splitlines() if isinstance(text, bytes) else [])
        self._parsers[origin] = (loop.time(), parser)
        return parser
