"""Incident resolution in memory: what merges, what stays apart, figures, counts, versions and ids."""

from __future__ import annotations

from schemas import Incident
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Resolver
from services.runtime.settings import Settings
from tests.incidents.helpers import KHARKIV_REGION, ODESA, make_event


def resolver() -> Resolver:
    return Resolver(MatchConfig.from_settings(Settings()))


def add_all(r: Resolver, *events) -> list[Incident]:  # type: ignore[no-untyped-def]
    out = [r.add(e) for e in events]
    return [i for i in out if i is not None]


def test_three_reports_of_one_strike_make_one_incident_with_consolidated_figures() -> None:
    r = resolver()
    a = make_event("a1", "Russian missiles hit central Kharkiv, killing 8 people, the governor said",
                   figures=(("killed", 8, "the governor"), ("injured", 20, "the governor")))  # fmt: skip
    b = make_event("a2", "Kharkiv missile strike toll rises to 11 as rescuers search rubble", hours=15,
                   figures=(("killed", 11, "the emergency service"),))  # fmt: skip
    c = make_event("a3", "Witnesses say 30 died in the Kharkiv missile strike", hours=18,
                   figures=(("killed", 30, "witnesses"),), source="outlet-a2")  # fmt: skip
    add_all(r, a, b, c)
    assert len(r.incidents) == 1
    inc = next(iter(r.incidents.values()))
    assert inc.num_mentions == 3 and inc.num_articles == 3
    assert inc.num_sources == 2  # a3 comes from the same outlet as a2
    assert inc.version == 3
    killed = next(f for f in inc.quantities if f.kind == "killed")
    # the latest figure of the most authoritative claimant, not the hearsay that came later
    assert (killed.value, killed.claimant) == (11, "the emergency service")
    assert (killed.low, killed.high, killed.disputed) == (8, 30, True)
    assert [c.value for c in killed.claims] == [8, 11, 30]
    injured = next(f for f in inc.quantities if f.kind == "injured")
    assert (injured.value, injured.disputed) == (20, False)
    assert inc.first_seen == a.published_at and inc.last_seen == c.published_at


def test_same_city_on_another_day_is_another_incident() -> None:
    r = resolver()
    add_all(r, make_event("a1", "Russian missiles hit central Kharkiv"),
            make_event("a2", "Russian missiles hit central Kharkiv again", day=3))  # fmt: skip
    assert len(r.incidents) == 2


def test_strike_and_retaliation_stay_apart() -> None:
    r = resolver()
    add_all(r, make_event("a1", "Russian drones hit Kharkiv power station"),
            make_event("a2", "Ukraine answers with drone strike on Belgorod power station from Kharkiv",
                       actor="UKR", recipient="RUS"))  # fmt: skip
    assert len(r.incidents) == 2


def test_protest_and_police_action_against_it_stay_apart() -> None:
    r = resolver()
    rally = make_event("a1", "Thousands rally in Kharkiv", event_type="protest", mode=None)
    police = make_event("a2", "Police detain 40 at Kharkiv rally", event_type="coerce", mode=None)
    add_all(r, rally, police)
    assert len(r.incidents) == 2


def test_another_city_the_same_day_is_another_incident() -> None:
    r = resolver()
    add_all(
        r, make_event("a1", "Missiles hit Kharkiv"), make_event("a2", "Missiles hit Odesa", location=ODESA)
    )
    assert len(r.incidents) == 2


def test_a_coarser_place_in_the_same_region_joins() -> None:
    r = resolver()
    add_all(r, make_event("a1", "Russian missiles hit Kharkiv"),
            make_event("a2", "Missile attack on the Kharkiv region", location=KHARKIV_REGION))  # fmt: skip
    assert len(r.incidents) == 1


def test_a_report_without_place_joins_only_on_shared_evidence() -> None:
    r = resolver()
    add_all(r, make_event("a1", "Russian missiles hit a Kharkiv apartment block, killing eight"),
            make_event("a2", "Eight killed as missiles hit apartment block", location=None),
            make_event("a3", "Parliament debates budget", location=None, mode=None))  # fmt: skip
    assert len(r.incidents) == 2


