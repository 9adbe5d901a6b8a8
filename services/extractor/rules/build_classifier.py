"""Rebuild the relevance classifier's weights (data/relevance_weights.npz) from openly licensed text.

    .venv/bin/python -m services.extractor.rules.build_classifier positives --ngec-zip PATH
    .venv/bin/python -m services.extractor.rules.build_classifier train [--shared ../shared]

Needs scikit-learn (a dev dependency); the extractor itself reads the weights with numpy only.

- Positives: sentences that report a political event, in data/relevance_positives.tsv.gz (type and
  sentence). `positives` makes it from NGEC-2025's synthetic stories
  (ahalterman/NGEC-2025 setup/train_classifiers/gpt_synthetic_events_2023-10-19_19.csv.zip, MIT): the
  first four sentences of each of the 4,500 stories, which tell the story's event (16 PLOVER types).
- Negatives: sentences of general web and news pages from the two cleaning benchmarks in
  ../shared/benchmarks/html that are not used to score events: the Zyte article-extraction benchmark
  (181 pages, MIT repo) and the Fundus evaluation set and parser fixtures (MIT repo). Pages about
  politics, conflict or crime are left out (by their URL section, or by the share of political words in
  the body), so what remains is sport, business, technology, science, health, culture and lifestyle.
  They are read from ../shared at build time and never copied into the product: only the weights are.
- Never used: the seed articles, the wide set, the incidents set, the NAEB bodies
  (article-extraction-dataset, the general-news test) and the PLOVER gold (the type test).

The model is scikit-learn's LogisticRegression (liblinear, L2, C below) on the hashed n-grams of
sentence_classifier.features; the same inputs give the same weights.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from services.extractor.rules.sentence_classifier import BUCKETS, WEIGHTS_PATH, features, words

POSITIVES_PATH = Path(__file__).with_name("data") / "relevance_positives.tsv.gz"
SYNTHETIC_CSV = "gpt_synthetic_events_2023-10-19_19.csv"
DEFAULT_SHARED = Path(__file__).resolve().parents[3].parent / "shared"
C = 1.0
_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9])")
# URL parts of sections about politics, conflict and crime, and of political outlets' news desks
_POLITICAL_URL = re.compile(
    r"politic|/world|international|/nation|us-news|/news/us|/news/uk|crime|police|court|legal|impeach"
    r"|protest|/war|military|election|government|opinion|commentisfree|fact-?check|polygraph|politifact"
    r"|truth-o-meter|democrats|latest-news|columnists|rt\.com|aljazeera|albawaba|panarmenian|intercept"
    r"|thenation|gatewaypundit|washingtontimes|nationalreview|washingtonexaminer|theparadigmng"
)
_POLITICAL_WORDS = frozenset(
    [
        "government",
        "minister",
        "president",
        "military",
        "troops",
        "army",
        "police",
        "protest",
        "protesters",
        "killed",
        "attack",
        "attacks",
        "election",
        "parliament",
        "senate",
        "congress",
        "rebels",
        "war",
        "sanctions",
        "ceasefire",
        "militants",
        "soldiers",
        "arrested",
        "opposition",
        "border",
        "refugees",
        "court",
        "judge",
        "prosecutors",
        "democrats",
        "republicans",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "and",
        "in",
        "is",
        "was",
        "for",
        "that",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "it",
        "are",
        "be",
        "this",
    ]
)


def sentences(text: str) -> Iterator[str]:
    for paragraph in re.split(r"\n\s*\n|\n", text):
        for sentence in _SPLIT.split(paragraph.strip()):
            if 6 <= len(sentence.split()) <= 80:
                yield sentence


def _english(text: str) -> bool:
    tokens = words(text)
    return bool(tokens) and sum(t in _ENGLISH for t in tokens) / len(tokens) >= 0.12


def _political_body(text: str) -> bool:
    tokens = words(text)
    return sum(t in _POLITICAL_WORDS for t in tokens) * 1000 > 4 * max(1, len(tokens))


def synthetic_positives(ngec_zip: Path) -> list[tuple[str, str]]:
    """(type, sentence): the first four sentences of each synthetic story."""
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(ngec_zip) as archive, archive.open(SYNTHETIC_CSV) as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    out: list[tuple[str, str]] = []
    for row in rows:
        if "{" in row["text"]:
            continue
        for sentence in list(sentences(row["text"]))[:4]:
            out.append((row["label"].lower(), " ".join(sentence.split())))
    return out


def write_positives(rows: list[tuple[str, str]], path: Path = POSITIVES_PATH) -> None:
    header = "# type\tsentence  (NGEC-2025 synthetic stories, MIT, (c) Andrew Halterman)\n"
    body = "".join(f"{t}\t{s}\n" for t, s in rows)
    path.write_bytes(gzip.compress((header + body).encode("utf-8"), mtime=0))


def read_positives(path: Path = POSITIVES_PATH) -> list[tuple[str, str]]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    rows = [line.split("\t", 1) for line in lines if line and not line.startswith("#")]
    return [(t, s) for t, s in rows]


def _pages(shared: Path) -> Iterator[tuple[str, str]]:
    """(url, body) of the pages the negatives come from."""
    html = shared / "benchmarks" / "html"
    zyte = json.loads((html / "article-extraction-benchmark" / "ground-truth.json").read_text("utf-8"))
    for key in sorted(zyte):
        yield zyte[key]["url"], zyte[key]["articleBody"]
    fundus = json.loads((html / "fundus-evaluation" / "ground_truth.json").read_text("utf-8"))
    for key in sorted(fundus):
        yield fundus[key]["url"], "\n".join(fundus[key]["body"])
    manifest = json.loads((html / "fundus-parser-testdata" / "manifest.json").read_text("utf-8"))
    for key in sorted(manifest):
        entry = manifest[key]
        record = json.loads((html / "fundus-parser-testdata" / entry["ground_truth"]).read_text("utf-8"))
        body = record[entry["version_key"]].get("body") or {}
        parts = list(body.get("summary") or [])
        for section in body.get("sections") or []:
            parts += list(section.get("paragraphs") or [])
        yield entry["url"], "\n".join(parts)


def negatives(shared: Path) -> list[str]:
    out: list[str] = []
    for url, body in _pages(shared):
        if _POLITICAL_URL.search(url.lower()) or not _english(body) or _political_body(body):
            continue
        out += [" ".join(s.split()) for s in sentences(body)]
    return sorted(set(out))


def train(positives: list[tuple[str, str]], negative: list[str]) -> tuple[np.ndarray, float]:
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    texts = [s for _, s in positives] + negative
    labels = np.array([1] * len(positives) + [0] * len(negative))
    rows, cols = [], []
    for row, text in enumerate(texts):
        buckets = features(text)
        rows += [row] * len(buckets)
        cols += buckets
    x = csr_matrix((np.ones(len(cols), dtype=np.float64), (rows, cols)), shape=(len(texts), BUCKETS))
    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced", max_iter=1000)
    model.fit(x, labels)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def build(shared: Path) -> tuple[np.ndarray, float]:
    return train(read_positives(), negatives(shared))


def save(weights: np.ndarray, bias: float, path: Path = WEIGHTS_PATH) -> None:
    with path.open("wb") as out:
        np.savez_compressed(out, weights=weights, bias=np.float64(bias))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    pos = sub.add_parser("positives", help="write data/relevance_positives.tsv.gz from the NGEC zip")
    pos.add_argument("--ngec-zip", type=Path, required=True)
    tr = sub.add_parser("train", help="write data/relevance_weights.npz")
    tr.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args()
    if args.command == "positives":
        rows = synthetic_positives(args.ngec_zip)
        write_positives(rows)
        print(f"{len(rows)} positive sentences -> {POSITIVES_PATH}")
        return
    negative = negatives(args.shared)
    weights, bias = train(read_positives(), negative)
    save(weights, bias)
    print(f"{len(read_positives())} positives, {len(negative)} negatives -> {WEIGHTS_PATH}")


if __name__ == "__main__":
    main()
