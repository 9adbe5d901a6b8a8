"""Shared fixtures of the extractor tests: one rule engine per test session (the spaCy model loads once)."""

from __future__ import annotations

import pytest

from services.extractor.rules import RuleEngine


@pytest.fixture(scope="session")
def engine() -> RuleEngine:
    return RuleEngine()
