"""API keys and request metrics, as plain ASGI middleware (so streamed responses pass untouched).

Keys (NEWSWIRE_API_KEYS) are optional; when set, every path but /healthz needs one, given as
`X-API-Key`, `Authorization: Bearer <key>`, or `?api_key=` (EventSource cannot send headers).
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OPEN_PATHS = ("/healthz",)
Scope = dict[str, Any]


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("newswire_api_requests_total", "HTTP requests, by route and status",
                                ["route", "status"], registry=self.registry)  # fmt: skip
        self.duration = Histogram("newswire_api_request_seconds", "HTTP request time until the response "
                                  "starts", ["route"], registry=self.registry)  # fmt: skip
        self.stream_clients = Gauge("newswire_api_stream_clients", "Connected /stream clients",
                                    registry=self.registry)  # fmt: skip
        self.stream_dropped = Gauge("newswire_api_stream_dropped", "Slow /stream clients dropped since start",
                                    registry=self.registry)  # fmt: skip


def _route(path: str) -> str:
    if path.startswith("/events/"):
        return "/events/{event_id}"
    if path.startswith("/static/"):
        return "/static"
    return path if path in ("/", "/events", "/stream", "/healthz", "/metrics", "/asyncapi.json",
                            "/openapi.json") else "other"  # fmt: skip


class AccessMiddleware:
    def __init__(self, app: Any, keys: list[str], metrics: ApiMetrics) -> None:
        self.app = app
        self.keys = [k.encode() for k in keys]
        self.metrics = metrics

    def _authorised(self, scope: Scope) -> bool:
        if not self.keys or scope["path"] in OPEN_PATHS or scope["method"] == "OPTIONS":  # CORS preflight
            return True
        headers = {k.decode().lower(): v for k, v in scope.get("headers", [])}
        given = headers.get("x-api-key")
        auth = headers.get("authorization", b"")
        if given is None and auth.lower().startswith(b"bearer "):
            given = auth[7:].strip()
        if given is None:
            values = parse_qs(scope.get("query_string", b"").decode(errors="replace")).get("api_key")
            given = values[0].encode() if values else None
        return given is not None and any(hmac.compare_digest(given, key) for key in self.keys)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = _route(scope["path"])
        started = time.perf_counter()
        status = {"code": 500}

        async def send_counted(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                self.metrics.duration.labels(route).observe(time.perf_counter() - started)
            await send(message)

        try:
            if not self._authorised(scope):
                body = json.dumps({"error": "unauthorized", "detail": "an API key is required"}).encode()
                await send_counted({"type": "http.response.start", "status": 401, "headers": [
                    (b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
            await self.app(scope, receive, send_counted)
        finally:
            self.metrics.requests.labels(route, str(status["code"])).inc()
