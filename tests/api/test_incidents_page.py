"""The events page in headless Chromium lists the incidents with how many sources report each."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from services.runtime.settings import Settings
from tests.api.browser import chromium
from tests.api.harness import serve, store
from tests.api.test_incidents_api import reports, resolve_and_store


@pytest.fixture
def page(settings: Settings, redis_url: str) -> Iterator[Page]:
    events = reports()
    asyncio.run(store(settings.sqlalchemy_url(), events))
    asyncio.run(resolve_and_store(settings.sqlalchemy_url(), events))
    with serve(settings, redis_url) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "/")
        expect(page.locator("body")).to_have_attribute("data-incidents", "loaded", timeout=20_000)
        yield page
        assert errors == []


def test_incidents_with_their_source_counts_most_reported_first(page: Page) -> None:
    incidents = page.locator(".incident")
    expect(incidents).to_have_count(3)
    assert page.locator("#incidents-count").inner_text() == "(3)"
    first = incidents.first
    assert first.get_attribute("data-sources") == "3"
    assert first.locator(".sources").inner_text() == "3 sources"
    assert first.locator(".where").inner_text() == "Kharkiv, UKR"
    assert first.locator(".figure").inner_text() == "killed 7 (3–7)"
    assert "outlet0.test · outlet1.test · outlet2.test · 3 articles" in first.locator(".outlets").inner_text()
    assert incidents.nth(1).locator(".sources").inner_text() == "1 source"
    expect(page.locator(".event")).to_have_count(5)  # the events are listed as before


def test_the_filters_apply_to_incidents_too(page: Page) -> None:
    page.select_option("#f-type", "protest")
    page.click("#filters button[type=submit]")
    expect(page.locator(".incident")).to_have_count(1)
    assert page.locator(".incident .where").inner_text() == "Paris, FRA"
    page.click("#f-clear")
    expect(page.locator(".incident")).to_have_count(3)
