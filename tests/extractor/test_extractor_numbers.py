"""Count expressions: lower bounds, approximations, ranges and words."""

from __future__ import annotations

import pytest

from services.extractor.rules.numbers import parse_count


@pytest.mark.parametrize(
    ("text", "value", "approx"),
    [
        ("over 500", 500, True),
        ("80+", 80, True),
        ("~580", 580, True),
        ("approximately 580", 580, True),
        ("nearly 110,000", 110_000, True),
        ("three", 3, False),
        ("a hundred", 100, False),
        ("thousands of", 1000, True),
        ("one person", 1, False),
        ("at least 33", 33, True),
        ("1.2 million", 1_200_000, False),
        ("twenty-five", 25, False),
        ("two hundred and five", 205, False),
        ("dozens of", 12, True),
        ("scores of", 20, True),
        ("several hundred", 100, True),
        ("a few thousand", 1000, True),
        ("several dozen", 12, True),
        ("6,000", 6000, False),
    ],
)
def test_counts(text: str, value: int, approx: bool) -> None:
    count = parse_count(text)
    assert count is not None
    assert (count.value, count.approx) == (value, approx)


def test_ranges_keep_an_upper_bound() -> None:
    between = parse_count("between 10 and 20")
    dashed = parse_count("10-15 people")
    assert between is not None and (between.value, between.upper) == (10, 20)
    assert dashed is not None and (dashed.value, dashed.upper) == (10, 15)


def test_no_number() -> None:
    assert parse_count("no count here") is None
