"""Duplicate detection: canonical URLs before fetching, content fingerprints after cleaning."""

from __future__ import annotations

from courlan import clean_url, normalize_url
from trafilatura.deduplication import Simhash

NEAR_DUPLICATE_SIMILARITY = 0.9


def canonical_url(url: str) -> str:
    """Lower-case host, no fragment, no tracking parameters; ValueError for non-http(s) URLs."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    cleaned = clean_url(url)
    if not cleaned:
        raise ValueError(f"unparsable URL: {url[:200]!r}")
    return str(normalize_url(cleaned, strict=True))


def fingerprint(text: str) -> str:
    return format(Simhash(text).hash, "016x")


def is_near_duplicate(fp_a: str, fp_b: str) -> bool:
    a, b = Simhash(), Simhash()
    a.hash, b.hash = int(fp_a, 16), int(fp_b, 16)
    return bool(a.similarity(b) >= NEAR_DUPLICATE_SIMILARITY)
