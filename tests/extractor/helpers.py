"""Helpers of the extractor tests: articles made from a text."""

from __future__ import annotations

from datetime import UTC, datetime

from schemas import Article, article_id_for

PUBLISHED = datetime(2025, 9, 17, 9, 30, tzinfo=UTC)


def make_article(text: str, published: datetime | None = None, source: str = "test.txt") -> Article:
    url = f"https://example.test/{abs(hash(text))}"
    return Article(
        article_id=article_id_for(url),
        url=url,
        canonical_url=url,
        text=text,
        content_hash="h",
        published_at=published,
        source=source,
    )
