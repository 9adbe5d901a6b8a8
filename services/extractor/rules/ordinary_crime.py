"""Ordinary crime: an arrest, a charge, a trial or an appeal for witnesses over a murder, a theft or a
fraud with no political side is police and court work, not a political event.

Event datasets (ACLED, POLECAT) leave ordinary crime out: "a man was arrested after a hit-and-run",
"police are asking for witnesses to the burglary", "he was charged with fraud". The same acts are events
when the sentence gives them a political side: the person is a journalist, an activist or an opposition
figure, the charge is terrorism, treason or a protest, or armed groups and gangs are in it.
"""

from __future__ import annotations

from services.extractor.rules.tokens import token_table
from services.extractor.rules.triggers import Trigger, lemmas

# acts that are police work when their sentence tells of an ordinary crime and its legal process
POLICE_WORK = frozenset({"coerce", "accuse", "request", "assault"})
ORDINARY_CRIMES = frozenset(
    {"murder", "manslaughter", "homicide", "theft", "robbery", "burglary", "fraud", "embezzlement",
     "shoplifting", "vandalism", "stalking", "rape", "hit-and-run", "dui", "carjacking", "arson",
     "smuggling", "bribery", "scam", "larceny", "trespassing", "poaching"}
)  # fmt: skip
# the legal process of a crime: a murder a court hears is a case, not an attack being reported
LEGAL_PROCESS = frozenset(
    {"charge", "suspect", "trial", "prosecutor", "prosecution", "arrest", "sentence", "convict", "indict",
     "judge", "jury", "plead", "lawsuit", "indictment", "conviction", "custody", "detective"}
)  # fmt: skip
# words that give such an act a political side
POLITICAL_SIDE = frozenset(
    {"terrorism", "terrorist", "treason", "sedition", "protest", "protester", "demonstrator", "opposition",
     "activist", "journalist", "reporter", "coup", "espionage", "spy", "rebel", "insurgent", "militant",
     "gang", "cartel", "militia", "dissident", "blasphemy", "lawmaker", "politician", "minister",
     "governor", "mayor", "president", "senator", "official", "election", "party", "regime", "junta",
     "soldier", "army", "military"}
)  # fmt: skip


def ordinary_crime(trigger: Trigger) -> bool:
    """Whether a trigger is police or court work on an ordinary crime."""
    if trigger.event_type not in POLICE_WORK:
        return False
    words = set(lemmas(token_table(trigger.token.doc)))
    return bool(words & ORDINARY_CRIMES) and bool(words & LEGAL_PROCESS) and not words & POLITICAL_SIDE
