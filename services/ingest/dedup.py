"""Duplicate detection: canonical URLs before fetching, content fingerprints after cleaning.

URLs are normalised with courlan (lower-case scheme and host, default port dropped, tracking
parameters removed, query sorted) plus what courlan leaves: fragment, dot segments, empty path.

Fingerprints are MinHash sketches over word 3-shingles (one-permutation hashing: every shingle is
hashed once into one of 128 buckets, each bucket keeps its minimum as 16 bits), so the share of equal
buckets estimates the Jaccard similarity of the two shingle sets. On the cleaning benchmark pages a
syndicated copy (same body, other title and boilerplate lines) keeps a Jaccard of 0.75 or more, while
two different articles, even about the same event (two reports of the same awards ceremony, with the
same nominee lists), stay below 0.25; the threshold sits between them. Trafilatura's Simhash works on
single words and cannot tell those two cases apart (0.78 for copies, up to 0.86 for different stories).
"""

from __future__ import annotations

import ipaddress
import operator
import posixpath
import re
from functools import lru_cache
from hashlib import blake2b
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from courlan import normalize_url

NEAR_DUPLICATE_JACCARD = 0.45
_BUCKETS = 128
_EMPTY = 0xFFFF
_SHINGLE = 3
# Tracking and session parameters that courlan keeps.
_EXTRA_TRACKERS = re.compile(
    r"^(?:cmpid|ocid|smid|smtyp|ncid|mbid|icid|guccounter|_hsenc|_hsmi|hsctatracking|wt_mc|wt_zmc|"
    r"phpsessid|jsessionid|sessionid|__s|ns_(?:campaign|mchannel|source|linkname|fee))$",
    re.IGNORECASE,
)
_HOST_LABEL = re.compile(r"^(?!-)[\w-]{1,63}(?<!-)$")


def canonical_url(url: str) -> str:
    """The URL in one canonical spelling; ValueError with the reason for a non-http(s) or broken URL."""
    raw = url.strip()
    shown = repr(raw[:200])
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"unparsable URL {shown}: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {shown}")
    host = (parts.hostname or "").rstrip(".")
    if not _valid_host(host):
        raise ValueError(f"URL without a valid host: {shown}")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _EXTRA_TRACKERS.match(k)]
    )
    # normpath resolves dot segments and repeated slashes, but keeps a leading "//" (POSIX)
    path = posixpath.normpath(parts.path).replace("//", "/") if parts.path not in ("", "/") else "/"
    if parts.path.endswith("/") and not path.endswith("/"):
        path += "/"
    netloc = f"{host}:{port}" if port else host
    if ":" in host:
        netloc = f"[{host}]:{port}" if port else f"[{host}]"
    try:
        normalized = normalize_url(urlunsplit((parts.scheme, netloc, path, query, "")))
    except ValueError as exc:
        raise ValueError(f"unparsable URL {shown}: {exc}") from exc
    final = urlsplit(str(normalized))
    return urlunsplit((final.scheme, final.netloc, final.path or "/", final.query, ""))


def _valid_host(host: str) -> bool:
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    labels = host.split(".")
    return bool(host) and all(_HOST_LABEL.match(label) for label in labels)


def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < _SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def fingerprint(text: str) -> str:
    """A MinHash sketch of the text's word 3-shingles, as 512 hex digits (128 buckets of 16 bits)."""
    buckets = [_EMPTY] * _BUCKETS
    for shingle in _shingles(text):
        value = int.from_bytes(blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "big")
        bucket, rest = value % _BUCKETS, (value // _BUCKETS) % _EMPTY  # 0..0xFFFE: 0xFFFF marks "empty"
        buckets[bucket] = min(buckets[bucket], rest)
    return "".join(f"{b:04x}" for b in buckets)


@lru_cache(maxsize=8192)  # the worker compares each new page with the same recent fingerprints
def _buckets(fp: str) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    if len(fp) != _BUCKETS * 4:
        raise ValueError(f"not a fingerprint from fingerprint(): {len(fp)} characters, not {_BUCKETS * 4}")
    try:
        values = tuple(int(fp[i : i + 4], 16) for i in range(0, len(fp), 4))
    except ValueError as exc:
        raise ValueError(f"not a fingerprint from fingerprint(): {exc}") from exc
    return values, tuple(v == _EMPTY for v in values)


def similarity(fp_a: str, fp_b: str) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (0.0 to 1.0)."""
    (a, empty_a), (b, empty_b) = _buckets(fp_a), _buckets(fp_b)
    both_empty = sum(map(operator.and_, empty_a, empty_b))
    same = sum(map(operator.eq, a, b)) - both_empty
    used = _BUCKETS - both_empty
    return same / used if used else 0.0


def is_near_duplicate(fp_a: str, fp_b: str) -> bool:
    """True when the two fingerprinted texts are copies of one story (estimated Jaccard >= 0.45)."""
    return similarity(fp_a, fp_b) >= NEAR_DUPLICATE_JACCARD
