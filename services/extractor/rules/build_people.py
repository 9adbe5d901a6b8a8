"""Regenerate `data/people.tsv`: named political and military people -> ISO3, for actors.

    pip install english-words   # build-time only: the list of English words surnames are checked against
    .venv/bin/python -m services.extractor.rules.build_people \
        Phoenix.Countries.actors.txt Phoenix.MilNonState.actors.txt Phoenix.International.actors.txt

The people come from `petrarch2/data/dictionaries/Phoenix.Countries.actors.txt` of the Open Event Data
Alliance's petrarch2 (MIT licence; CountryInfo 2014: heads of state and government, ministers and other
office holders with dated CAMEO codes such as `[AFGGOV 011222-141231]`), given as the first argument;
the words of the armed groups and international bodies of its MilNonState and International
dictionaries, given after it, are no surnames alone. Rules:

- a person is kept for a political or military role (ROLE_SECTOR) that ended in MIN_LEADER_YEAR or later
  (or is open) for heads of state and government (CountryInfo codes them ELI, elite, out of office), in
  MIN_YEAR or later for office holders the dictionary's editors entered or gave spellings of (the rest,
  some 10,000 ministers, are left out to keep the table small); the latest role's code gives the country
  by its first three letters (CAMEO codes are ISO3 but for a few old or made-up ones, in CAMEO_TO_ISO3);
- aliases are the entry's name and spellings without titles and honorifics; a name of more than three
  words (and a main name of three) also gives its first two words, its first and last word and its last
  three words (the lookup reads up to three: "Nicolas Maduro Moros" is "Nicolas Maduro");
- a surname alone maps only when it is distinctive: at least MIN_SURNAME_LETTERS letters, no English word
  (the web2 word list of english-words), no word of a party, institution, group or place of the
  dictionaries ("Islami" of Jamaat-e-Islami), nobody's given name in the dictionary, borne by at most
  MAX_SURNAME_PEOPLE people of the dictionary and all of one country (or the one whose entry spells
  the surname alone, as `+OBAMA`);
- an alias naming people of two countries goes to the one of later office when only that one held office
  since MIN_YEAR, else it is dropped; aliases of the country and actor tables are left to them (and full
  names of a surname the actor table gives another country: "Antonio Guterres" is of the UN), and
  so are territories those tables have no code for (Aruba's ministers); names of regions and of
  cities of MIN_PLACE_POPULATION people are left to the gazetteer ("Lagos", Chile's president).

The hand-written `data/actors.tsv` is read after this table and wins where both name an alias.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
OUTPUT = DATA_DIR / "people.tsv"
MIN_YEAR = 2008
MIN_LEADER_YEAR = 2000
MIN_SURNAME_LETTERS = 4
MAX_SURNAME_PEOPLE = 3
MIN_PLACE_POPULATION = 50_000
OPEN_END = 9999
ROLE_SECTOR = dict.fromkeys(("GOV", "SPY", "LEG", "OPP", "PTY"), "government") | {
    "MIL": "military",
    "REB": "rebel",
}


def _words(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


# Old states and CAMEO's own letters -> the ISO3 code the extractor reports (None: no single country).
CAMEO_TO_ISO3: dict[str, str | None] = {
    **dict(
        pair.split(":") for pair in _words("DDR:DEU FRN:FRA CSK:CZE SUN:RUS USR:RUS YUG:SRB FRY:SRB SCG:SRB")
    ),
    **dict(pair.split(":") for pair in _words("SRP:BIH KSV:XKX TMP:TLS ROM:ROU ZAR:COD")),
    **dict.fromkeys(("KNT", "KRJ", "IGO", "IMG", "---")),
}
HONORIFICS = _words(
    "president prime minister vice deputy foreign defense defence interior finance secretary general gen "
    "acting chairman chief king queen prince princess emir amir sultan sheikh sheik shaikh ayatollah "
    "hojatolislam hojatoleslam grand mullah mawlawi maulvi sayyed sayyid seyyed sayed dr doctor sir lord "
    "mr mrs ms madame marshal field colonel col major lieutenant lt captain admiral brigadier premier "
    "chancellor governor senator ambassador minister's crown his her highness majesty excellency "
    "president-elect presidential candidate leader spokesman envoy",
)
# Words that make an entry an institution or a place rather than a person.
NOT_A_PERSON = _words(
    "assembly republic republica kurdistan government ministry council party army forces parliament "
    "committee court department office commission union front movement national state of the and "
    "administration regime cabinet camp supporters loyalists brigade brigades battalion",
)
# Words that begin no name's short form: "Abd al Hadi Khaldi" gives no "al-Hadi Khaldi".
PARTICLES = _words(
    "al el ad as ash an ar at az ud ul ed bin ibn bint abu abd abdul de da do dos das del di du van von",
    "arap ould ag wa",
)
_INITIAL = re.compile(r"\w\.")
_ROMAN = re.compile(r"[IVX]+")
_DATED = re.compile(r"^(\w{3})(\w{0,3})\w*\s*(.*)$")


@dataclass
class Person:
    names: list[str]
    roles: list[tuple[str, str, int]] = field(default_factory=list)  # (country, sector, last year)
    leader: bool = False  # CountryInfo codes its heads of state and government as elites (ELI) out of office
    added: bool = False  # entered by the dictionary's editors rather than generated from CountryInfo
    candidate: bool = False  # named like a person (2-6 words, no word of an institution)

    @property
    def last_year(self) -> int:
        return max((year for _c, _s, year in self.roles), default=0)


def _year(text: str) -> int:
    digits = text.strip()
    if len(digits) == 8:
        return int(digits[:4])
    year = int(digits[:2])
    return 2000 + year if year < 30 else 1900 + year


def _end_year(dates: str) -> int | None:
    """The year a dated code's span ends: `>YYMMDD` is open, `<YYMMDD` and `A-B` end at their date."""
    dates = dates.strip()
    if not dates:
        return None
    if dates.startswith(">"):
        return OPEN_END
    end = dates.lstrip("<").split("-")[-1]
    return _year(end) if end.isdigit() else None


