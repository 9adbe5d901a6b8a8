"""What counts as a political event: the participant gate, history, role actors, datelines and headlines."""

from __future__ import annotations

from collections import Counter

from schemas import Event
from services.extractor.rules import RuleEngine
from services.extractor.rules.dateline import dateline_country, home_country
from services.extractor.rules.relevance import REPORTING_SHARE, reporting_share
from tests.extractor.helpers import PUBLISHED, make_article


def extract(engine: RuleEngine, text: str) -> list[Event]:
    return engine.extract(make_article(text, PUBLISHED))


def test_everyday_uses_of_event_verbs_are_no_events(engine: RuleEngine) -> None:
    texts = [
        "The recipe only requires four main ingredients: eggs, milk, butter and cheese.",
        "He signed with the Angels on a ten-year contract last winter, his agent said.",
        "Insist on an in-person interview or a video call before you accept any job offer.",
        "The quarterback threw a 41-yard strike to his receiver near the end of the first half.",
        "The singer hit back at a fan who threw a bottle at her during the show on Saturday.",
        "She asked why the companies were based there and not elsewhere.",
    ]
    for text in texts:
        assert extract(engine, text) == [], text


def test_political_participants_keep_their_events(engine: RuleEngine) -> None:
    events = extract(
        engine, "Amnesty International demanded that the Sudanese government end curbs on the press."
    )
    requests = [e for e in events if e.event_type == "request"]
    assert requests and requests[0].recipient is not None and requests[0].recipient.country == "SDN"
    events = extract(
        engine, "The United Nations on Tuesday rejected a call to deploy peacekeepers in the region."
    )
    assert [e.event_type for e in events] == ["reject"]
    assert events[0].actor is not None and events[0].actor.country == "IGO"


def test_victims_counted_at_a_named_place_are_an_assault_without_a_named_attacker(engine: RuleEngine) -> None:
    events = extract(
        engine, "Four people were killed in Kandahar on Monday when a bomb exploded at a market."
    )
    assert [e.event_type for e in events] == ["assault"]
    assert (events[0].quantities[0].kind, events[0].quantities[0].value) == ("killed", 4)


def test_history_dated_by_a_past_year_is_background(engine: RuleEngine) -> None:
    events = extract(
        engine, "Britain expelled 23 Russian diplomats in 2018 after the poisoning of a former spy."
    )
    assert events == []
    # a year inside another clause does not date the event itself
    text = "Libya has offered to hand over to Britain two men suspected of blowing up a plane in 1988."
    assert [e.event_type for e in extract(engine, text)] == ["agree"]


def test_states_lasting_since_a_past_year_are_background(engine: RuleEngine) -> None:
    text = "Since Hamas took control of Gaza in 2007, Israel has blockaded the territory."
    assert extract(engine, text) == []
    text = "Israel has blockaded Gaza since Monday, the army said."
    assert [e.event_type for e in extract(engine, text)] == ["coerce"]
    # a running total counted since a past year is news of the present
    text = (
        "The UN says 3.5 million people have been displaced inside Myanmar since the army seized "
        "power in 2021."
    )
    events = extract(engine, text)
    assert [q.value for e in events for q in e.quantities] == [3_500_000]


def test_acts_dated_between_past_years_or_in_a_past_war_are_background(engine: RuleEngine) -> None:
    text = "Rebel attacks in the region killed 300 people between 2008 and 2013, officials said."
    assert extract(engine, text) == []
    text = "Rebel attacks in the region killed 300 people between Monday and Wednesday, officials said."
    assert [e.event_type for e in extract(engine, text)] == ["assault"]
    text = "Allied bombers destroyed the city's bridges during World War II, officials said."
    assert extract(engine, text) == []


def test_a_past_perfect_dated_by_a_past_year_is_background(engine: RuleEngine) -> None:
    text = (
        "Indian troops had already pulled back from several friction points in Ladakh between 2020 "
        "and 2022, officials said."
    )
    assert extract(engine, text) == []
    text = "Police had arrested 20 protesters in Nairobi by Sunday, officials said."
    assert [e.event_type for e in extract(engine, text)] == ["coerce"]
    # a year in a clause nested in the phrase does not date the act
    text = (
        "The United States had asked for a Security Council meeting on the launch, though Russia "
        "has shielded Pyongyang from new penalties since 2022."
    )
    assert "request" in [e.event_type for e in extract(engine, text)]


def test_role_actors_take_the_country_where_they_act(engine: RuleEngine) -> None:
    text = (
        "KABUL, March 3 (Agency) - Police detained 40 protesters in Kabul on Sunday, officials said. "
        "The junta dismissed the reports as fabricated."
    )
    events = extract(engine, text)
    by_type = {e.event_type: e for e in events}
    assert by_type["coerce"].actor is not None and by_type["coerce"].actor.country == "AFG"
    assert by_type["reject"].actor is not None and by_type["reject"].actor.country == "AFG"


def test_possessive_forces_belong_to_the_subject_above(engine: RuleEngine) -> None:
    events = extract(
        engine, "India said its forces struck nine sites in Pakistan on Wednesday, killing 26 people."
    )
    assaults = [e for e in events if e.event_type == "assault"]
    assert assaults and assaults[0].actor is not None and assaults[0].actor.country == "IND"


