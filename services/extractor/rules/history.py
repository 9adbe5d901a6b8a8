"""Whether an event is history told as background rather than news of the present."""

from __future__ import annotations

import re
from datetime import datetime

from spacy.tokens import Token


def dated_in_past(trigger: Token, published: datetime | None) -> bool:
    """History told as background: the trigger's own clause dates it by a past year ("Britain expelled
    23 diplomats in 2018") or as "years ago". News about the present dates its events by
    weekday or month; an explicit year marks the past when it is before the publication year, or at all
    when the publication date is unknown. Years inside other clauses ("suspected of bombing a plane in
    1988") do not date this event.
    """
    heads = [trigger]
    if trigger.pos_ not in {"VERB", "AUX"} and trigger.head.pos_ in {"VERB", "AUX"}:
        heads.append(trigger.head)
    for head in heads:
        for child in head.children:
            dep = child.dep_
            if dep in {"npadvmod", "advmod"}:
                words = [t.lower_ for t in child.subtree]  # read only for these two labels
                ago = "ago" in words and any(w in {"years", "decade", "decades"} for w in words)
                if ago or words[:2] == ["last", "year"]:
                    return True
            elif dep == "prep" and child.lower_ in {"in", "on", "during", "by", "until"}:
                years = [int(t.text) for t in child.subtree if _YEAR.fullmatch(t.text)]
                if years and (published is None or max(years) < published.year):
                    return True
    return False


_YEAR = re.compile(r"(?:19|20)\d\d")
