"""An undated event's evidence may date it away from its publication day: the background an article
recalls is not today's incident."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from schemas import Event, Incident
from services.incidents.dating import dated_elsewhere
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Resolver
from services.runtime.settings import Settings
from tests.incidents.helpers import ODESA, make_event

PUBLISHED = datetime(2025, 9, 18, 7, 30, tzinfo=UTC)


def days(text: str) -> tuple[str, str] | str | None:
    dated = dated_elsewhere(text, PUBLISHED)
    if dated is None:
        return None
    if dated.days is None:
        return "no day"
    first, last = dated.days
    return date.fromordinal(first).isoformat(), date.fromordinal(last).isoformat()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In May, a car bomb outside the ministry killed seven people.", ("2025-05-01", "2025-05-31")),
        ("Farmers blocked the motorway in mid-July over fuel prices.", ("2025-07-01", "2025-07-31")),
        ("It was the second walkout after one last November.", ("2024-11-01", "2024-11-30")),
        ("A similar raid in 2019 left 40 dead.", "no day"),
        ("Three days ago, gunmen stormed a checkpoint.", ("2025-09-15", "2025-09-15")),
        ("Two weeks earlier, talks in the capital collapsed.", ("2025-09-01", "2025-09-07")),
        ("Months ago the port was shelled.", None),  # no count: says nothing
        ("A year ago the bridge was hit.", "no day"),
        # what does not date the event itself
        ("The strike was the deadliest since March.", None),
        ("It is the worst flood since the dam was built in 1998.", None),
        ("Police fired tear gas in September, witnesses said.", None),  # the publication's month
        # the day's news, or the event nine days before: either
        ("The blast came nine days after an ambush on a convoy.", ("2025-09-09", "2025-09-18")),
        ("The raid came a day after the vote.", ("2025-09-17", "2025-09-18")),
        ("It came less than a day after the vote.", ("2025-09-17", "2025-09-18")),
        ("Officials said the toll may rise.", None),  # "may" is no month
        ("In 2025 alone, the group has claimed 30 attacks.", None),  # the publication's year
    ],
)
def test_what_dates_an_event_away_from_its_publication(text: str, expected: object) -> None:
    assert days(text) == expected


def test_a_month_later_in_the_year_than_the_publication_is_last_year() -> None:
    dated = dated_elsewhere("In December, a fire gutted the market.", PUBLISHED)
    assert dated is not None and dated.days is not None
    assert date.fromordinal(dated.days[0]) == date(2024, 12, 1)


def test_a_recalled_rally_does_not_join_todays_rally_in_the_same_city() -> None:
    r = Resolver(MatchConfig.from_settings(Settings()))

    def rally(article: str, text: str, hours: int) -> Event:
        return make_event(
            article, text, event_type="protest", actor="UKR", recipient="UKR", mode="demo", hours=hours
        )

    today = rally(
        "a1", "Thousands of farmers rallied outside parliament in Kharkiv demanding cheaper fuel", 9
    )
    recalled = rally("a2", "In January, a rally in Kharkiv drew an estimated 50,000 people", 14)
    report = rally("a3", "Farmers rallied in Kharkiv for a second day, blocking traffic near parliament", 16)
    undated = [e.model_copy(update={"time": None}) for e in (today, recalled, report)]
    incidents: list[Incident] = [i for i in (r.add(e) for e in undated) if i is not None]
    held = {i.incident_id: sorted(m.article_id for m in i.mentions) for i in incidents}
    assert sorted(held.values()) == [["a1", "a3"], ["a2"]]


def test_the_event_recalled_n_days_after_joins_the_report_that_dates_it_not_todays_strike() -> None:
    r = Resolver(MatchConfig.from_settings(Settings()))
    market = "a missile killed 14 people at a crowded market in Odesa"
    dated = make_event("a1", f"On Friday {market}", location=ODESA, figures=(("killed", 14, "the governor"),))
    today = make_event(
        "a2", "Russian drones hit an Odesa port warehouse overnight, wounding 3 dock workers", location=ODESA,
        day=9, mode="drone", figures=(("injured", 3, "the port authority"),),
    )  # fmt: skip
    recalled = make_event(
        "a2", f"The attack came nine days after {market}", location=ODESA, day=9, hours=10,
        figures=(("killed", 14, None),),
    )  # fmt: skip
    for event in (dated, today, recalled.model_copy(update={"time": None})):
        r.add(event)
    held = sorted(sorted(m.evidence.text[:6] for m in i.mentions) for i in r.incidents.values())
    assert held == [["On Fri", "The at"], ["Russia"]]
