"""Rebuild the relevance classifier (relevance_model.py): its training sentences and its weights.

    .venv/bin/python -m services.extractor.rules.build_relevance train
    .venv/bin/python -m services.extractor.rules.build_relevance corpus --ngec-zip ZIP --voa-batches DIR \
        --gum DIR --wikitext DIR

`train` reads `data/relevance_sentences.tsv.gz` and writes `data/relevance_weights.npz`; it needs numpy
only and is deterministic (full-batch training, fixed steps), so the same sentences give the same weights
(`tests/extractor/test_relevance_model.py` checks it). `corpus` remakes the sentence file from the sources
below; nothing else is read, and nothing that any of the project's scorers uses.

Sources (each line of the sentence file names its source; licences as their repositories state them):
- positives, `ngec-synthetic`: the first four sentences of each of NGEC-2025's 4,500 synthetic news stories
  (ahalterman/NGEC-2025 setup/train_classifiers/gpt_synthetic_events_2023-10-19_19.csv.zip, MIT, (c)
  Andrew Halterman), which tell the story's event (16 PLOVER types); `ngec-headline`: each story's headline,
  as filled in at the start of its prompt ("Over Half of Haiti Teachers Now Out on Wildcat Strike").
- positives, `voa:<batch file>`: quotes that NGEC-2025's LLM verification judged to carry an event (label 1)
  in its batch files setup/train_classifiers/codebook_llm/data/batches/{verify,holdout_verify}/*.json (MIT
  repository; the quotes are Voice of America text, US-government work in the public domain).
- negatives, `gum:<doc>`: sentences of GUM documents in UD_English-GUM (not-to-release/sources) of the
  genres its README gives an attribution licence: Wikivoyage travel guides (CC BY-SA), OpenStax textbooks
  (CC BY), Creative Commons vlogs, Santa Barbara Corpus conversations (CC BY), and Wikinews news and
  interviews and Wikipedia biographies (CC BY 2.5 / CC BY-SA) that are not about politics, conflict or
  crime (a share of political words below `POLITICAL_SHARE`). Only the texts are taken, under their
  sources' licences (GUM's own annotations are CC BY-NC-SA and are not used); GUM's wikiHow and fiction
  texts (CC BY-NC-SA) and its other genres are not used.
- negatives, `wikitext:<article>`: sentences of the Wikipedia articles of WikiText-2's validation and test
  files (Salesforce, from Wikipedia, CC BY-SA 3.0; copy in pytorch/examples word_language_model/data/
  wikitext-2), songs, films, sport seasons, roads, species, storms, people, untokenized; articles about
  politics, conflict or crime are left out (same test) and sentences with an unknown-word mark.
- negatives, `hand`: `data/relevance_handwritten.txt`, sentences written for this project (sport, culture,
  business, products, advice, forecasts, plots, figurative uses), none taken from an evaluation text.
Not used: the English Web Treebank's texts (UD_English-EWT licenses its annotations under CC BY-SA, but its
texts are of the LDC collection, in part (c) Google, Yahoo and others).
Never used: the seed, wide and incidents sets, the NAEB bodies and other pages under benchmarks/ (the
general-news test), the PLOVER gold (the type test).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from services.extractor.rules.relevance_model import BUCKETS, WEIGHTS_PATH, features, words

SENTENCES_PATH = Path(__file__).with_name("data") / "relevance_sentences.tsv.gz"
HANDWRITTEN_PATH = Path(__file__).with_name("data") / "relevance_handwritten.txt"
SYNTHETIC_CSV = "gpt_synthetic_events_2023-10-19_19.csv"
# training: L2 strength, Adam steps and rate; a real VOA report counts as much as SOURCE_WEIGHT["voa"]
# synthetic ones, and a hand-written sentence (written for the gaps of the other sources: sport, business
# and culture news) as much as SOURCE_WEIGHT["hand"] corpus sentences
L2 = 1e-4
STEPS = 300
RATE = 0.05
SOURCE_WEIGHT = {"voa": 4.0, "hand": 4.0}
POLITICAL_SHARE = 0.004
GUM_GENRES = ("voyage", "textbook", "vlog", "conversation", "news", "interview", "bio")
FILTERED = frozenset({"news", "interview", "bio"})
_PROMPT_SOURCE = re.compile(r"\s+\([^()]*\)\s*--")
_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9])")
_POLITICAL_WORDS = frozenset(
    {
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
        "iraq",
        "iraqi",
        "terrorist",
        "terrorists",
        "bomb",
        "bombing",
        "forces",
        "officials",
    }
)
HEADER = (
    "# label\tsource\tsentence. Sources and licences: build_relevance.py. ngec-synthetic, ngec-headline:"
    " NGEC-2025 synthetic stories, MIT, (c) Andrew Halterman; voa: Voice of America quotes from NGEC-2025's"
    " batch files, public domain; gum: texts of the GUM corpus (UD_English-GUM) from Wikinews (CC BY 2.5),"
    " Wikivoyage and Wikipedia (CC BY-SA), OpenStax (CC BY), Creative Commons vlogs and the Santa Barbara"
    " Corpus (CC BY); wikitext: WikiText-2 (Wikipedia), CC BY-SA 3.0; hand: written for this project"
    " (data/relevance_handwritten.txt). Lines taken from CC BY-SA texts are redistributed under that"
    " licence.\n"
)


def _clean(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def _fits(sentence: str) -> bool:
    return 5 <= len(sentence.split()) <= 80 and "{" not in sentence


def split_sentences(text: str) -> Iterator[str]:
    for paragraph in re.split(r"\n", text):
        yield from (_clean(s) for s in _SPLIT.split(paragraph.strip()) if s.strip())


def political(sentences: Iterable[str]) -> bool:
    """Whether a document is about politics, conflict or crime, by the share of such words."""
    tokens = [t for s in sentences for t in words(s)]
    return sum(t in _POLITICAL_WORDS for t in tokens) > POLITICAL_SHARE * max(1, len(tokens))


def synthetic_positives(ngec_zip: Path) -> list[tuple[int, str, str]]:
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(ngec_zip) as archive, archive.open(SYNTHETIC_CSV) as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    out = []
    for row in rows:
        if "{" in row["text"]:
            continue
        out += [(1, "ngec-synthetic", s) for s in list(split_sentences(row["text"]))[:4] if _fits(s)]
        headline = _clean(_PROMPT_SOURCE.split(row["prompt"], 1)[0])
        if 3 <= len(headline.split()) <= 30 and "{" not in headline:
            out.append((1, "ngec-headline", headline))
    return out


def voa_positives(batches: Path) -> list[tuple[int, str, str]]:
    """The label-1 quotes of the verification batch files (their directory or any directory above)."""
    out = []
    for path in sorted(batches.rglob("*verify_*.json")):
        for record in json.loads(path.read_text("utf-8")):
            quote = _clean(record.get("quote") or "")
            if record.get("label") == 1 and _fits(quote):
                out.append((1, f"voa:{path.name}", quote))
    return out


def conllu_documents(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(document id, its sentences) of a CoNLL-U file, from its `newdoc id` and `text` comments."""
    doc, sentences = path.stem, list[str]()
    for line in path.read_text("utf-8").splitlines():
        if line.startswith("# newdoc id = "):
            if sentences:
                yield doc, sentences
            doc, sentences = line.removeprefix("# newdoc id = ").strip(), []
        elif line.startswith("# text = "):
            sentences.append(_clean(line.removeprefix("# text = ")))
    if sentences:
        yield doc, sentences


