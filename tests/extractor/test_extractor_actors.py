"""Actors to ISO3 and sector: demonyms, capitals as governments, institutions, people of the people table,
people learned in the text."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.extractor.rules import RuleEngine
from services.extractor.rules.actors import (
    PeopleTableError,
    PersonMemory,
    load_actor_table,
    load_people,
    resolve_words,
)
from services.extractor.rules.gazetteer import fold
from services.extractor.rules.lexicon import DATA_DIR
from tests.extractor.helpers import PUBLISHED, make_article


def resolve(text: str, memory: PersonMemory | None = None) -> tuple[str | None, str | None]:
    words = text.split()
    actor = resolve_words(words, [w.lower() for w in words], memory or PersonMemory(), text)
    return (actor.country, actor.sector) if actor else (None, None)


def test_demonyms_capitals_and_institutions() -> None:
    assert resolve("Russian forces") == ("RUS", "military")
    assert resolve("Ukraine's air defenses") == ("UKR", "military")
    assert resolve("the Kremlin") == ("RUS", "government")
    assert resolve("Moscow") == ("RUS", "government")
    assert resolve("Kyiv") == ("UKR", "government")
    assert resolve("Ukrainian officials")[0] == "UKR"


def test_people_are_learned_within_the_article() -> None:
    memory = PersonMemory()
    memory.learn("Ukrainian President Volodymyr Zelensky said the talks failed.")
    memory.learn(
        "Meanwhile, Ukrainian MP Oleksiy Hocharenko mentioned a meeting with Vladimir Medinsky of Russia."
    )
    assert resolve("Zelensky", memory)[0] == "UKR"
    assert resolve("Hocharenko", memory)[0] == "UKR"
    assert resolve("Medinsky", memory)[0] == "RUS"


def test_office_holders_named_without_a_country_are_of_the_home_country() -> None:
    memory = PersonMemory()
    memory.learn("Interior Minister Monica Palencia said 40 gang members had been detained.")
    memory.learn("The strikes killed Revolutionary Guards commander Hossein Karimi, the army said.")
    memory.learn("General Motors said it would close the plant.")
    assert resolve("Palencia", memory)[0] is None  # the home country is known only after reading
    memory.home = "ECU"
    assert resolve("Palencia", memory)[0] == "ECU"
    assert resolve("Monica Palencia", memory)[0] == "ECU"
    assert resolve("Karimi", memory)[0] is None  # an office of another body than the state
    assert resolve("Motors", memory)[0] is None  # one word after an office is no full name


def test_a_surname_of_a_known_full_name_is_that_person() -> None:
    memory = PersonMemory()
    assert resolve("Maduro", memory)[0] is None
    memory.learn("Thousands marched against President Nicolas Maduro on Sunday.")
    assert resolve("Maduro", memory)[0] == "VEN"


def test_unknown_words_are_no_actor() -> None:
    assert resolve("the weather") == (None, None)


def test_the_people_table_loads_and_checks_every_row() -> None:
    known = frozenset(e.country for e in load_actor_table().by_alias.values())
    people = load_people(DATA_DIR / "people.tsv", known)
    assert 1000 < len(people) < 10_000
    assert {e.kind for e in people} == {"person"}
    assert {e.alias: e.country for e in people}["Ali Khamenei"] == "IRN"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Ashraf Ghani\tAFG\tgovernment", "expected 4 tab-separated fields, got 3"),
        ("Ashraf Ghani\tAfghanistan\tgovernment\tperson", "unknown country code 'Afghanistan'"),
        ("Ashraf Ghani\tZZZ\tgovernment\tperson", "unknown country code 'ZZZ'"),
        ("Ashraf Ghani\tAFG\tpoet\tperson", "unknown sector 'poet'"),
        ("Ashraf Ghani\tAFG\tgovernment\tcountry", "kind must be 'person'"),
        (" \tAFG\tgovernment\tperson", "empty or padded alias"),
    ],
)
def test_a_malformed_people_row_names_its_file_and_line(tmp_path: Path, row: str, problem: str) -> None:
    table = tmp_path / "people.tsv"
    table.write_text(f"# alias\tiso3\tsector\tkind\nHamid Karzai\tAFG\tgovernment\tperson\n{row}\n")
    with pytest.raises(PeopleTableError) as raised:
        load_people(table, frozenset({"AFG"}))
    assert f"{table}:3: {problem}" in str(raised.value)


def test_people_of_the_table_give_their_country() -> None:
    assert resolve("Supreme Leader Ayatollah Ali Khamenei") == ("IRN", "government")
    assert resolve("President Paul Biya")[0] == "CMR"
    assert resolve("Biya")[0] == "CMR"
    assert resolve("Nicolas Maduro")[0] == "VEN"


def test_common_surnames_and_given_names_alone_are_no_actor() -> None:
    for word in ("Khan", "Ali", "Lee", "Kim", "Singh", "Smith", "Hussein", "Mohammed", "Abdullah"):
        assert resolve(word) == (None, None), word


def test_the_hand_written_table_wins_over_the_people_table() -> None:
    by_alias = load_actor_table().by_alias
    for line in (DATA_DIR / "actors.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            alias, countries, _sector, kind = line.split("\t")
            entry = by_alias[fold(alias)]
            assert (entry.country, entry.kind) == (countries.split("|")[0], kind), alias


def test_a_full_name_of_a_hand_written_surname_keeps_its_country() -> None:
    hand = {
        fold(line.split("\t")[0]): line.split("\t")[1]
        for line in (DATA_DIR / "actors.tsv").read_text(encoding="utf-8").splitlines()
        if line.endswith("\tperson")
    }
    known = frozenset(e.country for e in load_actor_table().by_alias.values())
    for entry in load_people(DATA_DIR / "people.tsv", known):
        surname = fold(entry.alias).split()[-1]
        assert hand.get(surname, entry.country) == entry.country, entry.alias


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Idriss Deby accused Khartoum of arming the rebels in the east.", "TCD"),
        ("Ali Khamenei warned Washington against any attack on the country.", "IRN"),
        ("President Biya threatened to expel the aid agencies.", "CMR"),
    ],
)
def test_a_named_leader_is_the_actor(engine: RuleEngine, text: str, country: str) -> None:
    events = engine.extract(make_article(text, PUBLISHED))
    assert [e.actor.country for e in events if e.actor] == [country]


def test_an_organisation_s_name_in_a_person_s_name_is_the_person() -> None:
    assert resolve("Foreign Minister Therese Kayikwamba Wagner")[0] != "RUS"
    assert resolve("the Wagner group")[0] == "RUS"
    assert resolve("Kenya 's Mary Achieng Wagner")[0] == "KEN"  # the country's minister, not the group
    assert resolve("Mali 's Wagner fighters")[0] == "RUS"
    assert resolve("The United Nations")[0] == "IGO"


def test_a_country_that_is_also_a_given_name_before_a_surname_is_a_person() -> None:
    assert resolve("Chad Morris")[0] is None
    assert resolve("Chad's army")[0] == "TCD"
    assert resolve("Jordan Bardella")[0] is None
