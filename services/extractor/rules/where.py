"""Where and says who: the place of an event and the claimant of what the sentence reports."""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Doc, Span, Token

from schemas import Location
from services.extractor.rules.actors import load_actor_table
from services.extractor.rules.arguments import (
    COUNTRY_AREAS,
    SUBJECT_DEPS,
    ArticleState,
    np_words,
    subject_of,
)
from services.extractor.rules.article_places import (
    DATELINE_SENTENCES,
    ArticlePlaces,
    article_places,
    dateline_end,
    learn_sentence_dateline,
)
from services.extractor.rules.history import dated_in_past
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.place_cues import (
    ADDRESSED,
    PHYSICAL,
    in_a_name,
    refers_to_a_site,
    sense_type,
    where_said,
)
from services.extractor.rules.place_resolution import best_admin1, resolve
from services.extractor.rules.places import PlaceMention, fold, load_gazetteer
from services.extractor.rules.seats import capital_mentions
from services.extractor.rules.tokens import sentence_text, subtree_indices
from services.extractor.rules.triggers import lemma

PLACE_PREPS = frozenset(
    {
        "in",
        "into",
        "at",
        "near",
        "inside",
        "across",
        "outside",
        "around",
        "on",
        "over",
        "within",
        "throughout",
        "from",
    }
)


def _mentions_according(doc: Doc | Span) -> bool:
    """Whether 'according to' occurs (computed once per parsed sentence)."""
    cached = doc.user_data.get("according") if isinstance(doc, Doc) else None
    if cached is None:
        cached = "ccording to" in sentence_text(doc)
        if isinstance(doc, Doc):
            doc.user_data["according"] = cached
    return bool(cached)


def claimant_of(doc: Doc | Span, token: Token) -> str | None:
    speech = load_lexicon().cues["speech_verbs"]
    for t in doc if _mentions_according(doc) else ():
        if t.lower_ == "according" and t.i + 1 < len(doc) and doc[t.i + 1].lower_ == "to":
            objects = [g for g in doc[t.i + 1].children if g.dep_ == "pobj"]
            if objects:
                return " ".join(w.text for w in np_words(objects[0]))
    node = token
    for _ in range(8):
        if node.head.i == node.i:
            break
        parent = node.head
        if lemma(parent) in speech and node.dep_ in {"ccomp", "xcomp", "dobj"}:
            subject = subject_of(parent)
            if subject is not None:
                return " ".join(w.text for w in np_words(subject))
        node = parent
    return None


COUNTRY_PREPS = frozenset({"in", "into", "inside", "across", "throughout", "within"})
NAMED_ACTORS = frozenset({"org", "person", "institution", "demonym"})


def is_country(mention: PlaceMention) -> bool:
    return not mention.region and any(p.kind == "country" for p in mention.candidates)


def is_actor_mention(
    doc: Doc | Span, mention: PlaceMention, statement: bool = True, targets: frozenset[int] | None = None
) -> bool:
    """Whether a capital city stands for its government here ("Moscow claims", "between Kyiv and Moscow",
    "expelled diplomats, accusing Moscow of sabotage": the object of a verb other than the event's
    `targets`, or of one that addresses a party); named groups, people and institutions ("Hamas", also
    a spelling of Hamm) are never places.
    """
    table = load_actor_table().by_alias
    entry = table.get(mention.text.lower())
    if entry is not None and entry.kind in NAMED_ACTORS:
        return True
    whole = table.get(doc[mention.start : mention.end].text.lower()) if mention.region else None
    if whole is not None and whole.kind in NAMED_ACTORS:
        return True  # "the State Department" is no department named State
    if entry is None or entry.kind not in {"capital", "country"}:
        return False
    token = doc[mention.start]
    if entry.kind == "country":
        return token.dep_ in SUBJECT_DEPS | {"poss", "dobj"} or token.head.lower_ in {
            "by",
            "between",
            "against",
        }
    head_prep = token.head.lower_ if token.dep_ in {"pobj", "conj"} else ""
    if not statement:  # "Russia pounds Kyiv", "attacks on Kyiv and Kharkiv": the capital is the target
        other_verb = (
            targets is not None
            and token.dep_ == "dobj"
            and (token.head.i not in targets or sense_type(token.head) in ADDRESSED)
        )
        # "an aid package for Kyiv": a capital a thing is for stands for its government
        for_a_thing = head_prep == "for" and token.head.head.pos_ in {"NOUN", "PROPN"}
        return (
            token.dep_ in SUBJECT_DEPS | {"poss"}
            or head_prep in {"by", "between", "with"}
            or other_verb
            or for_a_thing
        )
    return token.dep_ in SUBJECT_DEPS | {"poss", "dobj", "conj"} or head_prep in {
        "by",
        "between",
        "with",
        "against",
        "on",
        "to",
        "from",
    }


