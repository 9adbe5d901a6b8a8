"""A real `newswire serve` app on a free port (uvicorn in a thread), and sample events to store."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import uvicorn

from schemas import Actor, Event, EventTime, Evidence, ExtractorInfo, Location, Quantity
from services.api.app import create_app
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.store import db

T0 = datetime(2025, 9, 1, tzinfo=UTC)
PLACES = {
    "UKR": ("Kharkiv", 49.99, 36.23),
    "RUS": ("Belgorod", 50.6, 36.58),
    "FJI": ("Suva", -18.14, 178.44),
    "FRA": ("Paris", 48.85, 2.35),
}


def sample_event(
    n: int,
    *,
    event_type: str = "assault",
    country: str | None = "UKR",
    killed: int | None = None,
    actor: str | None = "RUS",
    recipient: str | None = "UKR",
    mode: str | None = None,
    day: int = 0,
    evidence: str | None = None,
    confidence: float = 0.8,
    timed: bool = True,
) -> Event:
    text = evidence or f"Event number {n} happened, officials said."
    location = None
    if country is not None:
        name, lat, lon = PLACES[country]
        location = Location(text=name, name=name, country=country, lat=lat, lon=lon, precision="city")
    quantities = (
        [Quantity(kind="killed", value=killed, text=f"{killed} people")] if killed is not None else []
    )
    return Event(
        event_id=f"e{n:06d}",
        article_id=f"a{n:06d}",
        source="news.test",
        source_url=f"https://news.test/{n}",
        published_at=T0 + timedelta(days=day, hours=1),
        extractor=ExtractorInfo(name="test", version="1"),
        event_type=event_type,
        mode=mode,  # type: ignore[arg-type]
        actor=Actor(text="Russian forces", name="Russia", country=actor) if actor else None,
        recipient=Actor(text="Ukraine", country=recipient) if recipient else None,
        location=location,
        time=EventTime(start=T0 + timedelta(days=day), precision="day") if timed else None,
        quantities=quantities,
        claimant="officials",
        evidence=Evidence(text=text, start=0, end=len(text)),
        confidence=confidence,
    )


async def store(database_url: str, events: list[Event]) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        await db.upsert_events(engine, events)
    finally:
        await engine.dispose()


@contextmanager
def serve(settings: Settings, redis_url: str) -> Iterator[str]:
    """The API listening on 127.0.0.1:<free port>; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, redis_url), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
