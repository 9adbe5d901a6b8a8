"""`newswire demo`: a bundled sample corpus through the whole pipeline, offline.

Builds HTML pages and an RSS feed from the sample articles (services/demo_corpus, plus the corpus in
../shared when it is present), serves them on a loopback HTTP server (services/devsite.py), runs the
three workers on an embedded Redis with SQLite under `<data dir>/demo` until every stream is drained,
prints what came out, and how to look at the database it leaves there.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.devsite import news_routes, sample_texts, start_site
from services.ops.local_pipeline import run_pipeline
from services.runtime.settings import Settings
from services.store import db


def print_summary(stats: dict[str, Any], events: list[dict[str, Any]]) -> None:
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
    console.print(f"dead letters: {stats['dead_letters']}")


def run_demo(as_json: bool = False, serve: bool = False, port: int | None = None) -> int:
    """Run the demo under `<data dir>/demo` (emptied first), where its database stays afterwards."""
    base_settings = Settings()
    data_dir = base_settings.data_dir / "demo"
    shutil.rmtree(data_dir, ignore_errors=True)  # a fresh run each time; only the demo's own folder
    texts = sample_texts()
    site = start_site()
    site.routes.update(news_routes(texts, site.base, datetime.now(UTC)))
    os.environ.update(
        NEWSWIRE_DATA_DIR=str(data_dir), NEWSWIRE_ALLOW_PRIVATE_NETWORKS="1", NEWSWIRE_HOST_DELAY_S="0",
        NEWSWIRE_METRICS_PORT=os.environ.get("NEWSWIRE_METRICS_PORT", "0"),
    )  # fmt: skip
    os.environ.pop("NEWSWIRE_REDIS_URL", None)
    os.environ.pop("NEWSWIRE_DATABASE_URL", None)
    settings = Settings()
    print(f"serving {len(texts)} sample articles and a feed at {site.base}/feed.xml; running the pipeline")
    try:
        code, stats = run_pipeline(
            settings, feeds=[f"{site.base}/feed.xml"], urls=[], until_idle=True, timeout_s=600
        )
        engine = db.make_engine(settings.sqlalchemy_url())

        async def read() -> tuple[dict[str, Any], list[dict[str, Any]]]:
            try:
                return await db.counts(engine), await db.recent_events(engine, limit=6)
            finally:
                await engine.dispose()

        counts, events = asyncio.run(read())
        counts["dead_letters"] = stats["dead_letters"]
        database = data_dir / "newswire.db"
        if not as_json:
            print_summary(counts, events)
            print(how_to_look(database, data_dir))
        else:
            print(json.dumps({**counts, "database": str(database), "sample_events": events}, default=str))
    finally:
        site.shutdown()
    if serve:
        from services.api.server import serve_api

        serve_api(settings, port=port)
    return code


def how_to_look(database: Path, data_dir: Path) -> str:
    return (
        f"\nThe demo's database stays at {database}. To look at it:\n"
        f"  NEWSWIRE_DATA_DIR={data_dir} newswire stats\n"
        f"  sqlite3 {database} 'SELECT event_type, count(*) FROM events GROUP BY 1'\n"
        f"  sqlite3 {database} 'SELECT title, url FROM articles LIMIT 5'\n"
        f"To browse it (events page, map, API at /events): newswire demo --serve, or\n"
        f"  NEWSWIRE_DATA_DIR={data_dir} newswire serve    # then open http://127.0.0.1:8080/"
    )
