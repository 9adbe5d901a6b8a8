"""Where and says who: the place of an event and the claimant of what the sentence reports."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from schemas import Location
from services.extractor.rules.actors import load_actor_table
from services.extractor.rules.arguments import SUBJECT_DEPS, ArticleState, np_words, subject_of
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.places import PlaceMention, best_admin1, resolve
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
        cached = "ccording to" in doc.text
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


def is_country(mention: PlaceMention) -> bool:
    return not mention.region and any(p.kind == "country" for p in mention.candidates)


def is_actor_mention(doc: Doc | Span, mention: PlaceMention, statement: bool = True) -> bool:
    """Whether a capital city stands for its government here ("Moscow claims", "between Kyiv and Moscow")."""
    entry = load_actor_table().by_alias.get(mention.text.lower())
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
        return token.dep_ in SUBJECT_DEPS | {"poss"} or head_prep in {"by", "between", "with"}
    return token.dep_ in SUBJECT_DEPS | {"poss", "dobj", "conj"} or head_prep in {
        "by",
        "between",
        "with",
        "against",
        "on",
        "to",
        "from",
    }


def pick_location(
    doc: Doc | Span,
    triggers: list[Token],
    mentions: list[PlaceMention],
    state: ArticleState,
    own_only: bool = False,
    statement: bool = False,
) -> Location | None:
    """The place of an event; statements (accuse, request, ...) only take a place they were made in or at."""
    places = [m for m in mentions if not is_actor_mention(doc, m, statement)]
    if not places:
        return None
    admin1 = best_admin1(mentions, state.countries)
    subtree = {t.i for t in triggers[0].subtree}

    def rank(m: PlaceMention) -> tuple[float, ...]:
        token = doc[m.start]
        inside = float(m.start in subtree)
        prep = (
            token.head.lower_
            if token.dep_ == "pobj"
            else token.head.head.lower_
            if token.head.dep_ == "pobj"
            else ""
        )
        good_prep = float(prep in PLACE_PREPS or m.region)
        specific = 0.0 if is_country(m) else 1.0 if m.region else 2.0
        return inside, float(m.settlement), good_prep, specific, -abs(m.start - triggers[0].i)

    for mention in sorted(places, key=rank, reverse=True):
        if own_only and mention.start not in subtree:
            continue
        token = doc[mention.start]
        if is_country(mention) and not (token.dep_ == "pobj" and token.head.lower_ in COUNTRY_PREPS):
            continue
        said_there = token.dep_ == "pobj" and token.head.lower_ in {"in", "at"}
        if statement and not (said_there or token.dep_ == "compound" or mention.region):
            continue
        location = resolve(mention, state.countries, admin1)
        if location is not None:
            return location
    return None
