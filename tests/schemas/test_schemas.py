"""The message contracts: round trips, deterministic ids, and JSON Schema files kept current."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import (
    Article,
    Event,
    Evidence,
    ExtractorInfo,
    Quantity,
    UrlRequest,
    article_id_for,
    event_id_for,
)
from schemas.generate import SCHEMA_DIR, render


def make_event() -> Event:
    return Event(
        event_id=event_id_for("a1", "assault", 0, 10),
        article_id="a1",
        extractor=ExtractorInfo(name="x", version="1"),
        event_type="assault",
        quantities=[
            Quantity(kind="launched", object="drone", value=580, approx=True, text="approximately 580")
        ],
        evidence=Evidence(text="Russia fired", start=0, end=12),
        confidence=0.9,
        published_at=datetime(2025, 9, 20, tzinfo=UTC),
    )


def test_event_round_trips_through_json() -> None:
    event = make_event()
    assert Event.model_validate_json(event.model_dump_json()) == event


def test_article_round_trips_and_requires_aware_dates() -> None:
    article = Article(
        article_id=article_id_for("https://x.test/a"), url="https://x.test/a", canonical_url="https://x.test/a",
        text="body", content_hash="h", published_at=datetime(2025, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert Article.model_validate_json(article.model_dump_json()) == article
    with pytest.raises(ValidationError):
        Article.model_validate({**article.model_dump(), "published_at": "2025-01-01T00:00:00"})


def test_ids_are_deterministic_and_distinct() -> None:
    assert article_id_for("https://x.test/a") == article_id_for("https://x.test/a")
    assert article_id_for("https://x.test/a") != article_id_for("https://x.test/b")
    assert event_id_for("a", "assault", 1, 5) != event_id_for("a", "accuse", 1, 5)
    assert UrlRequest(url="https://x.test/").request_id == UrlRequest(url="https://x.test/").request_id


def test_unknown_event_type_and_negative_counts_are_rejected() -> None:
    data = make_event().model_dump()
    with pytest.raises(ValidationError):
        Event.model_validate({**data, "event_type": "fight"})
    with pytest.raises(ValidationError):
        Quantity(kind="killed", value=-1, text="x")


def test_json_schema_files_are_current() -> None:
    for filename, text in render().items():
        path = SCHEMA_DIR / filename
        assert path.exists(), f"{filename} missing: run `make schemas`"
        assert json.loads(path.read_text()) == json.loads(text), f"{filename} is stale: run `make schemas`"