def _clean(raw: str) -> list[str]:
    """A name's words without leading titles and initials ("SPIRO_T._AGNEW_" -> Spiro Agnew)."""
    words = [
        w.strip(".,") for w in raw.strip().strip("_").replace("_", " ").split() if not _INITIAL.fullmatch(w)
    ]
    words = [w for w in words if w]
    titled = [i for i, w in enumerate(words[:-1]) if w.lower().rstrip(".") in HONORIFICS]
    if titled:  # "US President Barack Obama" -> Barack Obama
        words = words[titled[-1] + 1 :]
    return [w if _ROMAN.fullmatch(w) or not (w.isupper() or w.islower()) else w.title() for w in words]


def parse(path: Path) -> tuple[list[Person], set[str]]:
    """The dictionary's person entries, with their political and military roles, and the words of its
    other entries (parties, institutions, places: "Jamaat-e-Islami" makes "Islami" no surname)."""
    people: list[Person] = []
    others: set[str] = set()
    current = Person([])
    is_person = False
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        body = line.split("#")[0].rstrip()
        if not body.strip():
            continue
        if body.startswith("+"):
            current.names.append(body[1:])
        elif body[0] in " \t[":
            for code in re.findall(r"\[([^\]]*)\]", body):
                is_person = _add_role(current, code) or is_person
        else:
            _finish(current, is_person, people, others)
            name = body.split("[")[0]
            current = Person([name], added="CountryInfo" not in line)
            is_person = not current.added
            current.candidate = len(_clean(name)) >= 2 and _looks_like_person(name)
    _finish(current, is_person, people, others)
    return people, others


def _finish(person: Person, is_person: bool, people: list[Person], others: set[str]) -> None:
    if person.candidate and is_person and person.roles:
        people.append(person)
    else:
        others.update(w.lower() for raw in person.names for w in re.split(r"[\s_-]+", raw) if w)


def _looks_like_person(name: str) -> bool:
    words = _clean(name)
    return 1 <= len(words) <= 6 and not any(w.lower() in NOT_A_PERSON for w in words)


