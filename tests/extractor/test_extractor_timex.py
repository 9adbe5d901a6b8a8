"""Time expressions resolved against the publication date."""

from __future__ import annotations

from datetime import UTC, datetime

from services.extractor.rules.timex import refers_back, resolve_time

PUBLISHED = datetime(2025, 9, 17, 9, 30, tzinfo=UTC)  # a Wednesday


def test_relative_expressions() -> None:
    morning = resolve_time("battles flared this morning", PUBLISHED)
    assert (
        morning is not None
        and morning.precision == "day"
        and morning.start == datetime(2025, 9, 17, tzinfo=UTC)
    )
    overnight = resolve_time("in an overnight attack", PUBLISHED)
    assert overnight is not None and overnight.start is not None and overnight.start < PUBLISHED
    last_week = resolve_time("talks last week", PUBLISHED)
    assert last_week is not None and last_week.precision == "week"
    assert last_week.start == datetime(2025, 9, 8, tzinfo=UTC)
    monday = resolve_time("On Monday, drones hit Kyiv", PUBLISHED)
    assert monday is not None and monday.start == datetime(2025, 9, 15, tzinfo=UTC)


def test_dates() -> None:
    dated = resolve_time("on September 14 Russia fired", PUBLISHED)
    assert dated is not None and dated.start == datetime(2025, 9, 14, tzinfo=UTC)
    with_year = resolve_time("on 3 Sept 2024", PUBLISHED)
    assert with_year is not None and with_year.start == datetime(2024, 9, 3, tzinfo=UTC)


def test_no_date_no_time() -> None:
    assert resolve_time("this morning", None) is None
    assert resolve_time("nothing temporal", PUBLISHED) is None
    assert refers_back("On the same day, casualties occurred")


def test_a_leap_day_ahead_of_the_publication_date_is_no_date_and_no_error() -> None:
    published = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)  # "Feb 29" would be last year's, which had none
    assert resolve_time("The strike came on Feb 29, officials said.", published) is None
    found = resolve_time("The strike came on Jan 8, officials said.", published)
    assert found is not None and found.start.day == 8
