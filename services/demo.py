"""`newswire demo`: a bundled sample corpus through the whole pipeline, offline.

Builds HTML pages and an RSS feed from the sample articles (those bundled here, plus the corpus in
../shared when it is present), serves them on a loopback HTTP server, runs the three workers on an
embedded Redis with SQLite until every stream is drained, and prints what came out.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import shutil
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from services.runtime.settings import Settings

BUNDLED = Path(__file__).resolve().parent / "demo_corpus"


def sample_texts() -> dict[str, str]:
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(BUNDLED.glob("*.txt"))}
    for shared in (Path.cwd().parent / "shared", Path(__file__).resolve().parents[2].parent / "shared"):
        corpus = shared / "corpus" / "articles"
        if corpus.is_dir():
            found.update(
                {f"corpus-{p.stem}": p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))}
            )
            break
    return found


def page_html(title: str, paragraphs: list[str], published: datetime) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta property="article:published_time" content="{published.isoformat()}">
<meta name="author" content="Newswire Demo Desk"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>{html.escape(title)}</h1>{body}</article>
<footer>Sign up for our newsletter. &copy; Demo News</footer></body></html>"""


def build_site(texts: dict[str, str], base: str, now: datetime) -> dict[str, tuple[str, bytes]]:
    site: dict[str, tuple[str, bytes]] = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    items = []
    for index, (slug, text) in enumerate(texts.items()):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        title = lines[0].lstrip("- ").strip()
        published = now - timedelta(hours=index + 1)
        path = f"/articles/{slug}.html"
        site[path] = ("text/html; charset=utf-8", page_html(title, lines[1:] or lines, published).encode())
        items.append(
            f"<item><title>{html.escape(title)}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate></item>"
        )
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Demo News</title>'
        f"<link>{base}/</link><description>newswire demo feed</description>{''.join(items)}</channel></rss>"
    )
    site["/feed.xml"] = ("application/rss+xml", rss.encode())
    return site


def serve(site: dict[str, tuple[str, bytes]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = site.get(self.path.split("?", 1)[0])
            if found is None:
                self.send_error(404)
                return
            ctype, body = found
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def print_summary(stats: dict[str, Any], events: list[dict[str, Any]], database: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"\n[bold]newswire demo[/bold]: {stats['articles']} articles, {stats['events']} events stored"
    )
    table = Table("event type", "events")
    for event_type, count in sorted(stats["events_by_type"].items(), key=lambda kv: -kv[1]):
        table.add_row(event_type, str(count))
    console.print(table)
    sample = Table("type", "actor", "where", "counts", "evidence", show_lines=True)
    for ev in events:
        counts = ", ".join(
            f"{q['kind']} {q['value']} {q.get('object') or ''}".strip() for q in ev["quantities"]
        )
        where = (ev.get("location") or {}).get("name") or ""
        actor = (ev.get("actor") or {}).get("country") or ""
        sample.add_row(ev["event_type"], actor, where, counts, ev["evidence"]["text"][:160])
    console.print(sample)
    console.print(f"dead letters: {stats['dead_letters']}   database: {database}")


def run_demo(keep: bool = False, as_json: bool = False) -> int:
    from services.runner import run_pipeline
    from services.store import db

    data_dir = Path(tempfile.mkdtemp(prefix="newswire-demo-"))
    texts = sample_texts()
    site: dict[str, tuple[str, bytes]] = {}
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site.update(build_site(texts, base, datetime.now(UTC)))
    os.environ.update(
        NEWSWIRE_DATA_DIR=str(data_dir), NEWSWIRE_ALLOW_PRIVATE_NETWORKS="1", NEWSWIRE_HOST_DELAY_S="0",
        NEWSWIRE_METRICS_PORT=os.environ.get("NEWSWIRE_METRICS_PORT", "0"),
    )  # fmt: skip
    os.environ.pop("NEWSWIRE_REDIS_URL", None)
    os.environ.pop("NEWSWIRE_DATABASE_URL", None)
    settings = Settings()
    print(f"serving {len(texts)} sample articles and a feed at {base}/feed.xml; running the pipeline ...")
    try:
        code, stats = run_pipeline(
            settings, feeds=[f"{base}/feed.xml"], urls=[], until_idle=True, timeout_s=600
        )
        engine = db.make_engine(settings.sqlalchemy_url())

        async def read() -> tuple[dict[str, Any], list[dict[str, Any]]]:
            try:
                return await db.counts(engine), await db.recent_events(engine, limit=6)
            finally:
                await engine.dispose()

        counts, events = asyncio.run(read())
        counts["dead_letters"] = stats["dead_letters"]
        if not as_json:
            print_summary(counts, events, str(data_dir / "newswire.db"))
        else:
            print(json.dumps({**counts, "sample_events": events}, default=str))
        return code
    finally:
        server.shutdown()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