def _clause_verb(token: Token) -> Token | None:
    """The verb of the clause a trigger stands in ("found" for "found dead")."""
    node = token
    for _ in range(4):
        if node.pos_ in {"VERB", "AUX"}:
            return node
        if node.head.i == node.i:
            return None
        node = node.head
    return None


# Nouns naming a part of the place that follows ("the heart of X", "the outskirts of X").
AREA_PARTS = frozenset(
    {
        "heart",
        "centre",
        "center",
        "middle",
        "outskirts",
        "edge",
        "suburbs",
        "fringes",
        "streets",
        "part",
        "parts",
    }
)
NEAR_HOPS = 3  # "struck X" is one hop from the trigger, "fighting in X" two, "control of X in Y" three


def _path_to(token: Token, targets: set[int]) -> tuple[bool, bool, int]:
    """(whether token hangs below one of `targets`, whether another event word lies on the way, and
    the number of hops up to the target or to the root).
    """
    forms = load_lexicon().trigger_forms
    node, crossed, hops = token, False, 0
    for _ in range(12):
        if node.i in targets:
            return True, crossed, hops
        if node.head.i == node.i:
            return False, crossed, hops + NEAR_HOPS
        if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ in AREA_PARTS:
            node = node.head.head  # "in the heart of X" is as near as "in X"
            continue
        node, hops = node.head, hops + 1
        if node.i not in targets and node.lower_ in forms and node.pos_ in {"NOUN", "VERB"}:
            crossed = True
    return False, crossed, 12


def _remember(memory: ArticlePlaces, location: Location | None) -> Location | None:
    if location is not None and location.precision != "country":
        memory.last = location
        if location.admin1:
            memory.regions[location.admin1] += 1
    return location


def inherited_location(state: ArticleState) -> Location | None:
    """The article's latest event place, else its dateline: the place of an event whose sentence names
    none ("Riot police cleared the barricades"), as event datasets code it from the story's context.
    """
    memory = article_places(state)
    return memory.last or memory.dateline


def pick_location(
    doc: Doc | Span,
    triggers: list[Token],
    mentions: list[PlaceMention],
    state: ArticleState,
    own_only: bool = False,
    statement: bool = False,
) -> Location | None:
    """The place of an event: the most specific place of the trigger's own clause, not one that belongs
    to another event word on the way ("in response to attacks in X"); statements (accuse, request, ...)
    only take a place they were made in or at. The lead of a datelined story without a place takes
    the dateline's; an event placed only at a definite site ("in the city", "outside the embassy")
    takes the article's latest event place, else its dateline.
    """
    memory = article_places(state)
    memory.sentences += 1
    if memory.dateline is None and memory.sentences <= DATELINE_SENTENCES:
        learn_sentence_dateline(doc, memory, state)
    mentions = [*mentions, *capital_mentions(doc, state.home_country)]
    context = Counter(state.countries)
    if state.home_country:
        context[state.home_country] += 1
    opening = dateline_end(doc)
    first_char = doc[0].idx if len(doc) else 0
    targets = {t.i for t in triggers} | {v.i for t in triggers if (v := _clause_verb(t)) is not None}
    places = [
        m
        for m in mentions
        if not is_actor_mention(doc, m, statement, frozenset(targets))
        and doc[m.start].idx - first_char >= opening
        and not _a_known_person(m, state)
        and not _in_a_past_clause(doc[m.start], targets, state)
    ]
    admin1 = best_admin1(mentions, context)
    subtree = subtree_indices(triggers[0])
    physical = not statement and any(sense_type(t) in PHYSICAL for t in triggers)
    announced: Location | None = None
    body: Location | None = None
    ranked = sorted(places, key=lambda m: _rank(doc, m, targets, subtree, triggers[0].i), reverse=True)
    for mention in ranked:
        if (own_only and mention.start not in subtree) or not _may_place(doc, mention, statement):
            continue
        location = resolve(mention, context, admin1, memory.regions)
        if location is not None and in_a_name(doc, mention.end):
            body = body or location  # "Paris police": a last resort
        elif location is not None and physical and where_said(doc[mention.start], targets):
            announced = announced or location  # a last resort: the event may well be there too
        elif location is not None:
            return _remember(memory, location)
    if own_only:
        return None
    if not statement and not opening and (owned := _country_owned_place(triggers[0])) is not None:
        return owned
    return _fallback(doc, state, statement, bool(opening), body, announced)


