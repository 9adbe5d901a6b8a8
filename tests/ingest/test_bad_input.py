"""Bad input from a local HTTP server, through a real ingest worker process: each case ends as a
dead letter with its reason (or, for salvageable pages, as an article), and the worker never crashes."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from redis.asyncio import Redis

from schemas import UrlRequest
from services.ops.dlq import dead_letters
from services.ops.submit import submit_urls
from services.runtime import streams
from services.runtime.settings import Settings
from tests.pipeline_harness import http_get, start_worker, worker_env

pytestmark = pytest.mark.slow

ARTICLE = "".join(
    f"<p>Paragraph {i}: officials said the shelling of the city continued through the night.</p>"
    for i in range(12)
)
REQUESTS: Counter[str] = Counter()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        REQUESTS[path] += 1
        if path == "/robots.txt":
            self._send(200, "text/plain", b"User-agent: *\nAllow: /\n")
        elif path == "/missing":
            self._send(404, "text/html", b"no")
        elif path == "/error":
            self._send(500, "text/html", b"oops")
        elif path == "/busy":
            self._send(429, "text/html", b"slow down", {"Retry-After": "2"})
        elif path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", b"<html></html>")
        elif path == "/huge":
            self._send(200, "text/html", b"<p>" + b"x" * 400_000 + b"</p>")
        elif path == "/loop":
            self._send(302, "text/html", b"", {"Location": "/loop2"})
        elif path == "/loop2":
            self._send(302, "text/html", b"", {"Location": "/loop"})
        elif path == "/pdf":
            self._send(200, "application/pdf", b"%PDF-1.4")
        elif path == "/empty":
            self._send(200, "text/html", b"<html><body><nav>Home</nav></body></html>")
        elif path == "/mojibake":  # declared utf-8, sent as latin-1: decoded anyway
            page = f"<article>{ARTICLE}<p>Caf\u00e9 d\u00e9truit.</p></article>"
            body = f"<html><head><title>Kyiv</title></head><body>{page}</body></html>"
            self._send(200, "text/html; charset=utf-8", body.encode("latin-1"))
        else:
            self._send(404, "text/plain", b"")

    def _send(self, status: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    REQUESTS.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def outcomes(settings: Settings) -> tuple[dict[str, str], int]:
    """Dead-letter reasons by the last path segment of their URL, and how many articles were published."""
    redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
    try:
        reasons = {}
        for _, letter in await dead_letters(redis, settings, []):
            assert letter is not None
            url = UrlRequest.model_validate_json(letter.payload).url
            reasons[url.rsplit("/", 1)[1]] = f"{letter.error_type}: {letter.error}"
        return reasons, int(await redis.xlen(settings.keys.articles))
    finally:
        await redis.aclose()


def test_each_bad_input_is_dead_lettered_with_its_reason(settings: Settings, site: str) -> None:
    cases = ["missing", "error", "busy", "slow", "huge", "loop", "pdf", "empty", "mojibake"]
    urls = [f"{site}/{c}" for c in cases] + ["http://no-such-host.invalid/x", "ftp://example.com/file"]
    url = settings.redis_url.get_secret_value()  # type: ignore[union-attr]
    bad = asyncio.run(submit_urls(url, settings, urls))
    assert len(bad) == 1 and "ftp://" in bad[0]  # refused at submission, with its reason
    env = worker_env(
        settings,
        {
            "NEWSWIRE_FETCH_TIMEOUT_S": "1",
            "NEWSWIRE_MAX_PAGE_BYTES": "100000",
            "NEWSWIRE_MAX_DELIVERIES": "2",
        },
    )
    proc = start_worker("ingest", env, port := _port())
    try:
        wait_urls_drained(settings, timeout=90)
        results, articles = asyncio.run(outcomes(settings))
        _, metrics = http_get(f"http://127.0.0.1:{port}/metrics")
        assert proc.poll() is None  # never crashed
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    expected = {
        "missing": "HTTP 404",
        "error": "HTTP 500",
        "busy": "HTTP 429",
        "slow": "timeout",
        "huge": "too-large",
        "loop": "redirect",
        "pdf": "not HTML",
        "empty": "no main text",
        "x": "dns",
    }
    for key, reason in expected.items():
        assert reason in results.get(key, ""), (key, results.get(key))
    assert articles == 1 and "mojibake" not in results  # the mis-declared page is decoded and kept
    assert REQUESTS["/missing"] == 1  # a 404 is not retried
    assert REQUESTS["/error"] == 2 and REQUESTS["/busy"] == 2  # 5xx and 429 retried up to the limit
    for reason in ("timeout", "too-large", "dns", "content-type", "empty"):
        assert f'newswire_fetch_errors_total{{reason="{reason}"}}' in metrics


def test_retry_after_spaces_the_retries_of_a_429(settings: Settings, site: str) -> None:
    url = settings.redis_url.get_secret_value()  # type: ignore[union-attr]
    asyncio.run(submit_urls(url, settings, [f"{site}/busy"]))
    env = worker_env(settings, {"NEWSWIRE_MAX_DELIVERIES": "3"})
    proc = start_worker("ingest", env)
    try:
        started = time.monotonic()
        wait_urls_drained(settings, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert REQUESTS["/busy"] == 3
    assert elapsed >= 4  # two waits of Retry-After: 2 seconds each


def wait_urls_drained(settings: Settings, timeout: float) -> None:
    """Only ingest runs here: wait for its group to have read and acknowledged every URL."""

    async def lag() -> int:
        redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
        try:
            return await streams.group_lag(redis, settings.keys.urls, "ingest")
        finally:
            await redis.aclose()

    deadline = time.monotonic() + timeout
    while asyncio.run(lag()):
        assert time.monotonic() < deadline, f"urls not drained after {timeout}s"
        time.sleep(0.2)


def _port() -> int:
    from services.runtime.embedded_redis import free_port

    return free_port()
