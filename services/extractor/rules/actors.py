"""Actors: words naming a country's state or people ("Russian forces", "the Kremlin", "Kyiv",
"Zelensky") -> ISO3.

`data/actors.tsv` maps country names, demonyms, capitals used for governments, institutions and office
holders to ISO3 codes and sectors; `data/sectors.tsv` maps head nouns ("forces", "officials") to sectors.
`PersonMemory` learns, within one article, the country of people introduced with a nationality
("Ukrainian President Volodymyr Zelensky", "Vladimir Medinsky of Russia") so that a later bare
"Zelensky" or "he" resolves to the same country.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from schemas import Actor
from services.extractor.rules.lexicon import DATA_DIR
from services.extractor.rules.places import country_of_text, fold

MAX_ALIAS_WORDS = 3
_TRAILING = re.compile(r"['’]s$|[,.;:!?)”\"]+$")


@dataclass(frozen=True)
class ActorEntry:
    alias: str
    country: str
    sector: str | None
    kind: str


@dataclass
class ActorTable:
    by_alias: dict[str, ActorEntry]
    first_words: frozenset[str]  # folded first words of aliases and country names, for a quick reject
    lower_case_aliases: frozenset[str]  # aliases written in lower case in the table ("von der Leyen")
    sectors: dict[str, str]
    titles: frozenset[str]
    starts: dict[str, bool] = field(default_factory=dict)  # word -> whether an alias may start with it


def _may_start(table: ActorTable, word: str) -> bool:
    """Whether an alias may start with this word (remembered per word: the table does not change)."""
    known = table.starts.get(word)
    if known is None:
        if len(table.starts) > 200_000:
            table.starts.clear()
        known = table.starts[word] = (
            word[:1].isupper() or word.lower() in table.lower_case_aliases
        ) and fold(_TRAILING.sub("", word)) in table.first_words
    return known


def _rows(name: str) -> list[list[str]]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


@cache
def load_actor_table() -> ActorTable:
    by_alias: dict[str, ActorEntry] = {}
    for alias, country, sector, kind in [*_rows("countries.tsv"), *_rows("actors.tsv")]:
        by_alias[fold(alias)] = ActorEntry(alias, country, sector or None, kind)
    sectors = {fold(noun): sector for noun, sector in _rows("sectors.tsv")}
    title_lines = (DATA_DIR / "titles.txt").read_text(encoding="utf-8").splitlines()
    titles = frozenset(t.strip().lower() for t in title_lines if t.strip() and not t.startswith("#"))
    from services.extractor.rules.places import load_gazetteer

    countries = load_gazetteer().country_aliases
    first_words = frozenset(a.split()[0] for a in [*by_alias, *countries] if a)
    lower_case = frozenset(
        e.alias.split()[0].lower() for e in by_alias.values() if not e.alias[:1].isupper()
    )
    return ActorTable(by_alias, first_words, lower_case, sectors, titles)


def lookup_alias(words: list[str], i: int) -> tuple[ActorEntry, int] | None:
    """The longest actor alias starting at word i: (entry, number of words)."""
    table = load_actor_table()
    if not _may_start(table, words[i]):
        return None
    for n in range(min(MAX_ALIAS_WORDS, len(words) - i), 0, -1):
        text = " ".join(words[i : i + n])
        text = text.rstrip(',.;:!?)”"')
        for variant in (text, re.sub(r"['’]s$", "", text)):
            entry = table.by_alias.get(fold(variant))
            if entry is not None and (
                words[i][:1].isupper() or entry.kind == "person" or not entry.alias[:1].isupper()
            ):
                return entry, n
        if n == 1:
            iso3 = country_of_text(re.sub(r"['’]s$", "", text)) if text[:1].isupper() else None
            if iso3:
                return ActorEntry(text, iso3, "government", "country"), 1
    return None


def aliases_of(words: list[str]) -> list[tuple[ActorEntry, int] | None]:
    """`lookup_alias` at every word (most words are turned away by the per-word check alone)."""
    table = load_actor_table()
    starts = table.starts
    found: list[tuple[ActorEntry, int] | None] = []
    for i, word in enumerate(words):
        may = starts.get(word)
        if may is None:
            may = _may_start(table, word)
        found.append(lookup_alias(words, i) if may else None)
    return found


_NAME = r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+){0,2}"


@dataclass
class PersonMemory:
    """People an article has tied to a country, by full name and by surname."""

    countries: dict[str, str] = field(default_factory=dict)
    last_person: str | None = None

    def learn(self, sentence: str, aliases: list[tuple[ActorEntry, int] | None] | None = None) -> None:
        """Learn from a sentence; `aliases`, when given, is `lookup_alias` at each of its words."""
        table = load_actor_table()
        words = sentence.split()
        if aliases is None:
            aliases = aliases_of(words)
        for i, found in enumerate(aliases):
            if found is None or found[0].kind == "person":
                continue
            entry, n = found
            j = i + n
            while j < len(words) and words[j].lower().strip(",") in table.titles:
                j += 1
            if j == i + n:
                continue
            self._remember_name(words, j, entry.country)
        for match in re.finditer(rf"({_NAME}),? (?:of|from) ({_NAME})", sentence):
            iso3 = self._country_word(match.group(2))
            if iso3:
                self._remember(match.group(1), iso3)
        for match in re.finditer(
            rf"({_NAME}), (?:the )?(?:head|chief|leader|member|envoy) of the (\w+)", sentence
        ):
            iso3 = self._country_word(match.group(2))
            if iso3:
                self._remember(match.group(1), iso3)

    def _country_word(self, text: str) -> str | None:
        entry = load_actor_table().by_alias.get(fold(text))
        if entry is not None and entry.kind != "person":
            return entry.country
        return country_of_text(text)

    def _remember_name(self, words: list[str], j: int, iso3: str) -> None:
        name: list[str] = []
        while j < len(words) and len(name) < 3 and words[j][:1].isupper():
            bare = re.sub(r"[,.;:]+$|['’]s[,.;:]*$", "", words[j])
            name.append(bare)
            if bare != words[j]:
                break
            j += 1
        if name:
            self._remember(" ".join(name), iso3)

    def _remember(self, name: str, iso3: str) -> None:
        self.countries[fold(name)] = iso3
        self.countries[fold(name.split()[-1])] = iso3

    def country_of(self, name: str) -> str | None:
        key = fold(re.sub(r"['’]s$", "", name))
        found = self.countries.get(key) or self.countries.get(key.split()[-1] if key else "")
        if found is None:
            entry = load_actor_table().by_alias.get(key)
            if entry is not None and entry.kind == "person":
                found = entry.country
        return found


def resolve_words(words: list[str], heads: list[str], memory: PersonMemory, text: str) -> Actor | None:
    """An Actor for a noun phrase given as words; `heads` are its lower-case head nouns (for the sector)."""
    table = load_actor_table()
    country: str | None = None
    name: str | None = None
    sector: str | None = None
    for i in range(len(words)):
        found = lookup_alias(words, i)
        if found is not None:
            entry, _n = found
            country, sector = entry.country, entry.sector
            name = (
                entry.alias if entry.kind in {"country", "capital", "institution", "org", "person"} else None
            )
            break
        if words[i][:1].isupper():
            iso3 = memory.country_of(words[i])
            if iso3:
                country, name, sector = iso3, words[i], "government"
                break
    for head in heads:
        if head in table.sectors:
            sector = table.sectors[head]
            break
    if country is None and sector is None:
        return None
    if country is None and sector in {"civilian"}:
        return None
    return Actor(text=text, name=name, country=country, sector=sector)
