"""The extractor worker: reads `articles`, publishes each event on `events` and `events.<type>`.

The engine is CPU-bound. Articles of ordinary length are extracted on the event loop's own thread:
handing each to another thread made the extraction itself 5-8 ms (about 13 %) slower per article in
the pipeline than the same work inline, measured side by side (bench/README.md, "the extraction
thread"), because the two threads take turns on the GIL across both cores and the extraction resumes
on cold caches. Such an article blocks the loop for well under a second (~50 ms for 700 words), which
health probes and reclaim tolerate. Long articles, which could block it for seconds, and the first
article (which loads the model), go to one thread of their own, which keeps the consume loop (acks,
reclaim, health) responsive while they run.

The events and the ack leave in one command: each event is encoded and sent once, and Redis adds it
to both streams (services/runtime/streams.py, PUBLISH_AND_ACK). Articles marked as duplicates, or in
a language the engine does not handle, produce no events and are counted as skipped.
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
# Longer texts are extracted off the event loop: at ~70 chars/ms, 20k characters block it ~0.3 s.
INLINE_MAX_CHARS = 20_000


def build_extractor(
    settings: Settings, metrics: Metrics, engine: ExtractionEngine | None = None
) -> WorkerSpec:
    """The worker around `engine` (by default the one `settings.extractor_engine` names)."""
    engine = engine or get_engine(settings.extractor_engine)
    languages = {lang.lower() for lang in settings.extract_languages}
    keys = settings.keys
    # One thread, always the same one, for long articles: extraction is serial per worker (one core),
    # and a fresh pool thread per article would hop between threads (and caches) for nothing.
    extraction = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
    model_loaded = False  # until an extraction has returned, the next one may load the model

    async def extract(article: Article) -> Sequence[Output]:
        nonlocal model_loaded
        if article.duplicate_of:
            metrics.skipped.labels("duplicate").inc()
            return []
        if article.language and languages and article.language.lower()[:2] not in languages:
            metrics.skipped.labels("language").inc()
            return []
        if len(article.text) > MAX_ARTICLE_CHARS:
            article = article.model_copy(update={"text": article.text[:MAX_ARTICLE_CHARS]})
            metrics.skipped.labels("truncated").inc()
        if model_loaded and len(article.text) <= INLINE_MAX_CHARS:
            events = engine.extract(article)
        else:
            events = await asyncio.get_running_loop().run_in_executor(extraction, engine.extract, article)
            model_loaded = True
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