def _negatives(
    docs: Iterable[tuple[str, list[str]]], genre_of: dict[str, str], tag: str
) -> list[tuple[int, str, str]]:
    out = []
    for doc, sentences in docs:
        genre = genre_of.get(doc, "")
        if not genre or (genre in FILTERED and political(sentences)):
            continue
        out += [(0, f"{tag}:{doc}", s) for s in sentences if _fits(s)]
    return out


def gum_negatives(gum: Path) -> list[tuple[int, str, str]]:
    docs = [d for path in sorted(gum.glob("GUM_*.conllu")) for d in conllu_documents(path)]
    genre_of = {doc: doc.split("_")[1] for doc, _ in docs if doc.split("_")[1] in GUM_GENRES}
    return _negatives(docs, genre_of, "gum")


def handwritten(path: Path = HANDWRITTEN_PATH) -> list[tuple[int, str, str]]:
    out = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, _, text = line.rpartition("\t")
            out.append((int(label or 0), "hand", _clean(text)))
    return out


def _untokenize(text: str) -> str:
    for token, glued in ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", "."), (" 's", "'s"), (" n't", "n't")):
        text = text.replace(token, glued)
    return _clean(re.sub(r" ([,.;:!?)])|([($]) ", r"\1\2", text))


def wikitext_documents(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(article title, its sentences) of a WikiText file: ` = Title = ` lines open articles."""
    title, sentences = "", list[str]()
    for line in path.read_text("utf-8").splitlines():
        heading = re.fullmatch(r" = ([^=].*) = ", line)
        if heading:
            if sentences:
                yield title, sentences
            title, sentences = _untokenize(heading.group(1)).replace(" ", "_"), []
        elif line.strip() and not line.startswith(" = "):
            sentences += [_untokenize(s) for s in re.split(r"(?<= [.!?]) (?=[A-Z])", line.strip())]
    if sentences:
        yield title, sentences


def wikitext_negatives(wikitext: Path) -> list[tuple[int, str, str]]:
    docs = [d for name in ("valid", "test") for d in wikitext_documents(wikitext / f"{name}.txt")]
    out = _negatives(docs, {title: "news" for title, _ in docs}, "wikitext")
    return [row for row in out if "<unk>" not in row[2]]


def write_sentences(rows: list[tuple[int, str, str]], path: Path = SENTENCES_PATH) -> None:
    unique = sorted({(label, source, s) for label, source, s in rows})
    body = "".join(f"{label}\t{source}\t{s}\n" for label, source, s in unique)
    path.write_bytes(gzip.compress((HEADER + body).encode("utf-8"), mtime=0))


def read_sentences(path: Path = SENTENCES_PATH) -> list[tuple[int, str, str]]:
    lines = gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
    rows = [line.split("\t", 2) for line in lines if line and not line.startswith("#")]
    return [(int(label), source, s) for label, source, s in rows]


def design(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The sparse binary design matrix as CSR row pointers and column indices."""
    buckets = [features(t) for t in texts]
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(b) for b in buckets])
    return indptr, np.fromiter((i for b in buckets for i in b), dtype=np.int64, count=int(indptr[-1]))


