"""Coarse (universal) part-of-speech tags from spaCy's fine tags, set in place of the attribute ruler.

spaCy's attribute ruler does this with a token Matcher and costs as much as the tagger; a table lookup
per token is enough for the rules, which only need NOUN/PROPN/VERB/AUX/ADJ/ADP/NUM/PUNCT and friends.
The tags are computed on the sentence's token table (tokens.py) and written to the Doc in one
`Doc.from_array` call.
"""

from __future__ import annotations

from typing import cast

import numpy
from spacy.attrs import POS
from spacy.parts_of_speech import IDS as POS_IDS
from spacy.tokens import Doc
from thinc.types import Ints2d

from services.extractor.rules.tokens import token_table

TAG_TO_POS = {
    "NN": "NOUN",
    "NNS": "NOUN",
    "NNP": "PROPN",
    "NNPS": "PROPN",
    "JJ": "ADJ",
    "JJR": "ADJ",
    "JJS": "ADJ",
    "AFX": "ADJ",
    "RB": "ADV",
    "RBR": "ADV",
    "RBS": "ADV",
    "WRB": "ADV",
    "IN": "ADP",
    "RP": "ADP",
    "DT": "DET",
    "PDT": "DET",
    "WDT": "DET",
    "PRP": "PRON",
    "PRP$": "PRON",
    "WP": "PRON",
    "WP$": "PRON",
    "EX": "PRON",
    "CD": "NUM",
    "CC": "CCONJ",
    "TO": "PART",
    "POS": "PART",
    "UH": "INTJ",
    "MD": "AUX",
    "SYM": "SYM",
    "HYPH": "PUNCT",
    "NFP": "PUNCT",
    ",": "PUNCT",
    ".": "PUNCT",
    ":": "PUNCT",
    "``": "PUNCT",
    "''": "PUNCT",
    "-LRB-": "PUNCT",
    "-RRB-": "PUNCT",
    "$": "SYM",
    "#": "SYM",
    "_SP": "SPACE",
    "FW": "X",
    "LS": "X",
    "XX": "X",
    "ADD": "X",
}
BE_FORMS = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "am", "'s", "'re", "'m", "’s", "’re"}
)
NEGATIONS = frozenset({"not", "n't"})
_READ_WORDS = BE_FORMS | NEGATIONS  # the only words whose form (not only tag and label) decides the tag
_COARSE: dict[tuple[str, str, str], tuple[str, int]] = {}  # (tag, dep, word or "") -> (tag, its id)


def coarse_pos(tag: str, dep: str, lower: str) -> str:
    if tag.startswith("VB"):
        return "AUX" if dep in {"aux", "auxpass"} or lower in BE_FORMS else "VERB"
    if tag == "IN" and dep == "mark":
        return "SCONJ"
    if lower in NEGATIONS:
        return "PART"
    return TAG_TO_POS.get(tag, "X")


def _coarse(tag: str, dep: str, lower: str) -> tuple[str, int]:
    """`coarse_pos` and its spaCy id, remembered per (tag, label, word when it matters): a closed set."""
    key = (tag, dep, lower if lower in _READ_WORDS else "")
    found = _COARSE.get(key)
    if found is None:
        pos = coarse_pos(*key)
        found = _COARSE[key] = (pos, POS_IDS[pos])
    return found


def set_coarse_pos(doc: Doc) -> Doc:
    table = token_table(doc)
    known, read = _COARSE.get, _READ_WORDS
    coarse = [
        known((tag, dep, low if low in read else "")) or _coarse(tag, dep, low)
        for tag, dep, low in zip(table.tag, table.dep, table.lower, strict=True)
    ]
    table.pos[:] = [pos for pos, _ in coarse]
    table.lemma.clear()  # base forms depend on the coarse tags
    if coarse:
        ids = numpy.array([i for _, i in coarse], dtype=numpy.uint64)
        doc.from_array([POS], cast(Ints2d, ids.reshape(-1, 1)))
    return doc