def _in_a_past_clause(token: Token, targets: set[int], state: ArticleState) -> bool:
    """A place in another clause dated in the past ("released soldiers, including troops captured
    during the siege of Mariupol in 2022"): background, not where the event happens."""
    node = token
    for _ in range(8):
        if node.head.i == node.i:
            return False
        node = node.head
        if node.i in targets:
            return False
        if node.pos_ in {"VERB", "AUX"}:
            return dated_in_past(node, state.published_at)
    return False


def _a_known_person(mention: PlaceMention, state: ArticleState) -> bool:
    """A town named like a person the article has named in full ("Mayor Ekrem Imamoglu", then
    "the court jailed Imamoglu"): the person, unless a word calls it a place ("in Imamoglu")."""
    if mention.placed or mention.settlement or mention.region or mention.parent:
        return False
    if any(p.kind in {"country", "admin1"} for p in mention.candidates):
        return False
    key = fold(mention.text)
    return key in state.memory.countries or key in state.memory.titled


def _country_owned_place(trigger: Token) -> Location | None:
    """The country of a "<demonym> airspace/territory/waters/soil" in the trigger's phrase, if any."""
    gazetteer, aliases = load_gazetteer(), load_actor_table().by_alias
    for token in (_clause_verb(trigger) or trigger).subtree:
        if token.lower_ not in COUNTRY_AREAS:
            continue
        for child in token.children:
            entry = aliases.get(fold(child.text))
            if child.dep_ in {"amod", "compound", "poss"} and entry and entry.kind in {"country", "demonym"}:
                country = entry.country
                name = gazetteer.country_names.get(country)
                if name:
                    return Location(text=f"{child.text} {token.text}", name=name, country=country,
                                    country_name=name, precision="country")  # fmt: skip
    return None


def _rank(
    doc: Doc | Span, m: PlaceMention, targets: set[int], subtree: set[int], trigger: int
) -> tuple[float, ...]:
    """How well a mention places the event: in the trigger's own phrase, a settlement, near it, specific,
    after a place preposition, close by."""
    token = doc[m.start]
    below, crossed, hops = _path_to(doc[m.end - 1] if m.region else token, targets)
    if token.dep_ == "pobj":
        prep = token.head.lower_
    else:
        prep = token.head.head.lower_ if token.head.dep_ == "pobj" else ""
    good_prep = float(prep in PLACE_PREPS or m.region)
    water = any(p.kind == "water" for p in m.candidates)
    specific = 0.0 if is_country(m) else 1.0 if m.region or water else 2.0
    own = float(m.start in subtree) + float(below and not crossed)
    near = float(hops <= NEAR_HOPS)
    return own, float(m.settlement), near, specific, good_prep, -abs(m.start - trigger)


def _may_place(doc: Doc | Span, mention: PlaceMention, statement: bool) -> bool:
    """A country places an event only after "in/into/across ..."; a statement only where it was made."""
    token = doc[mention.start]
    if is_country(mention) and not (token.dep_ == "pobj" and token.head.lower_ in COUNTRY_PREPS):
        return False
    said_there = token.dep_ == "pobj" and token.head.lower_ in {"in", "at"}
    return not statement or said_there or token.dep_ == "compound" or mention.region


def _fallback(
    doc: Doc | Span,
    state: ArticleState,
    statement: bool,
    datelined: bool,
    body: Location | None,
    announced: Location | None,
) -> Location | None:
    """The place of an event whose sentence names none it may take."""
    memory = article_places(state)
    if statement:  # "ordered soldiers still in the city to surrender": the demand is made there
        return inherited_location(state) if refers_to_a_site(doc) else None
    if datelined and memory.dateline is not None:  # the lead of a datelined story: it happened there
        return memory.dateline
    if refers_to_a_site(doc):
        return inherited_location(state)
    if body is not None:
        return _remember(memory, body)
    return _remember(memory, announced) if announced is not None and memory.last is None else None
