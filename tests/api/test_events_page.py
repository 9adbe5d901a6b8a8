"""The events page in a real headless Chromium: offline map, timeline, filters, list with evidence, live."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from redis.asyncio import Redis

from services.runtime import streams
from services.runtime.settings import Settings
from tests.api.browser import chromium
from tests.api.conftest import sample_events
from tests.api.harness import sample_event, serve, store


@pytest.fixture
def page_on(settings: Settings, redis_url: str) -> Iterator[tuple[Page, str, list[str]]]:
    asyncio.run(store(settings.sqlalchemy_url(), sample_events()))
    with serve(settings, redis_url) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        expect(page.locator("#status")).to_have_attribute("data-state", "ready", timeout=20_000)
        expect(page.locator("body")).to_have_attribute("data-outline", "176", timeout=20_000)
        yield page, base, requested
        assert errors == []


def publish(settings: Settings, n: int, **kwargs: object) -> None:
    async def go() -> None:
        redis = Redis.from_url(settings.redis_url.get_secret_value())  # type: ignore[union-attr]
        try:
            event = sample_event(n, **kwargs)  # type: ignore[arg-type]
            await streams.publish(redis, [(settings.keys.events, event)])
        finally:
            await redis.aclose()

    # Playwright's sync API runs an event loop in this thread: publish from another one
    worker = threading.Thread(target=lambda: asyncio.run(go()))
    worker.start()
    worker.join(timeout=30)


def test_map_list_timeline_and_counts_with_nothing_from_the_network(
    page_on: tuple[Page, str, list[str]],
) -> None:
    page, base, requested = page_on
    assert page.locator(".event").count() == 30
    assert page.locator("path.event-marker").count() == 29  # every event with a point; e000005 has none
    assert page.locator("#timeline rect.bar").count() == 30  # one a day
    assert page.locator('#counts .count[data-type="assault"] b').inner_text() == "28"
    assert page.locator("#status").inner_text().startswith("30 events")
    assert all(url.startswith(base) for url in requested), [u for u in requested if not u.startswith(base)]
    assert any(url.endswith("/static/vendor/world-atlas/countries-110m.json") for url in requested)


def test_clicking_a_marker_shows_its_evidence_counts_claimant_and_source(
    page_on: tuple[Page, str, list[str]],
) -> None:
    page, _, _ = page_on
    page.locator('path.event-marker[data-event-id="e000001"]').click(force=True)
    selected = page.locator(".event.selected")
    expect(selected).to_have_attribute("data-id", "e000001")
    assert selected.locator(".evidence").inner_text().startswith("Missiles hit Kharkiv overnight")
    assert selected.locator(".evidence mark.location").inner_text() == "Kharkiv"
    assert selected.locator(".quantity").inner_text() == "killed 3"
    assert selected.locator(".claimant").inner_text() == "officials"
    assert selected.locator("a.source").get_attribute("href") == "https://news.test/1"


def test_filters_by_type_country_and_date(page_on: tuple[Page, str, list[str]]) -> None:
    page, _, _ = page_on
    page.select_option("#f-type", "protest")
    page.click("#filters button[type=submit]")
    expect(page.locator(".event")).to_have_count(1)
    assert page.locator(".event").get_attribute("data-id") == "e000002"
    page.click("#f-clear")
    expect(page.locator(".event")).to_have_count(30)
    page.fill("#f-country", "fji")
    page.click("#filters button[type=submit]")
    expect(page.locator(".event")).to_have_count(1)
    assert page.locator(".event").get_attribute("data-id") == "e000004"
    page.click("#f-clear")
    page.fill("#f-from", "2025-09-02")
    page.fill("#f-to", "2025-09-03")
    page.click("#filters button[type=submit]")
    expect(page.locator(".event")).to_have_count(2)
    page.click("#f-clear")
    expect(page.locator(".event")).to_have_count(30)
    page.locator('#timeline rect.bar[data-day="2025-09-04"]').click()  # a day of the timeline
    expect(page.locator(".event")).to_have_count(1)
    assert page.locator(".event").get_attribute("data-id") == "e000004"


def test_new_events_arrive_live(
    page_on: tuple[Page, str, list[str]], settings: Settings, tmp_path: Path
) -> None:
    page, _, _ = page_on
    expect(page.locator("#status")).to_contain_text("live", timeout=20_000)
    publish(settings, 99, country="FRA", killed=7, evidence="A car bomb in Paris killed seven, police said.")
    first = page.locator(".event").first
    expect(first).to_have_attribute("data-id", "e000099", timeout=20_000)
    assert page.locator(".event").count() == 31 and page.locator("path.event-marker").count() == 30
    assert first.locator(".evidence mark.location").inner_text() == "Paris"
    expect(page.locator("#status")).to_contain_text("31 events")
    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
