"""What place resolution remembers while reading one article: the regions its places lie in, the
place of its latest event, and its dateline ("GOMA, Congo, Jan 28 (Newswire) -"), read from the text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from schemas import Location
from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.dateline import Dateline, dateline_place, sentence_dateline
from services.extractor.rules.place_resolution import resolve
from services.extractor.rules.places import PlaceMention, fold, load_gazetteer


@dataclass
class ArticlePlaces:
    """What place resolution remembers while reading one article: the regions its places lie in (a
    vote for ambiguous names), the place of its latest event and the dateline ("GOMA, Congo, Jan 28 -").
    """

    regions: Counter[str] = field(default_factory=Counter)
    last: Location | None = None
    dateline: Location | None = None
    dateline_shared: bool = False  # "SANAA/WASHINGTON": reported from two places
    sentences: int = 0


def article_places(state: ArticleState) -> ArticlePlaces:
    """The place memory of an article, kept with its ArticleState."""
    # Kept in the state's __dict__ so that this module alone owns it; an ArticleState field would do.
    memory = vars(state).get("places")
    if memory is None:
        memory = vars(state)["places"] = ArticlePlaces()
    assert isinstance(memory, ArticlePlaces)
    return memory


def dateline_end(doc: Doc | Span) -> int:
    """The character offset where a dateline opening the sentence ends (0 without one)."""
    found = sentence_dateline(doc)
    return found.end if found else 0


DATELINE_SENTENCES = 3  # the headline, a byline or a standfirst may come before the dateline
DATELINE_LINES = 4


def learn_article_dateline(text: str, state: ArticleState) -> None:
    """Remember the place of the dateline opening one of the article's first lines, whether or not its
    sentence holds an event ("LA PAZ, June 27 - Soldiers drove armoured vehicles into the square")."""
    memory = article_places(state)
    for line in text.splitlines()[:DATELINE_LINES]:
        found = dateline_place(line)
        if found is not None:
            memory.dateline = _dateline_location(found, state)
            memory.dateline_shared = memory.dateline is not None and found.shared
            return


def _dateline(doc: Doc | Span, state: ArticleState) -> Location | None:
    """The place of a dateline opening a sentence ("GOMA, Congo, Jan 28 (Newswire) - "), read from the
    text itself: spaCy and the acronym rule of find_places miss names in capitals ("GOMA", "KYIV").
    """
    found = sentence_dateline(doc)
    return None if found is None else _dateline_location(found, state)


def _dateline_location(found: Dateline, state: ArticleState) -> Location | None:
    name, country = found.name, found.country
    places = [
        p for p in load_gazetteer().by_alias.get(fold(name), []) if p.kind in {"city", "admin1", "admin2"}
    ]
    readings = [p for p in places if p.country == country] or places  # "Congo" may be either Congo
    if not readings:
        return None
    if not any(p.country == country for p in readings):
        country = None
    context = Counter(state.countries)
    if country:
        context[country] += 1
    mention = PlaceMention(0, 1, name, tuple(readings), False, False, placed=True, parent=country)
    return resolve(mention, context)


def learn_sentence_dateline(doc: Doc | Span, memory: ArticlePlaces, state: ArticleState) -> None:
    """Remember the dateline opening one of the article's first sentences, if any."""
    memory.dateline = _dateline(doc, state)
    found = sentence_dateline(doc)
    memory.dateline_shared = memory.dateline is not None and found is not None and found.shared
