"""Actors to ISO3 and sector: demonyms, capitals as governments, institutions, people learned in the text."""

from __future__ import annotations

from services.extractor.rules.actors import PersonMemory, resolve_words


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


def test_unknown_words_are_no_actor() -> None:
    assert resolve("the weather") == (None, None)
