"""Modes of assaults (from the weapons named) and the confidence of an event.

Assault modes: aerial (drones and missiles together, air strikes, bombing from the air), drone, missile
(missiles, rockets), heavy-weapons (artillery, shelling, mortars, tanks), firearms (shooting, gunfire),
explosives (bombs, explosions, IEDs), destroy (destruction of property), abduct (kidnapping, hostages),
assassinate, torture, beat, ground (invasions, advances, captures of territory).
Mobilize modes: troops, weapons, police. Other types keep the mode of their trigger word when it has
one (consult: meet, visit, phone, host, third-party; protest: demo, riot, strike-hun, strike-gen;
coerce: arrest, detain, deport, curfew, martial-law, ban, censor, restrict, obstruct, confiscate;
accuse: investigate).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.extractor.rules.drafts import Draft
    from services.extractor.rules.quantities import FoundQuantity

DRONE_WORDS = frozenset({"drone", "drones", "uav", "uavs", "shahed", "shaheds", "kamikaze"})
MISSILE_WORDS = frozenset({"missile", "missiles", "rocket", "rockets", "ballistic", "cruise"})
HEAVY_WORDS = frozenset(
    {"artillery", "shelling", "shelled", "mortar", "mortars", "tank", "tanks", "howitzer", "shells"}
)
AIR_WORDS = frozenset({"airstrike", "airstrikes", "air", "aerial", "warplanes", "jets", "bombers", "glide"})
FIREARM_WORDS = frozenset({"gunfire", "gunmen", "shot", "shooting", "sniper", "rifle", "rifles", "gunman"})
EXPLOSIVE_WORDS = frozenset(
    {"bomb", "bombs", "explosion", "explosions", "ied", "blast", "car-bomb", "explosive"}
)
GENERIC_MODES = frozenset({None, "destroy"})


def assault_mode(mode: str | None, words: list[str], quantities: list[FoundQuantity]) -> str | None:
    """The mode of an assault from its trigger's mode and the weapons its sentence names."""
    found = set(words) | {q.object or "" for q in quantities}
    drones, missiles = bool(found & DRONE_WORDS), bool(found & MISSILE_WORDS)
    if (drones and missiles) or (found & AIR_WORDS and (drones or missiles or "strikes" in found)):
        return "aerial"
    if mode not in GENERIC_MODES:
        return mode
    if drones:
        return "drone"
    if missiles:
        return "missile"
    if found & HEAVY_WORDS:
        return "heavy-weapons"
    if found & FIREARM_WORDS:
        return "firearms"
    if found & EXPLOSIVE_WORDS:
        return "explosives"
    return mode


def confidence_of(draft: Draft) -> float:
    score = 0.45
    score += 0.15 if draft.actor is not None and draft.actor.country else 0.0
    score += 0.1 if draft.location is not None else 0.0
    score += 0.1 if draft.quantities else 0.0
    score += 0.05 if draft.recipient is not None else 0.0
    score -= 0.15 if draft.hypothetical else 0.0
    score -= 0.1 if draft.negated else 0.0
    score += 0.1 if draft.depth <= 1 else 0.0  # the main clause's event
    return round(min(0.95, max(0.05, score)), 2)
