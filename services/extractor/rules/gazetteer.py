"""The place table `data/gazetteer.tsv` (built by build_gazetteer.py from GeoNames) in memory.

About 245,000 places and 340,000 aliases: rows stay as their text and are read into `Place`s only when
looked up, which keeps the table near 70 MiB and its load under a second.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from services.extractor.rules.datadir import data_dir

KINDS = frozenset({"city", "admin2", "admin1", "country", "water"})
PLACE_CACHE = 50_000


@dataclass(frozen=True, slots=True)
class Place:
    geonames_id: int | None
    name: str
    kind: str  # city | admin2 | admin1 | country | water
    country: str
    admin1: str
    lat: float | None
    lon: float | None
    population: int


class AliasIndex(Mapping[str, list[Place]]):
    """Folded alias -> the places it names; rows are parsed when looked up (a cache keeps recent ones)."""

    def __init__(self, rows: list[str], keys: dict[str, int | tuple[int, ...]]) -> None:
        self._rows = rows
        self._keys = keys
        self._cache: dict[int, Place] = {}

    def place(self, row: int) -> Place:
        cached = self._cache.get(row)
        if cached is None:
            if len(self._cache) > PLACE_CACHE:
                self._cache.clear()
            cached = self._cache[row] = _parse_row(self._rows[row])
        return cached

    def get(self, key: str, default: Any = None) -> Any:
        value = self._keys.get(key)
        if value is None:
            return default
        return [self.place(value)] if isinstance(value, int) else [self.place(i) for i in value]

    def __getitem__(self, key: str) -> list[Place]:
        found: list[Place] | None = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


_NAME_PIECE = re.compile(r"[ -]")


@dataclass
class Gazetteer:
    by_alias: AliasIndex
    country_names: dict[str, str]  # ISO3 -> name
    country_aliases: frozenset[str]  # folded names of countries
    stoplist: frozenset[str]
    subdivisions: dict[str, list[int]]  # ISO3 -> rows of its admin1 and admin2 units
    first_words: frozenset[str]  # the first word of every alias, up to a space or hyphen

    @staticmethod
    def first_word(key: str) -> str:
        """A folded name's first word, up to a space or hyphen (as `first_words` holds them)."""
        return _NAME_PIECE.split(key, 1)[0]

    def subdivisions_of(self, country: str) -> list[Place]:
        return [self.by_alias.place(row) for row in self.subdivisions.get(country, [])]


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    return fold_text(text)


def fold_text(text: str) -> str:
    """Lower case without accents and with one space between words (uncached; `fold` caches it)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", plain.replace("’", "'")).strip()


def _float(text: str) -> float | None:
    return float(text) if text else None


def _parse_row(row: str) -> Place:
    gid, name, kind, country, admin1, lat, lon, population = row.split("\t")
    return Place(
        int(gid) if gid.isdigit() else None,
        name,
        sys.intern(kind),
        sys.intern(country),
        sys.intern(admin1),
        _float(lat),
        _float(lon),
        int(population or 0),
    )


class GazetteerError(ValueError):
    """`gazetteer.tsv` or `place_stoplist.txt` is malformed."""


def load_gazetteer() -> Gazetteer:
    """The gazetteer of the active data directory (read once per directory)."""
    return read_gazetteer(data_dir())


@cache
def read_gazetteer(folder: Path) -> Gazetteer:
    """Read `gazetteer.tsv` (aliases are stored folded, see build_gazetteer.py) and the hand-written
    `gazetteer_regions.tsv` of `folder`; checks every row."""
    rows: list[str] = []
    keys: dict[str, int | tuple[int, ...]] = {}
    names: dict[str, str] = {}
    country_aliases: set[str] = set()
    subdivisions: dict[str, list[int]] = {}
    for path in (folder / "gazetteer.tsv", folder / "gazetteer_regions.tsv"):
        _read_rows(path, rows, keys, names, country_aliases, subdivisions)
    stop_lines = (folder / "place_stoplist.txt").read_text(encoding="utf-8").splitlines()
    stoplist = frozenset(fold(w) for w in stop_lines if w and not w.startswith("#"))
    index = AliasIndex(rows, keys)
    first_words = frozenset(Gazetteer.first_word(key) for key in keys)
    return Gazetteer(index, names, frozenset(country_aliases), stoplist, subdivisions, first_words)


def _read_rows(
    path: Path,
    rows: list[str],
    keys: dict[str, int | tuple[int, ...]],
    names: dict[str, str],
    country_aliases: set[str],
    subdivisions: dict[str, list[int]],
) -> None:
    """Add the rows of one table file to the index being built; a malformed row raises GazetteerError."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if line.startswith("#"):
                continue
            head, _, aliases = line.rstrip("\n").rpartition("\t")
            fields = head.split("\t")
            if len(fields) != 8 or fields[2] not in KINDS or not aliases:
                raise GazetteerError(f"{path}:{number}: expected 9 tab-separated fields, got {line[:80]!r}")
            row = len(rows)
            rows.append(head)
            if fields[2] == "country":
                names[fields[3]] = fields[1]
                country_aliases.update(aliases.split("|"))
            elif fields[2] in {"admin1", "admin2"}:
                subdivisions.setdefault(fields[3], []).append(row)
            for alias in aliases.split("|"):
                value = keys.get(alias)
                keys[alias] = (
                    row if value is None else (value, row) if isinstance(value, int) else (*value, row)
                )
