"""Benchmark inputs: ~700-word articles from the news corpus and the Zyte pages for the cleaning stage.

Articles are windows of distinct corpus sentences (../shared/corpus/articles plus the bundled demo
corpus) laid end to end, each window starting three sentences further along, so every article differs
while all of them read like the news the extractor is built for.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from schemas import Article, article_id_for, content_hash

ROOT = Path(__file__).resolve().parents[1]
ZYTE = ROOT.parent / "shared" / "benchmarks" / "html" / "article-extraction-benchmark" / "html"


def zyte_pages(limit: int) -> list[bytes]:
    return [gzip.decompress(p.read_bytes()) for p in sorted(ZYTE.glob("*.html.gz"))[:limit]]


def corpus_sentences() -> list[str]:
    from services.devsite import sample_texts
    from services.extractor.rules.sentences import split_sentences

    seen: set[str] = set()
    out: list[str] = []
    for text in sample_texts().values():
        for start, end in split_sentences(text):
            sentence = text[start:end].strip()
            if sentence and sentence not in seen:
                seen.add(sentence)
                out.append(sentence)
    return out


def build_articles(count: int, tag: str, words: int = 700, first: int = 0) -> list[Article]:
    """`count` articles of about `words` words; `tag` keeps the ids of one batch apart from another's."""
    sentences = corpus_sentences()
    articles = []
    for n in range(first, first + count):
        parts: list[str] = []
        total, k = 0, n * 3
        while total < words and len(parts) < len(sentences):
            sentence = sentences[k % len(sentences)]
            parts.append(sentence)
            total += len(sentence.split())
            k += 1
        text = "\n".join(parts)
        url = f"https://bench.test/{tag}/{n}"
        articles.append(
            Article(
                article_id=article_id_for(url),
                url=url,
                canonical_url=url,
                text=text,
                content_hash=content_hash(text),
                language="en",
                title=f"Bench article {n}",
            )
        )
    return articles


def stamped(articles: list[Article]) -> list[Article]:
    """Copies with `fetched_at` set to now: the start of the end-to-end latency."""
    now = datetime.now(UTC)
    return [a.model_copy(update={"fetched_at": now}) for a in articles]
