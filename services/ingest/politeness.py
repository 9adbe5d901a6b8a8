"""Politeness shared by every ingest replica through Redis: per-host spacing and robots.txt.

The spacing is a Redis key per host: whichever replica sets it (NX) may send one request, and holds
it while the request is in flight; once the response is in (`done`), the key lives on for the delay.
So the next request to the host, from any replica, starts at least the delay after the previous one
ended, and no two requests to a host overlap, whatever the latency between taking the turn and the
request reaching the server. A replica that dies mid-request frees the host after the fetch timeout.
robots.txt is fetched once per host and cached in Redis for an hour; its Crawl-delay widens the
spacing. Fetching robots.txt is a request to the host too and takes its turn like any other.
Its status follows RFC 9309 §2.3.1: 2xx is parsed; 4xx ("unavailable") allows everything; 5xx or a
network failure ("unreachable") disallows everything, so the page is retried later (the state is
cached for ROBOTS_UNREACHABLE_TTL_S, then robots.txt is asked again).
"""

from __future__ import annotations

import asyncio
import logging
import re
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from redis.asyncio import Redis

from services.ingest.fetcher import FORBIDDEN_REASON, Fetcher, FetchError
from services.runtime.errors import RetryLater
from services.runtime.settings import Settings

log = logging.getLogger(__name__)
ROBOTS_TTL_S = 3600
ROBOTS_UNREACHABLE_TTL_S = 300
UNREACHABLE = b"\x00unreachable"  # cached in place of a body: the server failed, disallow everything
# Failures that are about the host, not its server: the page cannot be fetched for the same reason,
# so the error is the page's own (not cached).
HOST_FAILURES = ("dns", FORBIDDEN_REASON, "scheme", "url")
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


def _as_bytes(value: bytes | str | None) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


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
        key = self.settings.keys.host(host)
        held_ms = int((delay + self.settings.fetch_timeout_s) * 1000)  # until `done`, or a dead replica's
        while not await self.redis.set(key, self.settings.consumer, nx=True, px=held_ms):
            wait_ms = await self.redis.pttl(key)
            # a request in flight ends at no known time: look again soon; a delay runs out when it says
            in_flight = wait_ms > delay * 1000
            await asyncio.sleep(0.05 if in_flight else max(wait_ms, 10) / 1000)
        self._delays[host] = delay

    async def _cool_down(self, host: str, delay: float) -> None:
        if delay > 0:
            await self.redis.set(self.settings.keys.host(host), self.settings.consumer,
                                 px=max(1, int(delay * 1000)))  # fmt: skip

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch the URL; raises `RetryLater` while it is unreachable, and
        `FetchError` when the host itself cannot be fetched (it does not resolve, it is forbidden)."""
        if not self.settings.respect_robots:
            return True
        parser = await self._robots(url)
        if parser is None:
            raise RetryLater(
                f"robots.txt of {urlsplit(url).netloc} is unreachable (5xx or network): "
                "everything is disallowed until it answers",
                after=ROBOTS_UNREACHABLE_TTL_S,
            )
        return parser.can_fetch(self.settings.user_agent, url)

    async def _crawl_delay(self, url: str) -> float:
        if not self.settings.respect_robots:
            return 0.0
        parser = await self._robots(url)
        return 0.0 if parser is None else crawl_delay_s(parser, self.settings.user_agent)

    async def _robots(self, url: str) -> RobotFileParser | None:
        """The parsed robots.txt of the URL's origin; None while it is unreachable."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        loop = asyncio.get_running_loop()
        cached = self._parsers.get(origin)
        if cached and loop.time() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        key = self.settings.keys.robots(origin)
        host = parts.netloc.lower()
        raw = _as_bytes(await self.redis.get(key))
        if raw is None:
            await self._take_turn(host, self.settings.host_delay_s)  # robots.txt is a request too
            raw = _as_bytes(await self.redis.get(key))  # another replica may have fetched it meanwhile
            if raw is None:
                raw = await self._fetch_robots(origin, host)
            elif self._delays.pop(host, None) is not None:  # the turn was not used: hand it back
                await self.redis.delete(self.settings.keys.host(host))
        if raw == UNREACHABLE:
            return None  # not kept in this process: Redis says when to ask again
        parser = parse_robots(raw.decode("utf-8", errors="replace"))
        self._parsers[origin] = (loop.time(), parser)
        return parser

    async def _fetch_robots(self, origin: str, host: str) -> bytes:
        """Fetch robots.txt (this instance holds the host's turn) and cache what it says in Redis."""
        body, ttl = b"", ROBOTS_TTL_S
        try:
            try:
                result = await self.fetcher.fetch(origin + "/robots.txt")
            except FetchError as exc:
                if exc.reason in HOST_FAILURES:
                    raise
                log.warning("robots.txt of %s unreachable, disallowing the host for now: %s", origin, exc)
                body, ttl = UNREACHABLE, ROBOTS_UNREACHABLE_TTL_S
            else:
                if 200 <= result.status < 300:
                    body = result.body
                elif result.status >= 500:
                    status = result.status
                    log.warning("robots.txt of %s: HTTP %d, disallowing the host for now", origin, status)
                    body, ttl = UNREACHABLE, ROBOTS_UNREACHABLE_TTL_S
                # 4xx (and an unfollowed 3xx): robots.txt is unavailable, everything is allowed
            await self.redis.set(self.settings.keys.robots(origin), body, ex=ttl)
        finally:  # the next request waits the delay, or the Crawl-delay if longer, from this one
            self._delays.pop(host, None)
            text = "" if body == UNREACHABLE else body.decode("utf-8", errors="replace")
            delay = crawl_delay_s(parse_robots(text), self.settings.user_agent)
            await self._cool_down(host, max(self.settings.host_delay_s, delay))
        return body