def _add_role(person: Person, code: str) -> bool:
    """Record a code's political role; True when the code is dated (only people's codes are)."""
    match = _DATED.match(code.strip())
    if match is None:
        return False
    prefix, role, dates = match.groups()
    end = _end_year(dates)
    country = CAMEO_TO_ISO3.get(prefix, prefix)
    person.leader = person.leader or role == "ELI"
    if country is not None and role in ROLE_SECTOR:
        person.roles.append((country, ROLE_SECTOR[role], end if end is not None else 0))
    return end is not None


def aliases(person: Person) -> set[tuple[tuple[str, ...], bool]]:
    """A person's names as word tuples: full names of up to three words, and the short forms of longer
    ones (flagged True)."""
    out: set[tuple[tuple[str, ...], bool]] = set()
    for raw in person.names:
        words = tuple(_clean(raw))
        if not _looks_like_person(raw) and raw is not person.names[0]:
            continue
        if len(words) <= 3:
            out.add((words, False))
        if len(words) > 3 or (len(words) == 3 and raw is person.names[0]):
            out.update({((words[0], words[1]), True), ((words[0], words[-1]), True), (words[-3:], True)})
    return {a for a in out if a[0]}


def home(person: Person) -> tuple[str, str]:
    """The country and sector of the person's latest role."""
    country, sector, _last = max(person.roles, key=lambda role: role[2])
    return country, sector


_PARTICLE = re.compile(r"^(?:al|el|ad|as|ash|an|ar|at|az|ud|ul|ed)-(?=\w)", re.IGNORECASE)


