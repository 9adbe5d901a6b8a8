"""Everything the rule engine reads from its data directory, loaded and checked once, before any article.

`RuleResources.from_dir(path)` reads the lexicons (triggers, counts, cues), the actor tables (countries,
actors, people, sectors, titles), the gazetteer and the relevance weights of one directory, each
validated as it loads (a malformed file raises the loader's error naming the file and entry), and
`RuleEngine(resources=...)` runs every stage on them: while it reads an article the stages' loaders
(`load_lexicon()`, `load_actor_table()`, ...) answer from that directory (datadir.py). An engine on a
copy of `data/` with one table changed is how to try a change of data without touching the shipped one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.extractor.rules.actors import ActorTable, read_actor_table
from services.extractor.rules.datadir import DEFAULT_DATA_DIR
from services.extractor.rules.gazetteer import Gazetteer, read_gazetteer
from services.extractor.rules.lexicon import Lexicon, read_lexicon
from services.extractor.rules.relevance_model import RelevanceModel, read_relevance_model


@dataclass(frozen=True)
class RuleResources:
    """The tables and weights of one data directory."""

    data_dir: Path
    lexicon: Lexicon
    actors: ActorTable
    gazetteer: Gazetteer
    relevance: RelevanceModel

    @classmethod
    def from_dir(cls, data_dir: Path = DEFAULT_DATA_DIR) -> RuleResources:
        """Read and check every table of `data_dir` (each directory is read once per process)."""
        folder = data_dir  # (not resolved: the shipped directory's tables are the loaders' own)
        if not folder.is_dir():
            raise FileNotFoundError(f"rule data directory {folder} does not exist")
        return cls(
            data_dir=folder,
            lexicon=read_lexicon(folder),
            actors=read_actor_table(folder),
            gazetteer=read_gazetteer(folder),
            relevance=read_relevance_model(folder),
        )
