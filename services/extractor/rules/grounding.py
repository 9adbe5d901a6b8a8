"""Sides named by their role alone, or not named at all, grounded in the country where the event happens.

- "the junta", "police", "rebels", "a suicide bomber": an actor named by its role acts for the country of
  the event's place, else the article's home country (ACLED and PLOVER code non-state armed groups by the
  country they operate in).
- Nobody named: a protest is by people of the country where it happens; a detention or arrest is by that
  country's police ("79 people were detained after the rally"); a deployment by that country's state
  ("5,000 troops were sent to the region").
- An armed group active in several countries ("JNIM": Mali, Burkina Faso, Niger) is coded with the one
  it acts in; a group coded IGO (Islamic State, al-Qaeda) with the country where it acts.
In an assault, weapons and air defences are no such actor (a drone over a city is as likely the enemy's)
and a bare "troops" may be either side's, so only roles domestic by nature are grounded; forces and
vehicles deployed ("riot police and armoured vehicles were deployed") are the deploying state's.
"""

from __future__ import annotations

from schemas import Actor, Location
from services.extractor.rules.actors import load_actor_table
from services.extractor.rules.arguments import ROLE_SECTORS, ArticleState
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.places import fold

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
    for side in (actor, recipient):
        if side is not None:
            _operating_country(side, country, state.home_country)
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
        if event_type == "assault" and _names_weapons(side.text):
            continue
        if event_type == "assault" and side is actor and side.sector == "military":
            continue
        side.country = country
    if actor is None and location is not None:
        return implied_actor(event_type, mode, country)
    return actor


def implied_actor(event_type: str, mode: str | None, country: str | None) -> Actor | None:
    """The side of an event that names nobody: a protest's people, a detention's police."""
    if country is None:
        return None
    if event_type == "protest":
        return Actor(text="", name=None, country=country, sector="civilian")
    if event_type == "coerce" and mode in DETENTIONS:
        return Actor(text="", name=None, country=country, sector="police")
    if event_type == "mobilize":  # "5,000 troops were sent to the region": the state where they go
        return Actor(text="", name=None, country=country, sector="military")
    return None


def deployed_forces(event_type: str, actor: Actor | None, recipient: Actor | None) -> bool:
    """Whether the recipient read for a deployment is the forces deployed ("troops were sent", "armoured
    vehicles of the Kenyan-led mission were deployed"): they are then its side, not its target."""
    if event_type != "mobilize" or actor is not None or recipient is None:
        return False
    return recipient.sector in {"military", "police", "rebel"} or bool(
        _bare_words(recipient.text) & set(load_lexicon().quantity["weapons"])
    )


def _operating_country(side: Actor, country: str, home: str | None) -> None:
    """An armed group of several countries, or of none (IGO), is coded with the one it acts in: the
    article's home country when it is one of them (a place misread abroad does not move the group),
    else the event's."""
    if side.sector != "rebel" or not side.name:
        return
    entry = load_actor_table().by_alias.get(fold(side.name))
    if entry is None or entry.kind != "org" or not (entry.operates_in or entry.country == "IGO"):
        return
    for candidate in (home, country):
        if candidate is not None and (candidate in entry.operates_in or entry.country == "IGO"):
            side.country = candidate
            return


# "the defence minister", "Kenya Defence Forces", "the air force": bodies, though a weapon word is in them
BODIES = frozenset(
    {
        "minister",
        "ministry",
        "secretary",
        "department",
        "command",
        "council",
        "office",
        "force",
        "forces",
        "official",
        "officials",
        "spokesman",
        "spokeswoman",
        "chief",
    }
)


BODY_STEMS = frozenset(w.rstrip("s") for w in BODIES)


def _names_weapons(text: str) -> bool:
    """Whether a side is named by its weapons ("air defences", "a drone"), not by a body."""
    words = _bare_words(text)
    weapons = set(load_lexicon().quantity["weapons"]) | DEFENCES
    return bool(words & weapons) and not words & BODY_STEMS


def _bare_words(text: str) -> set[str]:
    """A side's words in lower case without trailing commas, stops or plural s ("drones," -> "drone")."""
    return {w.lower().strip(",.").rstrip("s") for w in text.split()}
