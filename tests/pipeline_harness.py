"""Helpers for the end-to-end tests: the local news site with its sample pages, worker processes and
waiting for the pipeline (the same code `newswire run`, the demo and the benchmarks use)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.devsite import Route, Site, http_get, news_routes, page, sample_texts, start_site
from services.ops.local_pipeline import start_worker, wait_idle, worker_env

__all__ = ["http_get", "start_news_site", "start_worker", "wait_idle", "worker_env"]


def start_news_site() -> tuple[Site, str, dict[str, Route]]:
    """The sample articles as pages and a feed, plus an image; (site, its base URL, its routes)."""
    site = start_site()
    site.routes.update(news_routes(sample_texts(), site.base, datetime.now(UTC)))
    site.routes["/image.png"] = page("image/png", b"\x89PNG\r\n\x1a\n")
    return site, site.base, site.routes
