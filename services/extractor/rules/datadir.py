"""Which data directory the rule engine reads: the shipped `data/`, or another one an engine was built on.

Every loader of the rules (lexicons, actor tables, gazetteer, relevance weights) reads and caches its
tables per directory, and reads the directory of the engine running now (`using`), so that two engines
built on two directories (`RuleEngine(resources=RuleResources.from_dir(path))`) never share tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).parent / "data"
_ACTIVE: ContextVar[Path] = ContextVar("newswire_rules_data_dir", default=DEFAULT_DATA_DIR)


def data_dir() -> Path:
    """The data directory of the engine running now (the shipped one outside any engine)."""
    return _ACTIVE.get()


@contextmanager
def using(folder: Path) -> Iterator[None]:
    """Read `folder` within the block."""
    token = _ACTIVE.set(folder)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
