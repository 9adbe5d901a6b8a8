"""A parsed sentence's token data as plain Python lists, read once per Doc.

spaCy builds a new Token object on every `for t in doc`, `doc[i]`, `.head` and `.children` and looks
its strings up again on every `.lower_` or `.dep_`; the hot rules (coarse tags, triggers, counts) read
these lists instead. `token_table(doc)` builds them with one `Doc.to_array` call and keeps them in
`doc.user_data`, so every rule reading the same sentence shares them. The strings behind the hashes
come from a process-wide cache (a dict lookup instead of a StringStore decode per token and column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy
from spacy.attrs import DEP, HEAD, LIKE_NUM, LOWER, ORTH, POS, SENT_START, SPACY, TAG
from spacy.tokens import Doc, Span, Token

_KEY = "newswire.tokens"
_TEXT_KEY = "newswire.text"  # the Doc's text: spaCy's tokens keep it exactly, so the engine sets it
_MAX_CACHED_STRINGS = 500_000  # a few tens of MiB at most; emptied when full
_STRINGS: dict[int, str] = {}


@dataclass(frozen=True)
class TokenTable:
    """Per token i: its text, lower-case form, fine tag, dependency label, head index, children
    (in document order, as `Token.children`), whether it looks like a number, starts a sentence and is
    followed by a space,
    its coarse tag (as the Doc had it; postags.set_coarse_pos keeps the two in step) and its base form
    (`lemma`, filled in on first use by triggers.lemmas).
    """

    text: list[str]
    lower: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]
    children: list[list[int]]
    like_num: list[bool]
    sent_start: list[bool]
    pos: list[str]
    lemma: list[str]
    space: list[bool]

    def __len__(self) -> int:
        return len(self.text)


def _strings(doc: Doc, hashes: list[int]) -> list[str]:
    """The strings of `hashes` (as `doc.vocab.strings[h]`), through the cache."""
    found = list(map(_STRINGS.get, hashes))
    if None not in found:
        return found  # type: ignore[return-value]
    if len(_STRINGS) > _MAX_CACHED_STRINGS:
        _STRINGS.clear()
    strings = doc.vocab.strings
    out: list[str] = []
    for h, s in zip(hashes, found, strict=True):
        if s is None:
            s = _STRINGS[h] = strings[h]
        out.append(s)
    return out


def token_table(doc: Doc) -> TokenTable:
    """The token table of a parsed Doc (built on first use)."""
    table = doc.user_data.get(_KEY)
    if isinstance(table, TokenTable):
        return table
    array = doc.to_array([ORTH, LOWER, TAG, DEP, HEAD, LIKE_NUM, SENT_START, POS, SPACY])
    columns = array.T.tolist()
    n = len(doc)
    # HEAD is the head's offset from the token, stored as an unsigned 64-bit integer
    head: list[int] = (array[:, 4].view(numpy.int64) + numpy.arange(n, dtype=numpy.int64)).tolist()
    children: list[list[int]] = [[] for _ in range(n)]
    for i, h in enumerate(head):
        if h != i:
            children[h].append(i)
    words = _strings(doc, columns[0] + columns[1] + columns[2] + columns[3] + columns[7])
    table = TokenTable(
        text=words[:n],
        lower=words[n : 2 * n],
        tag=words[2 * n : 3 * n],
        dep=words[3 * n : 4 * n],
        head=head,
        children=children,
        like_num=list(map(bool, columns[5])),
        sent_start=[v == 1 for v in columns[6]],
        pos=words[4 * n :],
        lemma=[],
        space=list(map(bool, columns[8])),
    )
    doc.user_data[_KEY] = table
    return table


def subtree_indices(token: Token) -> set[int]:
    """`{t.i for t in token.subtree}` from the sentence's table (the token and all its descendants)."""
    children = token_table(token.doc).children
    found = {token.i}
    stack = [token.i]
    while stack:
        for child in children[stack.pop()]:
            found.add(child)
            stack.append(child)
    return found


def span_text(table: TokenTable, start: int, end: int) -> str:
    """The text of tokens [start, end), as `doc[start:end].text`."""
    words, spaces = table.text[start:end], table.space[start:end]
    text = "".join(w + " " if s else w for w, s in zip(words, spaces, strict=True))
    return text[:-1] if end > start and table.space[end - 1] else text


def sentence_text(doc: Doc | Span) -> str:
    """`doc.text`, built once per Doc (spaCy joins its tokens again on every read, about 6 us)."""
    if not isinstance(doc, Doc):
        return doc.text
    cached = doc.user_data.get(_TEXT_KEY)
    if not isinstance(cached, str):
        cached = doc.user_data[_TEXT_KEY] = doc.text
    return cached


def keep_sentence_text(doc: Doc, text: str) -> None:
    """Give `sentence_text` the text the Doc was parsed from (spaCy keeps it exactly)."""
    doc.user_data[_TEXT_KEY] = text


def doc_text(table: TokenTable) -> str:
    """The sentence's text, as `Doc.text`."""
    return "".join(w + " " if s else w for w, s in zip(table.text, table.space, strict=True))


def install_sentence_hook(doc: Doc, table: TokenTable) -> None:
    """Make `Token.sent` a list lookup: spaCy's own scans the whole Doc (`has_annotation`) on every call.

    The span returned is the one spaCy computes: from the nearest sentence start at or before the
    token to the next sentence start after it.
    """
    n = len(table)
    first = [0] * n
    after = [n] * n
    start = 0
    for i in range(n):
        if table.sent_start[i]:
            start = i
        first[i] = start
    end = n
    for i in range(n - 1, -1, -1):
        after[i] = end
        if table.sent_start[i]:
            end = i
    doc.user_token_hooks["sent"] = lambda token: token.doc[first[token.i] : after[token.i]]
