"""A local HTTP server for tests that records every request it gets and answers from a route table."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str  # with the query
    headers: dict[str, str]  # lower-case names


Reply = tuple[int, dict[str, str], bytes]
Route = Reply | Callable[[Hit], Reply]


@dataclass
class CountingSite:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, path: str) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if urlsplit(h.path).path == path]

    def count(self, path: str) -> int:
        return len(self.requests(path))

    def times(self) -> list[float]:
        with self.lock:
            return sorted(h.at for h in self.hits)

    def reply(self, hit: Hit) -> Reply:
        route = self.routes.get(urlsplit(hit.path).path)
        if route is None:
            return 404, {}, b"not found"
        return route(hit) if callable(route) else route


@contextmanager
def counting_site() -> Iterator[CountingSite]:
    holder: list[CountingSite] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site = holder[0]
            hit = Hit(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()})
            with site.lock:
                site.hits.append(hit)
            status, headers, body = site.reply(hit)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(CountingSite(f"http://127.0.0.1:{server.server_address[1]}"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
