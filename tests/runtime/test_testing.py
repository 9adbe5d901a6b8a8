"""The in-memory worker harness: messages in, outputs or the failure model's decision out, no Redis."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from schemas import Article, Event, article_id_for, content_hash
from services.devsite import BUNDLED
from services.extractor.worker import build_extractor
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.testing import WorkerHarness
from services.runtime.topology import ARTICLES
from services.store.worker import build_store


def article(n: int, **changes: object) -> Article:
    text = (BUNDLED / "003_kharkiv.txt").read_text()
    url = f"https://news.test/{n}"
    base = Article(
        article_id=article_id_for(url), url=url, canonical_url=url, text=text, content_hash=content_hash(text)
    )
    return base.model_copy(update=changes)


@pytest.fixture(scope="module")
def extractor() -> WorkerHarness:
    settings = Settings(stream_prefix="h:")
    return WorkerHarness(build_extractor(settings, Metrics("extractor")))


async def test_extractor_handler_publishes_each_event_on_events_and_its_topic(
    extractor: WorkerHarness,
) -> None:
    handled = await extractor.send(ARTICLES, article(1, language="en"))
    assert handled.decision == "ack"
    events = handled.published("h:events")
    assert events and all(
        isinstance(e, Event) and e.article_id == article_id_for("https://news.test/1") for e in events
    )
    for event in events:
        assert isinstance(event, Event)
        assert event in handled.published(f"h:events.{event.event_type}")


async def test_extractor_handler_skips_duplicates_and_other_languages(extractor: WorkerHarness) -> None:
    assert (await extractor.send(ARTICLES, article(2, duplicate_of="a0"))).outputs == []
    assert (await extractor.send(ARTICLES, article(3, language="fr"))).outputs == []


async def test_a_message_that_is_not_valid_is_dead_lettered(extractor: WorkerHarness) -> None:
    handled = await extractor.send(ARTICLES, b'{"kind": "article"}')
    assert handled.decision == "dead-letter" and handled.error is not None


def store(database_url: str, tmp_path: Path) -> WorkerHarness:
    settings = Settings(database_url=SecretStr(database_url), data_dir=tmp_path)
    return WorkerHarness(build_store(settings, Metrics("store")))


async def test_store_handler_upserts_a_batch_once(database_url: str, tmp_path: Path) -> None:
    harness = store(database_url, tmp_path)
    try:
        handled = await harness.send_batch(ARTICLES, [article(4), article(5), article(4)])
        assert handled.decision == "ack" and handled.outputs == []
        assert harness.spec.subscriptions[0].retry.dependency_max_s == 10.0
    finally:
        for hook in harness.spec.on_stop:
            await hook()


@pytest.mark.postgres
async def test_store_handler_outcomes_follow_the_database_error_table(
    postgres_url: str, tmp_path: Path
) -> None:
    too_long = store(postgres_url, tmp_path)
    missing = store(postgres_url.rsplit("/", 1)[0] + "/newswire_no_such_database", tmp_path)
    refused = store("postgresql+asyncpg://postgres@127.0.0.1:1/x", tmp_path)
    try:
        assert (await too_long.send(ARTICLES, article(6, language="x" * 40))).decision == "dead-letter"
        assert (await too_long.send(ARTICLES, article(7))).decision == "ack"
        assert (await missing.send(ARTICLES, article(8))).decision == "stop"
        assert (await refused.send(ARTICLES, article(9))).decision == "wait"
    finally:
        for harness in (too_long, missing, refused):
            for hook in harness.spec.on_stop:
                await hook()