def test_dateline_gives_the_home_country() -> None:
    assert (
        dateline_country("Headline\n\nGOMA, Democratic Republic of Congo, Jan 28 (Agency) - Text.") == "COD"
    )
    assert dateline_country("Headline\n\nNAIROBI, May 2 (Agency) - Text.") == "KEN"
    assert dateline_country("Headline\n\nNo dateline in this article.") is None


def test_a_regional_hub_dateline_is_not_home_to_a_story_about_another_country() -> None:
    text = "Headline\n\nNAIROBI, May 2 (Agency) - Text."
    assert home_country(text, Counter({"SDN": 5, "KEN": 1})) == "SDN"  # Kenya named in the dateline only
    assert home_country(text, Counter({"SDN": 5, "KEN": 2})) == "KEN"
    assert home_country(text, Counter({"SDN": 2, "KEN": 1})) == "KEN"
    assert home_country("No dateline.", Counter({"SDN": 2, "KEN": 1})) == "SDN"


def test_the_place_found_after_merging_implies_who_detained(engine: RuleEngine) -> None:
    text = (
        "Thousands of people marched through Lima on Sunday against the pension reform.\n\n"
        "At least 30 people were detained, the interior ministry said."
    )
    detentions = [e for e in extract(engine, text) if e.event_type == "coerce"]
    assert detentions and detentions[0].actor is not None and detentions[0].actor.country == "PER"


def test_headline_folds_into_the_body_event(engine: RuleEngine) -> None:
    text = (
        "Army shells kill 12 in border town\n\n"
        "The Ethiopian army shelled the town of Humera on Tuesday, killing 12 civilians, residents said."
    )
    assaults = [e for e in extract(engine, text) if e.event_type == "assault"]
    assert len(assaults) == 1
    assert assaults[0].evidence.text.startswith("The Ethiopian army")
    assert ("killed", 12) in {(q.kind, q.value) for q in assaults[0].quantities}


def test_durations_and_years_are_no_counts(engine: RuleEngine) -> None:
    text = "Rebels seized the town after two days of fighting that killed 30 soldiers in Kidal on Friday."
    values = {(q.kind, q.value) for e in extract(engine, text) for q in e.quantities}
    assert ("killed", 30) in values
    assert all(value != 2 for _, value in values)


def test_a_failing_article_is_logged_and_counted(engine: RuleEngine, monkeypatch, caplog) -> None:
    from services.extractor.rules import engine as engine_module

    def broken(article: object) -> list[Event]:
        raise RuntimeError("boom")

    before = engine_module.EXTRACTION_FAILURES._value.get()
    monkeypatch.setattr(engine, "_extract", broken)
    assert engine.extract(make_article("Police detained 40 protesters in Kabul.", PUBLISHED)) == []
    assert engine_module.EXTRACTION_FAILURES._value.get() == before + 1
    assert "extraction failed" in caplog.text


MATCH_REPORT = (
    "Arsenal beat Chelsea 3-1 at the Emirates on Sunday to go top of the table.\n\n"
    "Bukayo Saka opened the scoring after twelve minutes with a curling shot.\n\n"
    "Chelsea's manager said his side had lacked energy in the second half.\n\n"
    "The home fans sang throughout the match despite the rain.\n\n"
    "Arsenal travel to Newcastle next weekend.\n\n"
    "Supporters of both clubs clashed briefly outside the stadium in London before police separated them."
)


def test_an_article_that_mostly_reports_nothing_keeps_only_sure_events(engine: RuleEngine) -> None:
    sentences = [s for s in MATCH_REPORT.split("\n\n")]
    assert reporting_share(sentences) < REPORTING_SHARE
    assert extract(engine, MATCH_REPORT) == []  # the scuffle passes in news, not in a match report
    news = "Police fired tear gas at protesters in Nairobi on Tuesday.\n\n" + sentences[-1]
    assert reporting_share(news.split("\n\n")) >= REPORTING_SHARE


def test_a_record_told_as_a_trend_is_no_event(engine: RuleEngine) -> None:
    text = "The rebels have seized more territory this year than at any point in their history, the UN said."
    assert extract(engine, text) == []
    text = "The rebels seized the town of Kalehe on Monday, the UN said."
    assert [e.event_type for e in extract(engine, text)] == ["assault"]


def test_acts_dated_by_an_era_or_a_century_are_background() -> None:
    from services.extractor.rules.engine import _nlp
    from services.extractor.rules.history import dated_in_past

    for text, verb, past in [
        ("The Romans destroyed the temple in 70 A.D.", "destroyed", True),
        ("British troops burned the city in the 19th century.", "burned", True),
        ("Troops burned the city in the morning.", "burned", False),
    ]:
        token = next(t for t in _nlp()(text) if t.text == verb)
        assert dated_in_past(token, PUBLISHED) is past, text


def test_questions_assertions_and_an_empty_it_are_no_events(engine: RuleEngine) -> None:
    lead = "LONDON, Dec 5 (Agency) - British police arrested 12 protesters outside parliament on Friday. "
    for text in [
        "The prime minister insisted the government was doing exactly as it said.",
        "It strikes me that the minister was wrong, the MP said.",
        "Will the government ban the protests next week?",
    ]:
        types = [e.event_type for e in extract(engine, lead + text)]
        assert types == ["coerce"], text
    types = [e.event_type for e in extract(engine, lead + "The opposition insisted that he be released.")]
    assert "request" in types
