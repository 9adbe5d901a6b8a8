"""Main text and metadata from an HTML page, with trafilatura.

`clean_html` is the one entry point: the ingest worker and `newswire clean` both call it, so the
settings measured by the cleaning benchmark are the settings the pipeline runs with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import trafilatura
from trafilatura.settings import use_config

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")


@dataclass
class CleanedPage:
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    sitename: str | None = None
    language: str | None = None
    image: str | None = None
    canonical_url: str | None = None


def _parse_date(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return None if parsed > now else parsed


def clean_html(html: str | bytes, url: str | None = None, *, now: datetime | None = None) -> CleanedPage | None:
    """The cleaned page, or None when no main text could be extracted."""
    now = now or datetime.now(UTC)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        config=_CONFIG,
    )
    if doc is None or not (doc.text or "").strip():
        return None
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return CleanedPage(
        text=doc.text.strip(),
        title=doc.title,
        authors=authors,
        published_at=_parse_date(doc.date, now),
        sitename=doc.sitename,
        language=doc.language,
        image=doc.image,
        canonical_url=doc.url,
    )
