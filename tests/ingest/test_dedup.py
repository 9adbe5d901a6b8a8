"""canonical_url normalisation and refusals; near-duplicate fingerprints on real benchmark articles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from services.ingest.dedup import canonical_url, fingerprint, is_near_duplicate, similarity

FUNDUS = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "html" / "fundus-evaluation"
needs_fundus = pytest.mark.skipif(not FUNDUS.is_dir(), reason=f"shared HTML benchmark not found at {FUNDUS}")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://WWW.Example.COM/News/Story?utm_source=tw&utm_medium=social&id=5#comments",
            "https://www.example.com/News/Story?id=5",
        ),
        ("https://example.com/a?fbclid=IwAR0x&gclid=abc&b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80/world/../politics/story.html", "http://example.com/politics/story.html"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/x?PHPSESSID=9f&ocid=rss&page=2", "https://example.com/x?page=2"),
    ],
)
def test_canonical_url_normalises(url: str, expected: str) -> None:
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected  # idempotent


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "not an http(s) URL"),
        ("javascript:alert(1)", "not an http(s) URL"),
        ("", "not an http(s) URL"),
        ("https://", "without a valid host"),
        ("https://exa mple.com/", "without a valid host"),
        ("http://[::1/", "unparsable"),
        ("http://example.com:99999/", "unparsable"),
    ],
)
def test_canonical_url_refuses_with_reason(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=re.escape(reason)):
        canonical_url(url)


def _fundus_body(name: str) -> str:
    truth = json.loads((FUNDUS / "ground_truth.json").read_text(encoding="utf-8"))
    return "\n".join(truth[name]["body"])


@needs_fundus
def test_syndicated_copy_is_a_near_duplicate() -> None:
    body = _fundus_body("TheGuardian_1.html.gz")
    copy = "\n".join(
        [
            "Wire story: a different headline for the same report",
            "By Staff and agencies",
            body,
            "Sign up for our morning newsletter",
            "Share this article",
            "Advertisement",
            "© 2024 Example Media Group. All rights reserved.",
        ]
    )
    assert is_near_duplicate(fingerprint(body), fingerprint(copy))
    assert similarity(fingerprint(body), fingerprint(body)) == 1.0


@needs_fundus
def test_different_stories_about_the_same_event_are_not_duplicates() -> None:
    # Two reports of the 2024 Brit Awards, sharing the nominee lists: the closest pair among the
    # benchmark articles (word 3-shingle Jaccard 0.24), yet two stories.
    independent = fingerprint(_fundus_body("TheIndependent_0.html.gz"))
    telegraph = fingerprint(_fundus_body("TheTelegraph_2.html.gz"))
    assert not is_near_duplicate(independent, telegraph)
    assert not is_near_duplicate(
        fingerprint(_fundus_body("APNews_0.html.gz")), fingerprint(_fundus_body("APNews_1.html.gz"))
    )


def test_fingerprint_format_and_bad_input() -> None:
    fp = fingerprint("A short text about nothing in particular at all.")
    assert len(fp) == 512 and int(fp, 16) >= 0
    assert fingerprint("") == "ffff" * 128
    assert not is_near_duplicate(fingerprint(""), fingerprint(""))
    with pytest.raises(ValueError, match="not a fingerprint"):
        is_near_duplicate(fp, "abc")
