"""The article's home country, from its dateline ("GOMA, Democratic Republic of Congo, Jan 28 (Agency) -")
or, without one or when the story is about another country than its dateline's, the country it names most.

Actors named only by their role ("the junta", "police", "rebels", "gunmen") are coded with the country
where they act, as event datasets do; the home country is the fallback when the event has no place.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from spacy.tokens import Doc, Span

from services.extractor.rules.actors import load_actor_table
from services.extractor.rules.places import country_of_text, fold, load_gazetteer
from services.extractor.rules.tokens import sentence_text

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
DATELINE = re.compile(
    rf"^\s*([A-Z][A-Z.'’\- ]+(?:/[A-Z][A-Z.'’\- ]+)*)"  # GOMA or MOSCOW/LONDON
    rf"(?:,\s*([A-Z][\w.'’\- ]+?))?"  # , Democratic Republic of Congo
    rf"(?:,\s*{_MONTH}\s+\d{{1,2}})?"  # , Jan 28
    rf"\s*(?:\([^)]{{1,40}}\))?\s*[-–—]",  # (Agency) -
    re.MULTILINE,
)


class Dateline(NamedTuple):
    """A dateline opening a sentence ("GOMA, Democratic Republic of Congo, Jan 28 (Newswire) - ")."""

    name: str  # its first place, in title case: "Goma"
    country: str | None  # ISO3 of the country named after it
    end: int  # the character offset where it ends
    shared: bool  # "SANAA/WASHINGTON": reported from two places


def dateline_place(text: str) -> Dateline | None:
    """The dateline opening `text`, if any."""
    match = DATELINE.match(text)
    if match is None:
        return None
    city = match.group(1).split("/")[0].strip().title()
    country = _named_country(match.group(2).strip(), city) if match.group(2) else None
    return Dateline(city, country, match.end(), "/" in match.group(1))


_DATELINE_KEY = "newswire.dateline"


def sentence_dateline(doc: Doc | Span) -> Dateline | None:
    """The dateline opening a parsed sentence, read once per Doc."""
    if isinstance(doc, Doc) and _DATELINE_KEY in doc.user_data:
        cached = doc.user_data[_DATELINE_KEY]
        return cached if isinstance(cached, Dateline) else None
    found = dateline_place(sentence_text(doc))
    if isinstance(doc, Doc):
        doc.user_data[_DATELINE_KEY] = found
    return found


def _named_country(name: str, city: str) -> str | None:
    """ISO3 of the country a dateline names after its city: of a name two countries share ("Congo"),
    the one the city lies in."""
    gazetteer = load_gazetteer()
    readings = [p.country for p in gazetteer.by_alias.get(fold(name), []) if p.kind == "country"]
    around = {p.country for p in gazetteer.by_alias.get(fold(city), []) if p.kind != "country"}
    inside = [c for c in readings if c in around]
    return (inside or readings or [None])[0] or _actor_country(name)


def dateline_country(text: str) -> str | None:
    """ISO3 of the dateline's place, when the article opens with one in its first lines."""
    for line in text.splitlines()[:4]:
        match = DATELINE.match(line)
        if match is None:
            continue
        city = match.group(1).split("/")[0].strip().title()
        if match.group(2):
            found = _named_country(match.group(2).strip(), city)
            if found:
                return found
        return country_of_text(city) or _actor_country(city) or _city_country(city)
    return None


def _actor_country(name: str) -> str | None:
    entry = load_actor_table().by_alias.get(fold(name))
    return entry.country if entry is not None and len(entry.country) == 3 else None


def _city_country(name: str) -> str | None:
    places = [p for p in load_gazetteer().by_alias.get(fold(name), []) if p.kind == "city"]
    return max(places, key=lambda p: p.population).country if places else None


def home_country(text: str, mentioned: Counter[str]) -> str | None:
    """The dateline's country, unless the story is about another one: a report datelined in a regional hub
    ("DAKAR" for a story on Burkina Faso, "NAIROBI" for Sudan) that names the hub's country nowhere but in
    its dateline, and another country three times or more, is at home in that one."""
    found = dateline_country(text)
    top = [c for c, _ in mentioned.most_common(1) if len(c) == 3 and c not in {"IGO", "NGO"}]
    if found and top and top[0] != found and mentioned[found] <= 1 and mentioned[top[0]] >= 3:
        return top[0]
    return found or (top[0] if top else None)
