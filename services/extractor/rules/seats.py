"""Capitals: "the capital", "Pakistan's capital", and the seat where a government speaks.

A ministry's statement, a president's order or a spokesman's accusation whose sentence names no place
is placed at the story's dateline when the dateline is in the speaker's own country (a governor
speaking in his city, a police spokesman in the city the story is filed from). Not at the capital
otherwise: a government's words abroad (a president at a summit) are not made at home.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from spacy.tokens import Doc, Span

from schemas import Actor, Location
from services.extractor.rules.actors import load_actor_table, read_actor_table
from services.extractor.rules.datadir import data_dir
from services.extractor.rules.gazetteer import read_gazetteer
from services.extractor.rules.places import Place, PlaceMention, fold
from services.extractor.rules.tokens import token_table


def capitals() -> dict[str, Place]:
    """ISO3 -> the capital city, from the actor table's capitals found in the gazetteer."""
    return _capitals_in(data_dir())


@cache
def _capitals_in(folder: Path) -> dict[str, Place]:
    gazetteer = read_gazetteer(folder).by_alias
    out: dict[str, Place] = {}
    for alias, entry in read_actor_table(folder).by_alias.items():
        if entry.kind == "capital" and entry.country not in out:
            cities = [p for p in gazetteer.get(alias, []) if p.kind == "city" and p.country == entry.country]
            if cities:
                out[entry.country] = max(cities, key=lambda p: p.population)
    return out


def capital_mentions(doc: Doc | Span, home: str | None = None) -> list[PlaceMention]:
    """ "Pakistan's capital", "the Sudanese capital": the capital city of that country, as a mention;
    "the capital" alone is the capital of the article's home country `home`.
    """
    if isinstance(doc, Doc) and "capital" not in token_table(doc).lower:
        return []
    table = load_actor_table().by_alias
    found: list[PlaceMention] = []
    offset = doc[0].i if isinstance(doc, Span) and len(doc) else 0
    for token in doc:
        if token.lower_ != "capital" or token.pos_ != "NOUN":
            continue
        country = None
        for child in token.children:
            entry = table.get(fold(re.sub(r"['’]s$", "", child.text)))
            if child.dep_ in {"poss", "amod", "compound"} and entry and entry.kind in {"country", "demonym"}:
                country = entry.country
                break
        named_next = token.i + 1 < offset + len(doc) and doc[token.i - offset + 1].pos_ == "PROPN"
        the = any(c.dep_ == "det" and c.lower_ == "the" for c in token.children) and not any(
            c.dep_ == "prep" and c.lower_ == "of" for c in token.children
        )  # "Djibo, the capital of Soum province": a regional capital, not the country's
        if (
            country is None and home and the and not named_next
        ):  # not "the capital Sanaa", "the capital, Kyiv"
            country = home
        city = capitals().get(country or "")
        if city is not None:
            i = token.i - offset
            found.append(PlaceMention(i, i + 1, city.name, (city,), False, False, True))
    return found


def seat_of(actor: Actor | None, dateline: Location | None) -> Location | None:
    """Where a government actor's statement is made when its sentence names no place: the story's
    dateline if it lies in the actor's country; None for any other actor, and for a government
    abroad (a president's words at a summit are not made at home)."""
    if actor is None or actor.sector != "government" or not actor.country:
        return None
    return dateline if dateline is not None and dateline.country == actor.country else None
