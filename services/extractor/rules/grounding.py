"""Sides named by their role alone, or not named at all, grounded in the country where the event happens.

- "the junta", "police", "rebels", "a suicide bomber": an actor named by its role acts for the country of
  the event's place, else the article's home country (ACLED and PLOVER code non-state armed groups by the
  country they operate in).
- Nobody named: a protest is by people of the country where it happens; a detention or arrest is by that
  country's police ("79 people were detained after the rally").
Weapons and air defences are no such actor (a drone over a city is as likely the enemy's), and in an
assault a bare "troops" may be either side's, so only roles domestic by nature are grounded.
"""

from __future__ import annotations

from schemas import Actor, Location
from services.extractor.rules.arguments import ROLE_SECTORS, ArticleState
from services.extractor.rules.lexicon import load_lexicon

DEFENCES = frozenset({"defense", "defence", "defenses", "defences", "artillery", "air"})
DETENTIONS = frozenset({"arrest", "detain"})
# acts one state's officials address to another's: a role-only side is not of the other side's country
BETWEEN_STATES = frozenset({"accuse", "sanction", "reject", "threaten", "request", "consult", "reduce"})


def ground_roles(
    event_type: str,
    mode: str | None,
    actor: Actor | None,
    recipient: Actor | None,
    location: Location | None,
    state: ArticleState,
) -> Actor | None:
    """Gives role-only sides their country in place; returns the actor, implied when nobody is named."""
    country = (location.country if location else None) or state.home_country
    if not country:
        return actor
    weapons = set(load_lexicon().quantity["weapons"]) | DEFENCES
    named = {id(side): side.country for side in (actor, recipient) if side is not None and side.country}
    for side in (actor, recipient):
        if side is None or side.country is not None:
            continue
        other = recipient if side is actor else actor
        if event_type in BETWEEN_STATES and other is not None and named.get(id(other)) == country:
            continue  # "the foreign ministry summoned the French ambassador": not a French ministry
        civil_protest = event_type == "protest" and side.sector == "civilian"
        if side.sector not in ROLE_SECTORS and not civil_protest:
            continue
        if {w.lower().rstrip("s") for w in side.text.split()} & weapons:
            continue
        if event_type == "assault" and side is actor and side.sector == "military":
            continue
        side.country = country
    if actor is None and location is not None:
        if event_type == "protest":
            return Actor(text="", name=None, country=country, sector="civilian")
        if event_type == "coerce" and mode in DETENTIONS:
            return Actor(text="", name=None, country=country, sector="police")
    return actor
