"""An API server on real Redis and a real database (SQLite and PostgreSQL) holding sample events."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from schemas import Event
from services.runtime.settings import Settings
from tests.api.harness import sample_event, serve, store


def sample_events() -> list[Event]:
    events = [
        sample_event(1, killed=3, evidence="Missiles hit Kharkiv overnight, killing three, officials said."),
        sample_event(
            2,
            event_type="protest",
            country="FRA",
            actor=None,
            recipient=None,
            mode="demonstrate",
            day=1,
            evidence="Thousands of protesters marched in Paris against the reform.",
        ),
        sample_event(3, country="RUS", killed=10, actor="UKR", recipient="RUS", day=2),
        sample_event(
            4, event_type="coerce", country="FJI", actor=None, recipient=None, day=3, confidence=0.3
        ),
        sample_event(5, country=None, day=4, timed=False),
    ]
    events += [sample_event(n, day=n) for n in range(6, 31)]
    return events


@dataclass
class Api:
    base: str
    settings: Settings
    events: list[Event]


@pytest.fixture
def api(settings: Settings, database_url: str, redis_url: str) -> Iterator[Api]:
    settings = settings.model_copy(update={"database_url": SecretStr(database_url), "api_heartbeat_s": 1.0})
    events = sample_events()
    asyncio.run(store(database_url, events))
    with serve(settings, redis_url) as base:
        yield Api(base, settings, events)
