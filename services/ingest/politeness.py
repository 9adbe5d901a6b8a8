"""Politeness shared by every ingest replica through Redis: per-host spacing and robots.txt.

The spacing is a Redis key per host: whichever replica sets it (NX) may send one request, and holds
it while the request is in flight; once the response is in (`done`), the key lives on for the delay.
So the next request to the host, from any replica, starts at least the delay after the previous one
ended, and no two requests to a host overlap, whatever the latency between taking the turn and the
request reaching the server. A replica that dies mid-request frees the host after the fetch timeout.
robots.txt is fetched once per host and cached in Redis for an hour; its Crawl-delay widens the
spacing. Fetching robots.txt is a request to the host too and takes its turn like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from redis.asyncio import Redis

from services.ingest.fetcher import Fetcher, FetchError
from services.runtime.settings import Settings

ROBOTS_TTL_S = 3600
# urllib.robotparser keeps only whole-second Crawl-delays and drops "Crawl-delay: 0.5": values are
# handed to it in milliseconds instead.
_CRAWL_DELAY = re.compile(r"^(\s*crawl-delay\s*:\s*)(\d+(?:\.\d*)?|\.\d+)", re.IGNORECASE | re.MULTILINE)


def parse_robots(text: str) -> RobotFileParser:
    """robots.txt parsed; its crawl_delay() answers in milliseconds."""
    parser = RobotFileParser()
    parser.parse(_CRAWL_DELAY.sub(lambda m: f"{m[1]}{round(float(m[2]) * 1000)}", text).splitlines())
    return parser


def crawl_delay_s(parser: RobotFileParser, user_agent: str) -> float:
    return float(parser.crawl_delay(user_agent) or 0) / 1000


class Politeness:
    def __init__(self, redis: Redis, settings: Settings, fetcher: Fetcher) -> None:
        self.redis = redis
        self.settings = settings
        self.fetcher = fetcher
        self._parsers: dict[str, tuple[float, RobotFileParser]] = {}
        self._delays: dict[str, float] = {}  # hosts whose turn this instance holds → their delay

    async def wait_turn(self, url: str) -> None:
        """Return when this replica may send the next request to the URL's host; call `done` after."""
        delay = max(self.settings.host_delay_s, await self._crawl_delay(url))
        await self._take_turn(urlsplit(url).netloc.lower(), delay)

    async def done(self, url: str) -> None:
        """The request taken by `wait_turn` has ended: the host's next request waits the delay from now."""
        host = urlsplit(url).netloc.lower()
        await self._cool_down(host, self._delays.pop(host, 0.0))  # nothing to do if no turn was taken

    async def _take_turn(self, host: str, delay: float) -> None:
        if delay <= 0:
            return
        key = self.settings.key(f"host:{host}")
        held_ms = int((delay + self.settings.fetch_timeout_s) * 1000)  # until `done`, or a dead replica's
        while not await self.redis.set(key, self.settings.consumer, nx=True, px=held_ms):
            wait_ms = await self.redis.pttl(key)
            # a request in flight ends at no known time: look again soon; a delay runs out when it says
            in_flight = wait_ms > delay * 1000
            await asyncio.sleep(0.05 if in_flight else max(wait_ms, 10) / 1000)
        self._delays[host] = delay

    async def _cool_down(self, host: str, delay: float) -> None:
        if delay > 0:
            await self.redis.set(self.settings.key(f"host:{host}"), self.settings.consumer,
                                 px=max(1, int(delay * 1000)))  # fmt: skip

    async def allowed(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        parser = await self._robots(url)
        return parser.can_fetch(self.settings.user_agent, url)

    async def _crawl_delay(self, url: str) -> float:
        if not self.settings.respect_robots:
            return 0.0
        return crawl_delay_s(await self._robots(url), self.settings.user_agent)

    async def _robots(self, url: str) -> RobotFileParser:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        loop = asyncio.get_running_loop()
        cached = self._parsers.get(origin)
        if cached and loop.time() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        key = self.settings.key(f"robots:{origin}")
        host = parts.netloc.lower()
        text = await self.redis.get(key)
        if text is None:
            await self._take_turn(host, self.settings.host_delay_s)  # robots.txt is a request too
            text = await self.redis.get(key)  # another replica may have fetched it while we waited
            if text is None:
                text = (await self._fetch_robots(origin, host)).encode()
            elif self._delays.pop(host, None) is not None:  # the turn was not used: hand it back
                await self.redis.delete(self.settings.key(f"host:{host}"))
        parser = parse_robots(text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text)
        self._parsers[origin] = (loop.time(), parser)
        return parser

    async def _fetch_robots(self, origin: str, host: str) -> str:
        """Fetch robots.txt (this instance holds the host's turn) and cache it in Redis."""
        body = ""
        try:
            with contextlib.suppress(FetchError):
                result = await self.fetcher.fetch(origin + "/robots.txt")
                if result.status == 200:
                    body = result.body.decode("utf-8", errors="replace")
                elif result.status in (401, 403):
                    body = "User-agent: *\nDisallow: /\n"
            await self.redis.set(self.settings.key(f"robots:{origin}"), body.encode(), ex=ROBOTS_TTL_S)
        finally:  # the next request waits the delay, or the Crawl-delay if longer, from this one
            self._delays.pop(host, None)
            delay = crawl_delay_s(parse_robots(body), self.settings.user_agent)
            await self._cool_down(host, max(self.settings.host_delay_s, delay))
        return body