def _spellings(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Arabic article forms: "El Sisi" is also written "al-Sisi"."""
    out = {words}
    for i, word in enumerate(words[:-1]):
        if i and word.lower() in {"al", "el"}:  # not "Al Gore"
            joined = f"al-{words[i + 1]}"
            out.add((*words[:i], joined, *words[i + 2 :]))
    return out


def _surname(word: str) -> str:
    return _PARTICLE.sub("", word)


@dataclass
class Census:
    """Who in the whole dictionary bears a surname or a given name (old office holders count too)."""

    given: set[str] = field(default_factory=set)
    bearers: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    countries: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    spelled: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # "+OBAMA" -> USA
    others: set[str] = field(default_factory=set)  # words of the dictionary's entries of no person

    def add(self, index: int, person: Person, fold: Callable[[str], str]) -> None:
        for alias, _short in aliases(person):
            if len(alias) > 1:
                self.given.add(fold(alias[0]))
            key = fold(_surname(alias[-1]))
            self.bearers[key].add(index)
            self.countries[key].update(country for country, _s, _y in person.roles)
            if len(alias) == 1:
                self.spelled[key].update(country for country, _s, _y in person.roles)


@dataclass
class Claim:
    country: str
    sector: str
    last_year: int
    person: int


def _claims(people: list[Person], census: Census, fold: Callable[[str], str]) -> dict[str, list[Claim]]:
    """Each alias of a kept person (folded) -> the people it may name."""
    claims: dict[str, list[Claim]] = defaultdict(list)
    for index, person in enumerate(people):
        if not _kept(person):
            continue
        country, sector = home(person)
        claim = Claim(country, sector, person.last_year, index)
        names: dict[str, set[str]] = defaultdict(set)
        for alias, short in aliases(person):
            surname = _surname(alias[-1])
            distinctive = _distinctive(surname, country, census, fold)
            if distinctive:
                names[fold(surname)].add(surname)
            if len(alias) == 1 or (short and fold(surname) in census.given) or fold(alias[0]) in PARTICLES:
                continue
            for words in _spellings(alias):
                if len(words) > 1 or distinctive:  # "al-Sisi" is a surname alone
                    names[fold(" ".join(words))].add(" ".join(words))
        for key, texts in names.items():
            claims[f"{key}\t{min(texts)}"].append(claim)
    return claims


def _kept(person: Person) -> bool:
    """Heads of state and government, and the office holders the dictionary's editors entered or gave
    spellings of."""
    if person.leader:
        return person.last_year >= MIN_LEADER_YEAR
    return (person.added or len(person.names) > 1) and person.last_year >= MIN_YEAR


def _distinctive(surname: str, country: str, census: Census, fold: Callable[[str], str]) -> bool:
    """A surname that may stand alone: see the module docstring. Bearers of other countries do not
    count against the one whose entry spells the surname alone ("+OBAMA")."""
    key = fold(surname)
    if (
        len(key) < MIN_SURNAME_LETTERS
        or key in _english_words()
        or (key.endswith("s") and key[:-1] in _english_words())  # "Parts", "Rights"
        or key in census.given
        or key in census.others
        or key in PARTICLES
        or len(census.bearers.get(key, ())) > MAX_SURNAME_PEOPLE
    ):
        return False
    return len(census.countries.get(key, ())) <= 1 or census.spelled.get(key) == {country}


@cache
def _english_words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w.lower() for w in get_english_words_set(["web2"], lower=False))


def _choose(claims: list[Claim]) -> Claim | None:
    """The claim an alias keeps: all of one country, else the only one in office since MIN_YEAR."""
    latest = max(claims, key=lambda c: c.last_year)
    if len({c.country for c in claims}) == 1:
        return latest
    others = [c for c in claims if c.country != latest.country]
    if all(c.last_year < MIN_YEAR for c in others):
        return latest
    return None


def rows(phoenix: Path, groups: list[Path]) -> list[tuple[str, str, str, str]]:
    from services.extractor.rules.gazetteer import fold

    people, others = parse(phoenix)
    for path in groups:  # armed groups' and international bodies' names ("Jamaat-e-Islami")
        others.update(_entry_words(path.read_text(encoding="utf-8", errors="replace")))
    census = Census(others={fold(w) for w in others})
    for index, person in enumerate(people):
        census.add(index, person, fold)
    tables = [line.split("\t") for name in ("countries.tsv", "actors.tsv") for line in _lines(name)]
    taken = {fold(row[0]) for row in tables}
    hand_people = {fold(row[0]): row[1] for row in tables if row[3] == "person"}
    known = {code for row in tables for code in row[1].split("|")}
    by_key: dict[str, list[tuple[str, Claim]]] = defaultdict(list)
    for key_text, claims in _claims(people, census, fold).items():
        key, text = key_text.split("\t")
        by_key[key].extend((text, claim) for claim in claims)
    out: list[tuple[str, str, str, str]] = []
    for key, found in by_key.items():
        chosen = _choose([claim for _t, claim in found])
        if chosen is None or key in taken or chosen.country not in known or _is_place(key):
            continue
        if hand_people.get(key.split()[-1], chosen.country) != chosen.country:  # "Guterres" is of the UN
            continue
        text = min(t for t, claim in found if claim is chosen)
        out.append((text, chosen.country, chosen.sector, "person"))
    return sorted(out, key=lambda row: (row[1], row[0]))


def _is_place(key: str) -> bool:
    """A name of a region or of a city of MIN_PLACE_POPULATION people ("Lagos" is Ricardo Lagos too)."""
    from services.extractor.rules.gazetteer import load_gazetteer

    places = load_gazetteer().by_alias.get(key, [])
    return any(p.kind != "city" or p.population >= MIN_PLACE_POPULATION for p in places)


def _entry_words(text: str) -> set[str]:
    names = (line.split("#")[0].split("[")[0].lstrip("+") for line in text.splitlines())
    return {w.lower() for name in names for w in re.split(r"[\s_+-]+", name) if w}


def _lines(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(
            "usage: python -m services.extractor.rules.build_people COUNTRIES_TXT [GROUPS_TXT ...]"
        )
    header = (
        "# alias\tiso3\tsector\tkind   (generated by build_people.py from petrarch2's"
        " Phoenix.Countries.actors.txt, MIT)"
    )
    lines = [header, *("\t".join(row) for row in rows(Path(sys.argv[1]), [Path(a) for a in sys.argv[2:]]))]
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines) - 1} rows -> {OUTPUT}")


if __name__ == "__main__":
    main()
