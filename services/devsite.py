"""A local news site: sample articles as HTML pages and an RSS feed, served on a loopback HTTP server
that records every request. The demo serves its corpus with it; the tests and benchmarks use it as the
site they fetch (answers from a route table; a route may be a function of the request)."""

from __future__ import annotations

import contextlib
import html
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BUNDLED = Path(__file__).resolve().parent / "demo_corpus"
# The project's shared folder next to the checkout (../shared), whatever the working directory.
SHARED = Path(__file__).resolve().parents[2] / "shared"


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str  # with the query
    headers: dict[str, str]  # lower-case names


Reply = tuple[int, dict[str, str], bytes]
Route = Reply | Callable[[Hit], Reply]


def page(content_type: str, body: bytes) -> Reply:
    return 200, {"Content-Type": content_type}, body


@dataclass
class Site:
    """A running site: its base URL, the routes it answers (change them at will) and the hits."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

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
            return 404, {"Content-Type": "text/plain"}, b"not found"
        return route(hit) if callable(route) else route

    def shutdown(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_site(routes: dict[str, Route] | None = None) -> Site:
    """Serve `routes` on 127.0.0.1 (a free port) in a background thread; `shutdown()` when done."""
    site = Site(routes=dict(routes or {}))

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hit = Hit(time.monotonic(), self.path, {k.lower(): v for k, v in self.headers.items()})
            with site.lock:
                site.hits.append(hit)
            status, headers, body = site.reply(hit)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # requests are recorded in `hits`, not logged

    site.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.base = f"http://127.0.0.1:{site.server.server_address[1]}"
    threading.Thread(target=site.server.serve_forever, daemon=True).start()
    return site


@contextlib.contextmanager
def running_site(routes: dict[str, Route] | None = None) -> Iterator[Site]:
    site = start_site(routes)
    try:
        yield site
    finally:
        site.shutdown()


def sample_texts() -> dict[str, str]:
    """The bundled sample articles, plus the corpus in ../shared/corpus/articles when present."""
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(BUNDLED.glob("*.txt"))}
    corpus = SHARED / "corpus" / "articles"
    if corpus.is_dir():
        for path in sorted(corpus.glob("*.txt")):
            found[f"corpus-{path.stem}"] = path.read_text(encoding="utf-8")
    return found


def page_html(title: str, paragraphs: list[str], published: datetime) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="article:published_time" content="{published.isoformat()}">
<meta name="author" content="Newswire Demo Desk"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{html.escape(title)}</h1>{body}</article>
<footer>Sign up for our newsletter. &copy; Demo News</footer></body></html>"""


def news_routes(texts: dict[str, str], base: str, now: datetime) -> dict[str, Route]:
    """robots.txt, one page per text under /articles/ and an RSS feed of them at /feed.xml."""
    routes: dict[str, Route] = {"/robots.txt": page("text/plain", b"User-agent: *\nAllow: /\n")}
    items = []
    for index, (slug, text) in enumerate(texts.items()):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        title = lines[0].lstrip("- ").strip()
        published = now - timedelta(hours=index + 1)
        path = f"/articles/{slug}.html"
        body = page_html(title, lines[1:] or lines, published).encode()
        routes[path] = page("text/html; charset=utf-8", body)
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate></item>"
        )
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Demo News</title>'
        f"<link>{base}/</link><description>newswire demo feed</description>{''.join(items)}</channel></rss>"
    )
    routes["/feed.xml"] = page("application/rss+xml", rss.encode())
    return routes


def http_get(url: str, timeout: float = 20.0) -> tuple[int, str]:
    """GET a URL, retrying while nothing listens yet (a worker starting): (status, body)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
