"""A fast sentence splitter with character offsets (lines are hard breaks; abbreviations do not end
sentences).

spaCy's parser is only run on the sentences that hold a trigger word, so splitting is done here, cheaply.
"""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "a.m",
        "p.m",
        "approx",
        "dept",
        "gov",
        "sen",
        "rep",
        "est",
        "fig",
        "adm",
        "cmdr",
        "brig",
    ]
)
_LINE = re.compile(r"[^\n]+")
_BOUNDARY = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_HEADLINE_JOIN = re.compile(r";\s+")
_CLOSERS = (".", "!", "?", '"', "”", "’", "'", ":")
_BULLET = re.compile(r"^\s*(?:[-–—•*]+|\d+[.)])\s+")


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()) or ("." in word and len(word) <= 5)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, stripped of white space and list bullets."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for boundary in _BOUNDARY.finditer(line.group(0)):
            cut = line.start() + boundary.end()
            if text[line.start() + boundary.start()] == "." and _is_abbreviation(
                text, line.start() + boundary.start()
            ):
                continue
            spans.append((start, cut))
            start = cut
        if start == line.start() and not line.group(0).rstrip().endswith(_CLOSERS):
            # a headline of two clauses ("X strikes Y; Y vows to hit back") is parsed as two
            for part in _HEADLINE_JOIN.finditer(line.group(0)):
                spans.append((start, line.start() + part.start() + 1))
                start = line.start() + part.end()
        spans.append((start, line.end()))
    cleaned: list[tuple[int, int]] = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        bullet = _BULLET.match(text, start, end)
        if bullet:
            start = bullet.end()
        if end - start >= 2:
            cleaned.append((start, end))
    return cleaned
