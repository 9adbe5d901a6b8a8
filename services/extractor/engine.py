"""The one interface every extraction engine implements, and the factory that picks one by name.

The rule engine (spaCy parse + lexicons kept as data files) is the default; another engine, such as
an LLM server, plugs in by implementing `ExtractionEngine` and registering under a name.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from schemas import Article, Event


class ExtractionEngine(Protocol):
    name: str
    version: str

    def extract(self, article: Article) -> list[Event]:
        """The events the article reports; evidence offsets index `article.text`."""
        ...


@cache
def get_engine(name: str = "rules") -> ExtractionEngine:
    if name == "rules":
        from services.extractor.rules import RuleEngine

        return RuleEngine()
    raise ValueError(f"unknown extraction engine {name!r} (known: rules)")
