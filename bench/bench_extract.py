"""Extraction speed per core and peak memory of the rule engine on ~700-word articles.

    .venv/bin/python bench/bench_extract.py [--articles 200] [--words 700] [--corpus DIR]

Articles are built from the corpus: its distinct sentences are laid end to end and cut into windows of
about `--words` words, each window starting further along, so no article repeats a sentence. One process,
one thread (the figure is per core); model loading is excluded from the timing and reported separately.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

from schemas import Article
from services.extractor.rules import RuleEngine
from services.extractor.rules.sentences import split_sentences

DEFAULT_CORPUS = Path("/work/shared/corpus/articles")


def corpus_sentences(folder: Path) -> list[str]:
    seen: set[str] = set()
    sentences: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for start, end in split_sentences(text):
            sentence = text[start:end]
            if sentence not in seen:
                seen.add(sentence)
                sentences.append(sentence)
    return sentences


def build_articles(sentences: list[str], count: int, words: int) -> list[Article]:
    articles: list[Article] = []
    for n in range(count):
        parts: list[str] = []
        total = 0
        k = n * 3
        while total < words and len(parts) < len(sentences):
            sentence = sentences[k % len(sentences)]
            parts.append(sentence)
            total += len(sentence.split())
            k += 1
        text = "\n".join(parts)
        articles.append(
            Article(
                article_id=f"bench{n}",
                url=f"bench:{n}",
                canonical_url=f"bench:{n}",
                text=text,
                content_hash=str(n),
            )
        )
    return articles


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--words", type=int, default=700)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    articles = build_articles(corpus_sentences(args.corpus), args.articles, args.words)
    started = time.perf_counter()
    engine = RuleEngine()
    engine.extract(articles[0])  # loads the spaCy model
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    events = sum(len(engine.extract(article)) for article in articles)
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    words = sum(len(a.text.split()) for a in articles) / len(articles)
    print(
        json.dumps(
            {
                "articles": len(articles),
                "mean_words": round(words),
                "events": events,
                "articles_per_second_per_core": round(len(articles) / cpu, 1),
                "articles_per_second_wall": round(len(articles) / wall, 1),
                "load_seconds": round(load_seconds, 2),
                "peak_rss_mib": round(peak_rss_mib(), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
