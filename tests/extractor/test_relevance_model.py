"""The learned relevance classifier: its features, its weights file, what it scores, the gate it feeds, and
that the build script remakes the shipped weights from the shipped sentences."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from schemas import Event
from services.extractor.rules import RuleEngine, relevance
from services.extractor.rules.build_relevance import HANDWRITTEN_PATH, read_sentences, split_sentences, train
from services.extractor.rules.relevance_model import (
    BUCKETS,
    WEIGHTS_PATH,
    RelevanceModel,
    features,
    relevance_model,
    words,
)
from tests.extractor.helpers import PUBLISHED, make_article

SHARED = Path(__file__).resolve().parents[3] / "shared"
# written for these tests; none is a training sentence (test_no_test_sentence_is_trained_on)
EVENTS = [
    "Soldiers opened fire on demonstrators outside the parliament in the capital on Wednesday.",
    "The army said its jets bombed rebel positions near the border, killing at least 12 fighters.",
    "The two presidents held talks in Cairo on the release of hostages.",
    "The European Union imposed an arms embargo on the military government.",
    "Hundreds of nurses went on strike over unpaid salaries, blocking the main hospital entrance.",
    "Police arrested the opposition leader at his home before dawn.",
]
NON_EVENTS = [
    "Whisk the cream until stiff peaks form, then fold in the crushed strawberries.",
    "This blender crushes ice in seconds and comes with three speed settings.",
    "Keep your receipts in a folder so that you can claim the expenses at the end of the year.",
    "In the final episode, the pirate captain betrays his crew and sails off with the treasure.",
    "The rock band announced a farewell tour of North America for next autumn.",
]
# a transfer told with a fee shares the words of agreements and aid ("deal", "million", "reported"): it
# scores above EVENT_LIKELY, but still below every real report (the participant rules drop it)
TRANSFER = "The winger joined the French champions on a five-year deal worth a reported 40 million euros."


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
    assert features("Police killed people") != features("People killed police")


def test_event_reports_score_high_and_everyday_text_low() -> None:
    model = relevance_model()
    for text in EVENTS:
        assert model.probability(text) >= relevance.EVENT_LIKELY, text
    for text in NON_EVENTS:
        assert model.probability(text) < relevance.EVENT_LIKELY, text
    assert min(map(model.probability, EVENTS)) > max(map(model.probability, [*NON_EVENTS, TRANSFER]))


def test_a_report_scores_above_the_same_matter_told_as_a_guess_a_plot_or_background() -> None:
    model = relevance_model()
    reported = model.probability("The prime minister called an early election on Monday after losing a vote.")
    for other in [
        "Commentators think the prime minister will probably call an early election in the spring.",
        "If the opposition wins the vote, it could ask the court to annul the decree.",
        "In the film, a rogue colonel bombs the capital and declares himself president.",
        "The treaty, signed in 1994, limits the number of troops either side may station near the frontier.",
    ]:
        assert model.probability(other) < reported, other


def test_the_gate_drops_event_verbs_in_everyday_sentences(engine: RuleEngine) -> None:
    # each of these names a country and uses an event verb, so the participant rules alone keep it
    for text in [
        "The Italian chef rejected the idea that pasta should ever be rinsed after cooking.",
        "The Japanese carmaker offered buyers five years of free servicing with every new hybrid.",
        "Brazil's coach demanded more pace from his midfield after the goalless draw.",
        "The German novelist praised the translator for keeping the humour of the original.",
        TRANSFER,
    ]:
        assert extract(engine, text) == [], text


def test_the_gate_keeps_reported_events(engine: RuleEngine) -> None:
    assert "assault" in [e.event_type for e in extract(engine, EVENTS[0])]
    assert "consult" in [e.event_type for e in extract(engine, EVENTS[2])]
    assert "coerce" in [e.event_type for e in extract(engine, EVENTS[5])]


def test_a_bad_weights_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be read"):
        RelevanceModel.load(tmp_path / "none.npz")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, weights=np.zeros(10, dtype=np.float32), bias=np.float64(0.0))
    with pytest.raises(ValueError, match=f"expected {BUCKETS} weights"):
        RelevanceModel.load(wrong)
    nan = tmp_path / "nan.npz"
    np.savez(nan, weights=np.full(BUCKETS, np.nan, dtype=np.float32), bias=np.float64(0.0))
    with pytest.raises(ValueError, match="not all finite"):
        RelevanceModel.load(nan)


def test_the_training_sentences_come_from_the_declared_sources() -> None:
    rows = read_sentences()
    sources = {re.sub(r":.*", "", source) for _, source, _ in rows}
    assert sources == {"ngec-synthetic", "ngec-headline", "voa", "gum", "wikitext", "hand"}
    assert sum(label for label, _, _ in rows) > 15_000
    assert sum(1 - label for label, _, _ in rows) > 5_000
    assert all(s.startswith("voa:") or not s.startswith("voa") for _, s, _ in rows)
    hand = [line for line in HANDWRITTEN_PATH.read_text("utf-8").splitlines() if line and line[0] != "#"]
    assert len([r for r in rows if r[1] == "hand"]) == len(set(hand))


def _evaluation_sentences() -> set[str]:
    texts = [p.read_text("utf-8") for p in sorted((SHARED / "corpus").rglob("*.txt"))]
    naeb = SHARED / "benchmarks" / "html" / "article-extraction-dataset" / "articles.json"
    texts += [str(a.get("articleBody") or "") for a in json.loads(naeb.read_text("utf-8")).values()]
    return {s.lower() for text in texts for s in split_sentences(text) if len(s.split()) >= 6}


def test_no_evaluation_or_test_sentence_is_trained_on() -> None:
    trained = {s.lower() for _, _, s in read_sentences()}
    assert len(_evaluation_sentences()) > 1_000
    assert not trained & _evaluation_sentences()
    assert not trained & {s.lower() for s in [*EVENTS, *NON_EVENTS, TRANSFER]}


def test_the_shipped_weights_are_what_the_build_script_makes() -> None:
    weights, bias = train(read_sentences())
    with np.load(WEIGHTS_PATH) as shipped:
        assert shipped["weights"].dtype == np.float32
        np.testing.assert_allclose(weights, shipped["weights"], atol=1e-4)
        assert abs(bias - float(shipped["bias"])) < 1e-4
