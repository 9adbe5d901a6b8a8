"""The learned relevance classifier: its weights file, what it scores, the gate it feeds, its rebuild."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from schemas import Event
from services.extractor.rules import RuleEngine, relevance
from services.extractor.rules.build_classifier import DEFAULT_SHARED, build, read_positives
from services.extractor.rules.sentence_classifier import (
    BUCKETS,
    WEIGHTS_PATH,
    SentenceClassifier,
    classifier,
    features,
    words,
)
from tests.extractor.helpers import PUBLISHED, make_article

EVENTS = [
    "Police in Nairobi fired tear gas at hundreds of protesters on Tuesday.",
    "Russian forces shelled the city of Kharkiv overnight, killing three civilians, officials said.",
    "The foreign ministers of India and Pakistan met in Geneva on Monday to discuss the ceasefire.",
    "The French government imposed sanctions on two Iranian officials over the detention of aid workers.",
    "Rebels seized the town after two days of fighting with government troops.",
]
NON_EVENTS = [
    "Try the Italian recipe: add two eggs, and stir the sauce for five minutes.",
    "Canada's top chef rejected the idea that butter makes every dish better.",
    "Ukraine's entry won the Eurovision song contest with a folk song.",
    "The British band will tour Australia next spring, playing 12 shows.",
    "Spain's coach demanded more effort from his players after the defeat.",
]


def extract(engine: RuleEngine, text: str) -> list[Event]:
    return engine.extract(make_article(text, PUBLISHED))


def test_words_are_lower_cased_with_digits_folded() -> None:
    assert words("Police killed 12 people in Goma’s centre") == [
        "police",
        "killed",
        "00",
        "people",
        "in",
        "goma's",
        "centre",
    ]
    assert features("Police killed 12 people") == features("police KILLED 47 people!")
    assert all(0 <= f < BUCKETS for f in features("Police killed 12 people"))


def test_event_reports_score_high_and_everyday_text_low() -> None:
    model = classifier()
    for text in EVENTS:
        assert model.probability(text) >= 0.9, text
    for text in NON_EVENTS:
        assert model.probability(text) < relevance.EVENT_LIKELY, text
    assert min(map(model.probability, EVENTS)) > max(map(model.probability, NON_EVENTS))


def test_the_gate_drops_event_verbs_in_everyday_sentences(engine: RuleEngine) -> None:
    # each of these names a country and uses an event verb, so the participant rules alone keep it
    for text in [
        "Canada's top chef rejected the idea that butter makes every dish better.",
        "The Chinese smartphone maker offered buyers a free case with every new phone.",
        "Spain's coach demanded more effort from his players after the defeat.",
        "Ukraine's entry won the Eurovision song contest with a folk song.",
        "The Irish writer praised the novel's characters and its ending.",
    ]:
        assert extract(engine, text) == [], text


def test_the_gate_keeps_reported_events(engine: RuleEngine) -> None:
    assert [e.event_type for e in extract(engine, EVENTS[0])] == ["assault"]
    assert [e.event_type for e in extract(engine, EVENTS[2])] == ["consult"]
    assert [e.event_type for e in extract(engine, EVENTS[3])] == ["sanction"]


def test_a_sentence_with_counts_at_a_named_place_passes_a_doubtful_score(engine: RuleEngine) -> None:
    text = "Earlier that morning, Kharkiv experienced another strike, injuring at least 33 people."
    assert relevance.EVENT_UNLIKELY <= classifier().probability(text) < relevance.EVENT_LIKELY
    events = extract(engine, text)
    assert [e.event_type for e in events] == ["assault"]
    assert [(q.kind, q.value) for q in events[0].quantities] == [("injured", 33)]


def test_a_bad_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.npz"
    with pytest.raises(ValueError, match="cannot be read"):
        SentenceClassifier.load(missing)
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, weights=np.zeros(10, dtype=np.float32), bias=np.float64(0.0))
    with pytest.raises(ValueError, match="expected 262144 weights"):
        SentenceClassifier.load(wrong)
    nan = tmp_path / "nan.npz"
    np.savez(nan, weights=np.full(BUCKETS, np.nan, dtype=np.float32), bias=np.float64(0.0))
    with pytest.raises(ValueError, match="not all finite"):
        SentenceClassifier.load(nan)


def test_the_shipped_weights_are_what_the_build_script_makes() -> None:
    positives = read_positives()
    assert len(positives) > 10_000
    assert {t for t, _ in positives} >= {"assault", "protest", "accuse", "agree", "sanction"}
    weights, bias = build(DEFAULT_SHARED)
    with np.load(WEIGHTS_PATH) as shipped:
        assert shipped["weights"].dtype == np.float32
        np.testing.assert_allclose(weights, shipped["weights"], atol=1e-5)
        assert abs(bias - float(shipped["bias"])) < 1e-5
