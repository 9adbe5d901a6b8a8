"""Coarse (universal) part-of-speech tags from spaCy's fine tags, set in place of the attribute ruler.

spaCy's attribute ruler does this with a token Matcher and costs as much as the tagger; a table lookup
per token is enough for the rules, which only need NOUN/PROPN/VERB/AUX/ADJ/ADP/NUM/PUNCT and friends.
"""

from __future__ import annotations

from spacy.tokens import Doc

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


def set_coarse_pos(doc: Doc) -> Doc:
    for token in doc:
        tag = token.tag_
        if tag.startswith("VB"):
            pos = "AUX" if token.dep_ in {"aux", "auxpass"} or token.lower_ in BE_FORMS else "VERB"
        elif tag == "IN" and token.dep_ == "mark":
            pos = "SCONJ"
        elif token.lower_ in {"not", "n't"}:
            pos = "PART"
        else:
            pos = TAG_TO_POS.get(tag, "X")
        token.pos_ = pos
    return doc