def test_replayed_event_changes_nothing_and_ids_are_deterministic() -> None:
    events = [make_event("a1", "Russian missiles hit Kharkiv"), make_event("a2", "Kharkiv hit by missiles")]
    first, second = resolver(), resolver()
    add_all(first, *events)
    add_all(second, *events)
    assert first.add(events[1]) is None
    assert list(first.incidents) == list(second.incidents)
    assert next(iter(first.incidents.values())).version == 2


def test_candidates_come_from_nearby_days_only() -> None:
    r = resolver()
    for day in range(0, 300, 3):
        r.add(make_event(f"old{day}", "Russian missiles hit Kharkiv", day=day))
    probe = make_event("new", "Russian missiles hit Kharkiv", day=150)
    from services.incidents.consolidate import mention_of
    from services.incidents.features import mention_features

    seen = list(r.candidates(mention_features(mention_of(probe), 31)))
    assert len(r.incidents) == 100
    assert 1 <= len(seen) <= 2  # the incidents of days 149-151, not all 100


def test_two_events_told_apart_by_one_article_stay_apart() -> None:
    r = resolver()
    add_all(
        r,
        make_event("a1", "Russian missiles hit a Kharkiv hospital, killing eight"),
        make_event("a1", "Separately, a drone struck a Kharkiv rail depot at dawn", mode="drone"),
    )
    assert len(r.incidents) == 2


def test_number_words_and_wording_variants_meet() -> None:
    from services.incidents.features import words

    assert {"48", "20", "exchang", "kill", "injur"} <= words(
        "Forty-eight police hurt and twenty dead as both sides swapped prisoners"
    )
    assert words("prisoners exchanged") == words("prisoner exchange")


def test_a_placeless_mention_does_not_carry_an_event_from_elsewhere_in() -> None:
    r = resolver()
    add_all(
        r,
        make_event("a1", "Russian drones hit a Kharkiv power plant"),
        make_event("a2", "Russian drones hit a power plant overnight", location=None),
        make_event("a3", "Russian drones hit an Odesa power plant", location=ODESA),
    )
    assert len(r.incidents) == 2
    odesa = [i for i in r.incidents.values() if i.location and i.location.name == "Odesa"]
    assert len(odesa) == 1 and odesa[0].num_mentions == 1


def test_an_exact_figure_wins_over_an_approximate_one_of_the_same_authority() -> None:
    from schemas import Quantity

    r = resolver()
    first = make_event("a1", "Police detained 23 people at the Kharkiv rally", event_type="coerce", mode=None)
    later = make_event(
        "a2", "Kharkiv rally: police detained dozens", event_type="coerce", mode=None, hours=12
    )
    dozens = Quantity(kind="detained", value=24, approx=True, text="dozens", claimant="witnesses")
    exact = Quantity(kind="detained", value=23, text="23", claimant="witnesses")
    add_all(
        r, first.model_copy(update={"quantities": [exact]}), later.model_copy(update={"quantities": [dozens]})
    )
    (inc,) = r.incidents.values()
    (detained,) = inc.quantities
    assert (detained.value, detained.low, detained.high) == (23, 23, 24)
    assert [c.approx for c in detained.claims] == [False, True]


def test_a_placeless_report_sharing_only_what_every_attack_says_opens_its_own_incident() -> None:
    r = resolver()
    court = (
        "A suicide attacker killed 12 people outside the district court complex during the morning rush "
        "as lawyers arrived for hearings, police said"
    )
    same = (
        "Twelve people were killed when a suicide attacker blew himself up outside the district court, "
        "the deadliest bombing in the city this year"
    )
    other = (
        "The army said five attackers had been killed: two at the gate and three in a storage building "
        "where they had been cornered"
    )
    add_all(
        r,
        make_event("a1", court, mode="explosives"),
        make_event("a2", same, location=None, hours=12, mode="explosives"),
        make_event("a3", other, location=None, hours=13, mode=None),
    )
    held = sorted(sorted(m.article_id for m in i.mentions) for i in r.incidents.values())
    assert held == [["a1", "a2"], ["a3"]]
