"""The rule engine end to end: counts, claimants, evidence offsets, dedup, odd input, ids and metadata."""

from __future__ import annotations

import time
from pathlib import Path

from schemas import Event
from services.extractor.rules import RuleEngine
from tests.extractor.helpers import PUBLISHED, make_article

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "articles"


def kinds(events: list[Event]) -> set[tuple[str, str | None, int]]:
    return {(q.kind, q.object, q.value) for e in events for q in e.quantities}


def test_launched_and_intercepted_counts_merge_into_one_attack(engine: RuleEngine) -> None:
    text = (
        "Russian forces launched a massive aerial attack on Ukraine overnight. Russia fired 40 missiles and "
        "~580 drones. In response, air defenses managed to intercept and destroy 552 drones and 31 missiles."
    )
    events = engine.extract(make_article(text, PUBLISHED))
    assaults = [e for e in events if e.event_type == "assault"]
    assert len(assaults) == 1
    assert {
        ("launched", "missile", 40),
        ("launched", "drone", 580),
        ("intercepted", "drone", 552),
        ("intercepted", "missile", 31),
    } <= kinds(assaults)
    assert assaults[0].actor is not None and assaults[0].actor.country == "RUS"
    assert assaults[0].time is not None and assaults[0].time.text == "overnight"


def test_casualties_claimant_and_place(engine: RuleEngine) -> None:
    text = (
        "According to Ukrainian officials, a Russian missile strike on Dnipro killed one person and injured "
        "at least 26 people."
    )
    (event,) = engine.extract(make_article(text))
    assert event.event_type == "assault"
    assert event.claimant == "Ukrainian officials"
    assert {("killed", "person", 1), ("injured", "people", 26)} <= kinds([event])
    assert event.location is not None and event.location.name == "Dnipro" and event.location.country == "UKR"
    assert all(q.claimant == "Ukrainian officials" for q in event.quantities)


def test_reported_by_authorities(engine: RuleEngine) -> None:
    text = (
        "Russian authorities reported that two fatalities and eleven injuries were caused by a Ukrainian "
        "drone "
        "assault in Sochi."
    )
    (event,) = engine.extract(make_article(text))
    assert event.claimant == "Russian authorities"
    assert event.actor is not None and event.actor.country == "UKR"
    assert {("killed", 2), ("injured", 11)} <= {(q.kind, q.value) for q in event.quantities}


def test_evidence_slices_the_text_exactly(engine: RuleEngine) -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts.append("  Odd   spacing:\tRussian troops  attacked   Kharkiv.\n\n\n   Kyiv rejected the demand .  ")
    for text in texts:
        events = engine.extract(make_article(text))
        assert events
        for event in events:
            evidence = event.evidence
            assert text[evidence.start : evidence.end] == evidence.text
            assert evidence.text == evidence.text.strip()


def test_repeated_paragraphs_give_one_event_each(engine: RuleEngine) -> None:
    paragraph = (
        "Russian authorities reported that two people were killed by a Ukrainian drone assault in Sochi.\n"
        "Kremlin spokesman Dmitry Peskov rejected the proposal.\n"
    )
    once = engine.extract(make_article(paragraph))
    twice = engine.extract(make_article(paragraph + paragraph))
    assert len(once) == len(twice) == 2
    assert [e.evidence.start for e in once] == [e.evidence.start for e in twice]


def test_ids_are_deterministic_and_metadata_filled(engine: RuleEngine) -> None:
    article = make_article(
        "Ukraine accused Russia of shelling civilians in Kherson.", PUBLISHED, source="x.txt"
    )
    first, second = engine.extract(article), engine.extract(article)
    assert [e.event_id for e in first] == [e.event_id for e in second]
    event = first[0]
    assert event.event_type == "accuse"
    assert (event.actor and event.actor.country, event.recipient and event.recipient.country) == (
        "UKR",
        "RUS",
    )
    assert event.article_id == article.article_id and event.parent_id == article.article_id
    assert event.source == "x.txt" and event.source_url == article.url and event.published_at == PUBLISHED
    assert event.extractor.name == engine.name and event.extractor.version == engine.version
    assert 0.0 <= event.confidence <= 1.0


def test_people_keep_their_country(engine: RuleEngine) -> None:
    text = (
        "Ukrainian President Volodymyr Zelensky met U.S. President Donald Trump in Washington.\n"
        "Later, Zelensky accused Moscow of prolonging the war."
    )
    events = engine.extract(make_article(text))
    accuse = next(e for e in events if e.event_type == "accuse")
    assert accuse.actor is not None and accuse.actor.country == "UKR"
    assert accuse.recipient is not None and accuse.recipient.country == "RUS"


def test_negation_and_commentary(engine: RuleEngine) -> None:
    assert engine.extract(make_article("The war appears to be entering a more volatile phase.")) == []
    events = engine.extract(make_article("Russia has repeatedly denied hitting Ukrainian civilians."))
    assert [e.event_type for e in events] == ["reject"]


def test_no_crash_on_odd_input(engine: RuleEngine) -> None:
    assert engine.extract(make_article("")) == []
    assert engine.extract(make_article("   \n\t ")) == []
    assert isinstance(engine.extract(make_article("!!! ??? ... 123 ,,,")), list)
    huge = ("Russian drones attacked Kharkiv overnight, injuring 5 people. " * 20_000)[:1_000_000]
    started = time.perf_counter()
    events = engine.extract(make_article(huge))
    assert time.perf_counter() - started < 60
    assert len(events) >= 1
    assert isinstance(engine.extract(make_article("x" * 1_000_000)), list)


def test_ages_are_not_counts_and_a_victim_is_one(engine: RuleEngine) -> None:
    text = "A Russian drone strike on a bus in Kherson killed a 65-year-old man and injured two women."
    (event,) = engine.extract(make_article(text))
    assert {(q.kind, q.value) for q in event.quantities} == {("killed", 1), ("injured", 2)}


def test_prisoner_swap_names_both_sides(engine: RuleEngine) -> None:
    (event,) = engine.extract(make_article("Ukraine and Russia exchanged 84 prisoners of war on Thursday."))
    assert event.event_type == "cooperate"
    assert {(q.kind, q.value) for q in event.quantities} == {("exchanged", 84)}
    assert (event.actor and event.actor.country, event.recipient and event.recipient.country) == (
        "UKR",
        "RUS",
    )


def test_a_bare_count_with_its_participle_and_places_counted_are_no_victims(engine: RuleEngine) -> None:
    text = (
        "NAIROBI, July 8 (Agency) - Kenyan police fired tear gas at protesters in Nairobi on Monday. "
        "The commission said 31 people were killed and 107 injured in 17 of the country's 47 counties."
    )
    counts = sorted(
        (q.kind, q.value) for e in engine.extract(make_article(text, PUBLISHED)) for q in e.quantities
    )
    assert counts == [("injured", 107), ("killed", 31)]
