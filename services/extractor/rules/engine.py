"""Placeholder rule engine: one assault event per sentence with an attack word (to be replaced)."""

from __future__ import annotations

import re

from schemas import Article, Event, Evidence, ExtractorInfo, event_id_for

_TRIGGER = re.compile(r"\b(attack|strike|struck|shelling|drone|missile)s?\b", re.I)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")


class RuleEngine:
    name = "newswire-rules"
    version = "0.0.1"

    def extract(self, article: Article) -> list[Event]:
        events: list[Event] = []
        for match in _SENTENCE.finditer(article.text):
            sentence = match.group(0).strip()
            if not sentence or not _TRIGGER.search(sentence):
                continue
            start = article.text.index(sentence, match.start())
            end = start + len(sentence)
            events.append(
                Event(
                    event_id=event_id_for(article.article_id, "assault", start, end),
                    article_id=article.article_id,
                    parent_id=article.article_id,
                    source=article.source,
                    source_url=article.url,
                    published_at=article.published_at,
                    extractor=ExtractorInfo(name=self.name, version=self.version),
                    event_type="assault",
                    evidence=Evidence(text=sentence, start=start, end=end),
                    confidence=0.3,
                )
            )
        return events
