"""The place of an event whose sentences name none, from the story around it.

Event datasets code every physical event with a place: "Riot police moved in after midnight and cleared
the barricades" happened where the protest the article reports did. After the article's drafts are
merged, a fight, arrest, protest or deployment without a place takes the place of the story's latest
event before it (a country too: "shelled towns in Armenia ... 49 soldiers were killed"), else the
dateline's, unless the dateline names two cities ("BAKU/YEREVAN"): the reporters were in both.
Meetings, agreements, aid, withdrawals and concessions take it too (they happen where the story is: a
summit's talks, the deal it signs, soldiers pulling back overnight). Statements (accuse, demand,
threaten, ...) and sanctions are made where the speaker is, which the sentence does not say: a
government's are placed at its seat (services/extractor/rules/seats.py), after the story's places are
filled, so that a seat is never taken for the story's place; anyone else's keep none. A country a
statement or a meeting names is not remembered as the story's place (only a fight's, as "shelled towns
in Armenia").
"""

from __future__ import annotations

from schemas import Location
from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.article_places import article_places
from services.extractor.rules.drafts import VERBAL
from services.extractor.rules.merge import ArticleEvent
from services.extractor.rules.place_cues import PHYSICAL
from services.extractor.rules.seats import seat_of

# meetings, agreements, aid, withdrawals and concessions happen somewhere too: where the story is
GATHERINGS = frozenset({"consult", "agree", "cooperate", "aid", "retreat", "concede"})
SEATED = VERBAL | {"sanction"}  # a government's statements and sanctions: at its seat


def fill_story_places(events: list[ArticleEvent], state: ArticleState) -> None:
    """Give each physical event without a place the latest place named before it in the article."""
    memory = article_places(state)
    dateline = None if memory.dateline_shared else memory.dateline
    latest: Location | None = None
    for event in sorted(events, key=lambda e: e.sentence_index):
        location = event.draft.location
        if location is not None:
            if location.precision != "country" or event.draft.event_type in PHYSICAL:
                latest = location  # (a country a statement names in passing is no place of the story)
        elif event.draft.event_type in PHYSICAL | GATHERINGS:
            event.draft.location = latest or dateline
    for event in events:
        if event.draft.location is None and event.draft.event_type in SEATED:
            event.draft.location = seat_of(event.draft.actor, memory.dateline)
