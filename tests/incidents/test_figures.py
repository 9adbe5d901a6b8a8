"""Consolidated figures: which claim an incident states per count kind, under either policy, with every
claim kept and the range of all of them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas import Event, Figure, Quantity
from services.incidents.consolidate import figures, mention_of
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Resolver
from services.runtime.settings import Settings
from tests.incidents.helpers import make_event


def report(article: str, hours: int, *quantities: Quantity) -> Event:
    event = make_event(article, f"Missile strike on Kharkiv, report {article}", hours=hours)
    return event.model_copy(update={"quantities": list(quantities)})


def q(value: int, text: str, claimant: str | None, kind: str = "killed", approx: bool = False) -> Quantity:
    return Quantity(kind=kind, value=value, text=text, claimant=claimant, approx=approx)  # type: ignore[arg-type]


def killed(policy: str, *events: Event) -> Figure:
    (figure,) = [f for f in figures([mention_of(e) for e in events], policy) if f.kind == "killed"]
    return figure


def test_a_later_floor_is_the_new_toll_and_a_magnitude_never_is() -> None:
    early = report("a1", 9, q(35, "35 people", "the regional governor"))
    later = report("a2", 15, q(40, "at least 40 people", "the emergency service", approx=True))
    magnitude = report("a3", 18, q(24, "dozens of people", "the emergency service", approx=True))
    figure = killed("latest", early, later, magnitude)
    assert (figure.value, figure.claimant) == (40, "the emergency service")
    assert (figure.low, figure.high, figure.disputed) == (24, 40, True)
    assert [c.value for c in figure.claims] == [35, 40, 24]


def test_two_claimants_in_one_report_are_two_claims_and_the_exact_figure_wins() -> None:
    # "35 dead, officials said; the defence ministry claimed more than 60 soldiers had been killed"
    both = report(
        "a1",
        9,
        q(35, "35 dead", "Kyiv officials"),
        q(60, "more than 60 soldiers", "the defence ministry", approx=True),
    )
    figure = killed("latest", both)
    assert (figure.value, figure.claimant) == (35, "Kyiv officials")
    assert sorted((c.value, c.claimant) for c in figure.claims) == [
        (35, "Kyiv officials"),
        (60, "the defence ministry"),
    ]
    assert figure.disputed


def test_a_breakdown_in_the_same_report_is_not_a_claim() -> None:
    # "killed 20 people, nine of them children, the governor said"
    one = report("a1", 9, q(20, "20 people", "the governor"), q(9, "nine of them children", "the governor"))
    figure = killed("latest", one)
    assert (figure.value, [c.value for c in figure.claims]) == (20, [20])


def test_a_later_figure_under_an_earlier_floor_is_a_part_of_the_toll_not_a_revision() -> None:
    floor = report("a1", 9, q(15, "at least 15 people", "the civil defence agency", approx=True))
    part = report("a2", 20, q(1, "one", "the health ministry"))  # "one more of the wounded died"
    figure = killed("latest", floor, part)
    assert figure.value == 15
    assert (figure.low, figure.high) == (1, 15) and len(figure.claims) == 2
    # a count that can go down (people released) follows the latest figure whatever came before
    held = report("a1", 9, q(40, "at least 40 people", "police", kind="detained", approx=True))
    fewer = report("a2", 20, q(12, "12 people", "police", kind="detained"))
    (detained,) = figures([mention_of(held), mention_of(fewer)])
    assert detained.value == 12


def test_conservative_takes_the_lowest_figure_of_the_latest_report() -> None:
    first = report("a1", 8, q(6, "at least six people", "police", approx=True))
    second = report("a2", 12, q(12, "12 people", "the interior minister"), q(30, "30 people", "witnesses"))
    assert killed("conservative", first, second).value == 12  # revised; hearsay left out
    third = report(
        "a3",
        20,
        q(35, "35 dead", "Kyiv officials"),
        q(60, "more than 60 soldiers", "the defence ministry", approx=True),
    )
    figure = killed("conservative", first, second, third)
    assert (figure.value, figure.low, figure.high) == (35, 6, 60)
    assert killed("latest", first, second, third).value == 35
    only_hearsay = report("a4", 9, q(30, "30 people", "witnesses"), q(25, "25 people", "residents"))
    assert killed("conservative", only_hearsay).value == 25


def test_a_later_lower_floor_adds_nothing_but_a_later_lower_exact_figure_revises() -> None:
    exact = report("a1", 9, q(12, "12 people", "the interior minister"))
    floor = report("a2", 15, q(6, "at least six people", "police", approx=True))
    assert killed("latest", exact, floor).value == 12
    revised = report("a3", 18, q(11, "11 people", "the interior minister"))  # one body counted twice
    assert killed("latest", exact, floor, revised).value == 11


def test_the_policy_is_a_setting() -> None:
    events = [
        report("a1", 9, q(12, "12 people", "the interior minister")),
        report("a2", 15, q(30, "30 people", "the governor"), q(25, "25 people", None)),
    ]
    stated = {}
    for policy in ("latest", "conservative"):
        r = Resolver(MatchConfig.from_settings(Settings(incident_figure_policy=policy)))  # type: ignore[arg-type]
        for event in events:
            r.add(event)
        (incident,) = r.incidents.values()
        stated[policy] = [(f.kind, f.value) for f in incident.quantities]
    assert stated == {"latest": [("killed", 30)], "conservative": [("killed", 25)]}
    assert MatchConfig.from_settings(Settings()).figure_policy == "latest"
    with pytest.raises(ValidationError):
        Settings(incident_figure_policy="highest")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown figure policy"):
        figures([], "highest")
