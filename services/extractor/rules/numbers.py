"""Reads count expressions: "over 500", "80+", "~580", "nearly 110,000", "three", "a hundred", "thousands".

`read_count(words, i)` reads a count that starts at word i of a tokenised sentence and returns its value
(an integer lower bound), optional upper bound, whether it is approximate, and the words it spans.
`parse_count(text)` does the same for a short phrase (used by the tests).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "a dozen": 12,
    "single": 1,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
# Vague plurals, read by ACLED's conservative convention: "dozens" 12, "tens" 10, "hundreds" 100 (and a
# score, 20, for "scores"); approximate
VAGUE = {"dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "millions": 1_000_000, "tens": 10}
# "several hundred", "a few thousand", "several dozen": the scale word alone, approximate
FEW = frozenset({"several", "few"})
APPROX_BEFORE = {
    "about",
    "around",
    "approximately",
    "roughly",
    "nearly",
    "almost",
    "some",
    "estimated",
    "~",
    "circa",
    "approx",
    "approx.",
    "close",
    "up",
    "over",
    "more",
    "least",
    "than",
    "upwards",
    "+",
}
LOWER_BOUND_BEFORE = {"over", "more", "least", "than", "upwards", "exceeding", "+"}
DIGITS = re.compile(r"^~?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(\+)?$")
_WORD_SPLIT = re.compile(r"~|\+|[\w.,]+|[^\w\s]")


@dataclass(frozen=True)
class Count:
    value: int
    upper: int | None
    approx: bool
    start: int  # index of the first word of the expression (modifiers included)
    end: int  # index after the last word


def _atom(words: list[str], i: int) -> tuple[float, int, bool] | None:
    """A single number at word i: (value, words used, has trailing plus)."""
    if i >= len(words):
        return None
    word = words[i].lower()
    match = DIGITS.match(word)
    if match:
        whole = int(match.group(1).replace(",", ""))
        value = float(f"{whole}.{match.group(2)}") if match.group(2) else float(whole)
        return value, 1, bool(match.group(3))
    if "-" in word and all(part in UNITS for part in word.split("-")):  # twenty-five
        return float(sum(UNITS[part] for part in word.split("-"))), 1, False
    if word in UNITS:
        return float(UNITS[word]), 1, False
    if word in {"a", "an", "one"} and i + 1 < len(words) and words[i + 1].lower() in SCALES | {"dozen": 12}:
        return 1.0, 1, False
    return None


def _read_value(words: list[str], i: int) -> tuple[int, int, bool] | None:
    """A number with scale words ("1.2 million", "two hundred and five"): (value, end index, plus)."""
    atom = _atom(words, i)
    if atom is None:
        return None
    value, used, plus = atom
    j = i + used
    total = 0.0
    if (
        j + 1 < len(words) and words[j] == "-" and value >= 20 and words[j + 1].lower() in UNITS
    ):  # twenty - five
        value += UNITS[words[j + 1].lower()]
        j += 2
    while j < len(words):
        word = words[j].lower()
        if word in SCALES:
            value *= SCALES[word]
            j += 1
            if SCALES[word] >= 1000:
                total += value
                value = 0.0
            continue
        if word == "dozen":
            value *= 12
            j += 1
            continue
        if word in {"and"} and j + 1 < len(words) and words[j + 1].lower() in UNITS and total + value >= 100:
            nxt = _atom(words, j + 1)
            if nxt:
                value += nxt[0]
                j += 1 + nxt[1]
                continue
        if (
            word in UNITS
            and UNITS[word] < 10
            and value % 100 == 0
            and value >= 20
            and words[j - 1].lower() in UNITS
        ):
            value += UNITS[word]
            j += 1
            continue
        break
    if j < len(words) and words[j] == "+":
        plus = True
        j += 1
    return int(total + value), j, plus


def read_count(words: list[str], i: int, lower: list[str] | None = None) -> Count | None:
    """The count expression whose number is at word i (modifiers before it are looked up too);
    `lower` is the words in lower case, when the caller has them already."""
    if lower is None:
        lower = [w.lower() for w in words]
    if i < len(words) and lower[i] in VAGUE:
        return _vague_count(lower, i)
    if i + 1 < len(words) and lower[i] in FEW and lower[i + 1] in SCALES | {"dozen": 12}:
        start = i - 1 if i >= 1 and lower[i] == "few" and lower[i - 1] == "a" else i
        return Count(SCALES.get(lower[i + 1], 12), None, True, start, i + 2)
    read = _read_value(words, i)
    if read is None:
        return None
    value, end, plus = read
    start, approx = _modifiers_before(lower, i)
    approx = approx or plus or lower[i].startswith("~")
    upper, end, start = _range_after(words, lower, value, start, end)
    if end + 1 < len(words) and lower[end] == "or" and lower[end + 1] == "more":
        approx, end = True, end + 2
    if lower[i] in {"a", "an"} and value == 1:
        return None
    return Count(value, upper, approx, start, end)


def _vague_count(lower: list[str], i: int) -> Count:
    """ "dozens", "tens of thousands", "hundreds of thousands"."""
    end = i + 1
    value = VAGUE[lower[i]]
    if lower[i] == "tens" and end + 1 < len(lower) and lower[end] == "of" and lower[end + 1] in VAGUE:
        value, end = VAGUE[lower[end + 1]] * 10, end + 2
    elif end < len(lower) and lower[end] == "of" and end + 1 < len(lower) and lower[end + 1] in VAGUE:
        value, end = value * VAGUE[lower[end + 1]], end + 2
    return Count(value, None, True, i, end)


def _modifiers_before(lower: list[str], i: int) -> tuple[int, bool]:
    """Where a count's expression starts ("at least", "up to", "an estimated") and whether they make
    it approximate."""
    start, approx = i, False
    k = i - 1
    while k >= 0 and lower[k] in APPROX_BEFORE | {"at", "an", "to", "of", "by"}:
        if (
            lower[k] in {"to", "of", "by", "an"}
            and not (k >= 1 and lower[k - 1] in {"up", "close", "upwards"})
            and (lower[k] != "an" or not (k + 1 < len(lower) and lower[k + 1] == "estimated"))
        ):
            break
        approx = approx or lower[k] in APPROX_BEFORE
        start = k
        k -= 1
    return start, approx


def _range_after(
    words: list[str], lower: list[str], value: int, start: int, end: int
) -> tuple[int | None, int, int]:
    """(upper bound, end, start) of "20-30", "20 to 30", "20 or 30", "between 20 and 30"."""
    upper: int | None = None
    if end + 1 < len(words) and lower[end] in {"-", "to", "–", "or"}:
        nxt = _read_value(words, end + 1)
        if nxt and nxt[0] > value:
            upper, end = nxt[0], nxt[1]
    if start >= 1 and lower[start - 1] == "between" and end + 1 < len(words) and lower[end] == "and":
        nxt = _read_value(words, end + 1)
        if nxt and nxt[0] > value:
            upper, end, start = nxt[0], nxt[1], start - 1
    return upper, end, start


def tokenize(text: str) -> list[str]:
    return _WORD_SPLIT.findall(text)


def parse_count(text: str) -> Count | None:
    """The first count in a short phrase, e.g. parse_count("nearly 110,000") -> 110000, approx."""
    words = tokenize(text)
    for i in range(len(words)):
        count = read_count(words, i)
        if count is not None:
            return count
    return None
