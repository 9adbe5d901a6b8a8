"""Rule-based PLOVER event extraction: spaCy sentences and parse plus lexicons kept as data files."""

from services.extractor.rules.engine import RuleEngine

__all__ = ["RuleEngine"]
