"""Prometheus metrics of one worker process, and the small HTTP server for /metrics and /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)


class Metrics:
    """Our own counters, registered next to FastStream's middleware metrics in one registry."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages = Counter(
            "newswire_messages_total",
            "Stream messages handled, by outcome",
            ["stream", "outcome"],
            registry=r,
        )
        self.fetched = Counter(
            "newswire_fetched_total", "Pages and feeds fetched, by HTTP status", ["status"], registry=r
        )
        self.fetch_errors = Counter(
            "newswire_fetch_errors_total", "Fetches that failed, by reason", ["reason"], registry=r
        )
        self.articles_published = Counter(
            "newswire_articles_published_total", "Articles published", registry=r
        )
        self.events = Counter(
            "newswire_events_total", "Events extracted, by PLOVER type", ["event_type"], registry=r
        )
        self.dedup_hits = Counter(
            "newswire_dedup_hits_total", "Duplicates dropped or marked", ["kind"], registry=r
        )
        self.errors = Counter(
            "newswire_errors_total",
            "Errors handled without stopping (retried, waited for, or logged), by where and kind",
            ["where", "kind"],
            registry=r,
        )
        self.dead_letters = Counter(
            "newswire_dead_letters_total", "Messages dead-lettered", ["stream"], registry=r
        )
        self.stored = Counter(
            "newswire_stored_total", "Rows upserted into the database", ["table"], registry=r
        )
        self.skipped = Counter(
            "newswire_skipped_total", "Messages skipped on purpose, by reason", ["reason"], registry=r
        )
        self.reclaimed = Counter(
            "newswire_reclaimed_total", "Pending messages reclaimed from idle consumers", registry=r
        )
        self.trimmed = Counter(
            "newswire_trimmed_total", "Acknowledged entries trimmed from streams", registry=r
        )
        self.lag = Gauge(
            "newswire_stream_lag",
            "Entries of a stream not yet acknowledged by a group",
            ["stream"],
            registry=r,
        )
        self.backpressure = Gauge(
            "newswire_backpressure", "1 while ingest waits for the articles lag to fall", registry=r
        )
        self.feed_polls = Counter(
            "newswire_feed_polls_total", "Feed polls, by result", ["result"], registry=r
        )
        self.duration = Histogram(
            "newswire_processing_seconds", "Time to handle one message", ["stream"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip


class Health:
    """What /healthz reports: the consume loop's last heartbeat and the named checks."""

    def __init__(self, stale_after_s: float) -> None:
        self.stale_after_s = stale_after_s
        self.last_beat = time.monotonic()
        self.state: dict[str, str] = {}

    def beat(self) -> None:
        self.last_beat = time.monotonic()

    def set(self, name: str, state: str) -> None:
        self.state[name] = state

    def report(self) -> tuple[bool, dict[str, object]]:
        age = time.monotonic() - self.last_beat
        loop_ok = age < self.stale_after_s
        ok = loop_ok and all(v == "ok" for v in self.state.values())
        return ok, {"status": "ok" if ok else "failing", "consume_loop_age_s": round(age, 1), **self.state}


Route = Callable[[], Awaitable[tuple[int, str, bytes]]]


async def serve_http(host: str, port: int, metrics: Metrics, health: Health) -> asyncio.AbstractServer:
    """A minimal HTTP/1.0 server: GET /metrics (Prometheus text) and GET /healthz (JSON)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=5)
            while (await asyncio.wait_for(reader.readline(), timeout=5)) not in (b"\r\n", b"\n", b""):
                pass
            parts = request_line.decode(errors="replace").split()
            path = parts[1].split("?", 1)[0] if len(parts) >= 2 else "/"
            if path == "/metrics":
                status, ctype, body = 200, CONTENT_TYPE_LATEST, generate_latest(metrics.registry)
            elif path == "/healthz":
                ok, report = health.report()
                status, ctype, body = (200 if ok else 503), "application/json", json.dumps(report).encode()
            else:
                status, ctype, body = 404, "text/plain", b"not found\n"
            reason = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}[status]
            head = (
                f"HTTP/1.0 {status} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head.encode() + body)
            await writer.drain()
        except (TimeoutError, ConnectionError) as exc:  # the client went away or never sent a request
            log.debug("metrics server: %s from a client", type(exc).__name__)
            metrics.errors.labels("metrics-http", type(exc).__name__).inc()
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(handle, host, port)
