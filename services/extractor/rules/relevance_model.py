"""A learned sentence classifier: does this sentence report a political or social event at all?

A logistic regression over hashed word n-grams: lower-cased words (digits folded to 0), unigrams and
bigrams, each hashed with CRC-32 into 2**18 buckets, present or absent. The weights are a plain data file,
`data/relevance_weights.npz` (`weights` float32, `bias`), made by `build_relevance.py` from the openly
licensed sentences beside it (see that script and the README). Reading it needs numpy; scoring a sentence
needs only the standard library (tens of microseconds).
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from array import array
from functools import lru_cache
from pathlib import Path

import numpy as np

from services.extractor.rules.datadir import DEFAULT_DATA_DIR, data_dir

BUCKETS = 1 << 18
WEIGHTS_FILE = "relevance_weights.npz"
MEMO_SIZE = 10_000  # sentences whose probability is remembered (emptied when full)
WEIGHTS_PATH = DEFAULT_DATA_DIR / WEIGHTS_FILE  # the shipped weights
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_DIGIT = re.compile(r"[0-9]")


def words(text: str) -> list[str]:
    return [_DIGIT.sub("0", w) for w in _WORD.findall(text.lower().replace("’", "'"))]


def features(text: str) -> list[int]:
    """The hashed feature buckets of a sentence, each once, in ascending order."""
    tokens = words(text)
    grams = [f"w:{t}" for t in tokens] + [f"b:{a} {b}" for a, b in itertools.pairwise(tokens)]
    return sorted({zlib.crc32(g.encode("utf-8")) & (BUCKETS - 1) for g in grams})


class RelevanceModel:
    """P(the sentence reports a political or social event), from the shipped weights."""

    def __init__(self, weights: np.ndarray, bias: float) -> None:
        if weights.shape != (BUCKETS,):
            raise ValueError(f"relevance weights: expected {BUCKETS} weights, got shape {weights.shape}")
        if not np.isfinite(weights).all() or not math.isfinite(bias):
            raise ValueError("relevance weights: not all finite")
        self._weights = array("f", weights.astype(np.float32).tobytes())
        self.bias = bias
        self._seen: dict[str, float] = {}

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> RelevanceModel:
        try:
            with np.load(path) as data:
                weights, bias = data["weights"], float(data["bias"])
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"relevance weights {path}: cannot be read ({exc})") from exc
        return cls(weights, bias)

    def score(self, text: str) -> float:
        """The log-odds that the sentence reports an event."""
        weights = self._weights
        return self.bias + sum(weights[i] for i in features(text))

    def probability(self, text: str) -> float:
        """P(event report); remembered per text (an article's first sentences are read for its share
        of reports, and again when they hold a draft)."""
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > MEMO_SIZE:
                self._seen.clear()
            found = self._seen[text] = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.score(text)))))
        return found


def relevance_model() -> RelevanceModel:
    """The model of the active data directory (read once per directory)."""
    return read_relevance_model(data_dir())


@lru_cache(maxsize=8)
def read_relevance_model(folder: Path) -> RelevanceModel:
    return RelevanceModel.load(folder / WEIGHTS_FILE)
