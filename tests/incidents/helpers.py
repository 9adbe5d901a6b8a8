"""Events made by hand for the incident tests: one article each, with a place, a day and figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import Actor, Event, EventTime, Evidence, ExtractorInfo, Location, Quantity, event_id_for

KHARKIV = Location(text="Kharkiv", name="Kharkiv", admin1="Kharkiv", country="UKR", lat=49.99, lon=36.23,
                   geonames_id=706483, precision="city")  # fmt: skip
KHARKIV_REGION = Location(text="Kharkiv region", name="Kharkiv", admin1="Kharkiv", country="UKR",
                          lat=49.99, lon=36.23, precision="admin1")  # fmt: skip
ODESA = Location(text="Odesa", name="Odesa", admin1="Odesa", country="UKR", lat=46.48, lon=30.73,
                 geonames_id=698740, precision="city")  # fmt: skip
DAY = datetime(2025, 3, 7, tzinfo=UTC)


def make_event(
    article: str,
    text: str,
    *,
    event_type: str = "assault",
    location: Location | None = KHARKIV,
    day: int = 0,
    hours: int = 9,
    actor: str | None = "RUS",
    recipient: str | None = "UKR",
    source: str | None = None,
    figures: tuple[tuple[str, int, str | None], ...] = (),
    mode: str | None = "missile",
) -> Event:
    published = DAY + timedelta(days=day, hours=hours)
    start = DAY + timedelta(days=day)
    return Event(
        event_id=event_id_for(article, event_type, 0, len(text)),
        article_id=article,
        source=source or f"outlet-{article}",
        published_at=published,
        extractor=ExtractorInfo(name="test", version="1"),
        event_type=event_type,  # type: ignore[arg-type]
        mode=mode,
        actor=Actor(text=actor, country=actor) if actor else None,
        recipient=Actor(text=recipient, country=recipient) if recipient else None,
        location=location,
        time=EventTime(start=start, end=start + timedelta(days=1), precision="day"),
        quantities=[
            Quantity(kind=kind, value=value, text=str(value), claimant=claimant)  # type: ignore[arg-type]
            for kind, value, claimant in figures
        ],
        evidence=Evidence(text=text, start=0, end=len(text)),
        confidence=0.8,
    )
