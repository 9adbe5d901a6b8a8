"""Whether an event is history told as background rather than news of the present."""

from __future__ import annotations

import re
from datetime import datetime

from spacy.tokens import Token

from services.extractor.rules.tokens import token_table


def dated_in_past(trigger: Token, published: datetime | None) -> bool:
    """History told as background: the trigger's own clause dates it by a past year ("Britain expelled
    23 diplomats in 2018") or as "years ago". News about the present dates its events by
    weekday or month; an explicit year marks the past when it is before the publication year, or at all
    when the publication date is unknown. Years inside other clauses ("suspected of bombing a plane in
    1988") do not date this event, except a clause that says since when a state has lasted ("Since
    Hamas took control in 2007, Israel has blockaded ..."): a state that old is background, not news.
    A past perfect dated by a past year anywhere in its phrases ("had fled ... after the July 2021
    assassination") is background too.
    """
    if not _may_be_dated(trigger):
        return False
    heads = [trigger]
    if trigger.pos_ not in {"VERB", "AUX"} and trigger.head.pos_ in {"VERB", "AUX"}:
        heads.append(trigger.head)
    counted = _counts_a_total(trigger)
    return any(_dates_head(head, published, counted) for head in heads)


def _dates_head(head: Token, published: datetime | None, counted: bool) -> bool:
    is_verb = head.pos_ in {"VERB", "AUX"}
    past_perfect = is_verb and _is_past_perfect(head)
    for child in head.children:
        dep = child.dep_
        if dep in {"npadvmod", "advmod"}:
            if _years_ago(child):
                return True
        elif dep == "prep" and (
            child.lower_ in _DATING_PREPOSITIONS
            or past_perfect
            or (is_verb and child.lower_ == "since" and not counted)
        ):
            if _past_year(child, published):
                return True
        elif dep == "dobj" and is_verb and _object_dated(child, published):
            return True  # "killed 300 people between 2008 and 2013": the date hung on the object
        elif is_verb and not counted and _since_clause(child, published):
            return True
    return False


def _years_ago(modifier: Token) -> bool:
    words = [t.lower_ for t in modifier.subtree]
    ago = "ago" in words and any(w in {"years", "decade", "decades"} for w in words)
    return ago or words[:2] == ["last", "year"]


def _since_clause(child: Token, published: datetime | None) -> bool:
    """ "Since Hamas took control in 2007, ...", "has allowed patients to possess cannabis since 2015"."""
    if child.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "since" for m in child.children):
        return _past_year(child, published)
    return child.dep_ in {"ccomp", "xcomp"} and _lasting_since_past(child, published)


def _may_be_dated(trigger: Token) -> bool:
    """Whether the sentence has any word that can date an act in the past (most have none)."""
    sentence = trigger.sent
    words = token_table(trigger.doc).lower[sentence.start : sentence.end]
    return any(w in _DATING_WORDS or (len(w) == 4 and _YEAR.fullmatch(w)) for w in words)


_DATING_PREPOSITIONS = frozenset({"in", "on", "during", "by", "until", "between"})
_YEAR = re.compile(r"(?:19|20)\d\d")


def _past_year(phrase: Token, published: datetime | None) -> bool:
    words = _own_words(phrase)
    if phrase.lower_ == "during" and _PAST_ERA.search(" ".join(t.text for t in sorted(words))):
        return True  # "during World War II", "during the Cold War"
    if any(t.text in _ERA_MARKS or t.lower_ in _CENTURY_WORDS for t in words):
        return True  # "until the Romans destroyed it in 70 A.D.", "in the 19th century"
    years = [int(t.text) for t in words if _YEAR.fullmatch(t.text)]
    return bool(years) and (published is None or max(years) < published.year)


_ERA_MARKS = frozenset({"A.D.", "AD", "B.C.", "BC", "BCE", "CE"})
_CENTURY_WORDS = frozenset({"century", "centuries"})
# every word that can date an act (beside a year): "ago", "last year", an era, a century, a war
_DATING_WORDS = frozenset({"ago", "last", "war", *_CENTURY_WORDS, *(m.lower() for m in _ERA_MARKS)})


_PAST_ERA = re.compile(r"\b(?:World War|Cold War|Second World|First World)\b")


def _own_words(phrase: Token) -> list[Token]:
    """The phrase's words without the clauses nested in it: "a meeting on the launch, though Russia
    has shielded Pyongyang since 2022" is not dated by 2022."""
    words, stack = [], [phrase]
    while stack:
        word = stack.pop()
        words.append(word)
        stack.extend(c for c in word.children if c.dep_ not in _NESTED_CLAUSES)
    return words


_NESTED_CLAUSES = frozenset({"advcl", "relcl", "ccomp", "acl", "parataxis"})


def _counts_a_total(trigger: Token) -> bool:
    """A running total ("has displaced more than 3.5 million people since 2021") is news of the
    present even when it counts from a past year."""
    verb = trigger if trigger.pos_ in {"VERB", "AUX"} else trigger.head
    return any(
        t.like_num and not _YEAR.fullmatch(t.text)
        for c in verb.children
        if c.dep_ in {"nsubj", "nsubjpass", "dobj"}
        for t in c.subtree
    )


def _object_dated(obj: Token, published: datetime | None) -> bool:
    return any(
        c.dep_ == "prep"
        and c.lower_ in _DATING_PREPOSITIONS
        and any(g.dep_ == "pobj" and _YEAR.fullmatch(g.text) for g in c.children)
        and _past_year(c, published)
        for c in obj.children
    )


def _lasting_since_past(verb: Token, published: datetime | None) -> bool:
    verbs = [verb, *(c for c in verb.children if c.dep_ == "conj")]
    return any(
        c.dep_ == "prep" and c.lower_ == "since" and _past_year(c, published)
        for v in verbs
        for c in v.children
    )


def _is_past_perfect(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "had" for c in verb.children)
