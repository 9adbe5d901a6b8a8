"""Closed vocabularies of the contracts: PLOVER event types and the kinds of counted things."""

from typing import Literal, get_args

EventType = Literal[
    "agree",
    "consult",
    "support",
    "concede",
    "cooperate",
    "aid",
    "retreat",
    "request",
    "accuse",
    "reject",
    "threaten",
    "protest",
    "sanction",
    "mobilize",
    "coerce",
    "assault",
]

QuantityKind = Literal[
    "killed",
    "injured",
    "casualties",
    "launched",
    "intercepted",
    "destroyed",
    "captured",
    "deployed",
    "exchanged",
    "returned",
    "detained",
    "displaced",
    "missing",
    "sanctioned",
]

EVENT_TYPES: tuple[str, ...] = get_args(EventType)
QUANTITY_KINDS: tuple[str, ...] = get_args(QuantityKind)