def train(rows: list[tuple[int, str, str]]) -> tuple[np.ndarray, float]:
    """L2 logistic regression, classes balanced, by full-batch Adam for STEPS steps from zero."""
    indptr, indices = design([s for _, _, s in rows])
    y = np.array([label for label, _, _ in rows], dtype=np.float64)
    weight = np.array([SOURCE_WEIGHT.get(src.split(":", 1)[0], 1.0) for _, src, _ in rows])
    for label in (0.0, 1.0):
        weight[y == label] *= 0.5 / weight[y == label].sum()
    lengths = np.diff(indptr)
    rows_of = np.repeat(np.arange(len(rows)), lengths)
    params = np.zeros(BUCKETS + 1)
    moment, second = np.zeros_like(params), np.zeros_like(params)
    for step in range(1, STEPS + 1):
        margin = np.bincount(rows_of, weights=params[indices], minlength=len(rows)) + params[-1]
        residual = weight * (1.0 / (1.0 + np.exp(-margin)) - y)
        grad = np.empty_like(params)
        grad[:-1] = np.bincount(indices, weights=residual[rows_of], minlength=BUCKETS) + L2 * params[:-1]
        grad[-1] = residual.sum()
        moment = 0.9 * moment + 0.1 * grad
        second = 0.999 * second + 0.001 * grad * grad
        params -= RATE * (moment / (1 - 0.9**step)) / (np.sqrt(second / (1 - 0.999**step)) + 1e-8)
    return params[:-1].astype(np.float32), float(params[-1])


def save(weights: np.ndarray, bias: float, path: Path = WEIGHTS_PATH) -> None:
    with path.open("wb") as out:
        np.savez_compressed(out, weights=weights, bias=np.float64(bias))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    corpus = sub.add_parser("corpus", help="remake data/relevance_sentences.tsv.gz from the sources")
    corpus.add_argument("--ngec-zip", type=Path, required=True)
    corpus.add_argument("--voa-batches", type=Path, required=True)
    corpus.add_argument("--gum", type=Path, required=True, help="UD_English-GUM's not-to-release/sources")
    corpus.add_argument("--wikitext", type=Path, required=True, help="with WikiText-2's valid.txt, test.txt")
    sub.add_parser("train", help="write data/relevance_weights.npz")
    args = parser.parse_args()
    if args.command == "corpus":
        rows = synthetic_positives(args.ngec_zip) + voa_positives(args.voa_batches)
        rows += gum_negatives(args.gum) + wikitext_negatives(args.wikitext)
        rows += handwritten()
        write_sentences(rows)
        print(f"{len(rows)} sentences -> {SENTENCES_PATH}")
        return
    rows = read_sentences()
    weights, bias = train(rows)
    save(weights, bias)
    print(f"{sum(r[0] for r in rows)} positives, {sum(1 - r[0] for r in rows)} negatives -> {WEIGHTS_PATH}")


if __name__ == "__main__":
    main()
