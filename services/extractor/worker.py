"""The extractor worker: reads `articles`, publishes each event on `events` and `events.<type>`.

The engine is CPU-bound, so it runs in one thread of its own, which keeps the consume loop (acks,
reclaim, health) responsive. The events and the ack leave in one command: each event is encoded and
sent once, and Redis adds it to both streams (services/runtime/streams.py, PUBLISH_AND_ACK). Articles
marked as duplicates, or in a language the engine does not
handle, produce no events and are counted as skipped.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from schemas import Article
from services.extractor.engine import ExtractionEngine, get_engine
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.streams import Output, TopicEntry
from services.runtime.topology import ARTICLES, EXTRACTOR
from services.runtime.worker import Subscription, WorkerSpec

MAX_ARTICLE_CHARS = 200_000


def build_extractor(
    settings: Settings, metrics: Metrics, engine: ExtractionEngine | None = None
) -> WorkerSpec:
    """The worker around `engine` (by default the one `settings.extractor_engine` names)."""
    engine = engine or get_engine(settings.extractor_engine)
    languages = {lang.lower() for lang in settings.extract_languages}
    keys = settings.keys
    # One thread, always the same one: extraction is serial per worker (one core), and a fresh pool
    # thread per article would hop between threads (and caches) for nothing.
    extraction = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")

    async def extract(article: Article) -> Sequence[Output]:
        if article.duplicate_of:
            metrics.skipped.labels("duplicate").inc()
            return []
        if article.language and languages and article.language.lower()[:2] not in languages:
            metrics.skipped.labels("language").inc()
            return []
        if len(article.text) > MAX_ARTICLE_CHARS:
            article = article.model_copy(update={"text": article.text[:MAX_ARTICLE_CHARS]})
            metrics.skipped.labels("truncated").inc()
        events = await asyncio.get_running_loop().run_in_executor(extraction, engine.extract, article)
        out: list[Output] = []
        for event in events:
            out.append((keys.events, event))
            out.append(TopicEntry(keys.topic(event.event_type), event, settings.topic_maxlen))
        for event_type, count in Counter(e.event_type for e in events).items():
            metrics.events.labels(event_type).inc(count)
        return out

    async def stop_extraction() -> None:
        extraction.shutdown(wait=True)

    return WorkerSpec(
        name=EXTRACTOR.name,
        group=EXTRACTOR.group,
        subscriptions=[Subscription(ARTICLES, Article, extract)],
        on_stop=[stop_extraction],
        keeps_public_topics=True,
    )
