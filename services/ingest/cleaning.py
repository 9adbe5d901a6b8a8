"""Main text and metadata from an HTML page, with trafilatura.

`clean_html` is the one entry point: the ingest worker and `newswire clean` both call it, so the
settings measured by the cleaning benchmark are the settings the pipeline runs with. Trafilatura
extracts (favouring precision); `boilerplate.clean_lines` then drops furniture lines and repeated
paragraphs. Metadata the page declares in its head (canonical URL, language, exact publication
time) is read before extraction; an undeclared language is guessed from stop words and script.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document, use_config
from trafilatura.utils import load_html

from services.ingest.boilerplate import clean_lines

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
_STOPWORDS = Path(__file__).with_name("data") / "stopwords.json"

_CANONICAL = ".//link[contains(concat(' ', translate(@rel, 'CANONIL', 'canonil'), ' '), ' canonical ')]/@href"
_OG_URL = ".//meta[@property='og:url']/@content"
_LANG = (
    "/html/@lang | /html/@xml:lang | .//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')"
    "='content-language']/@content | .//meta[@property='og:locale']/@content"
)
_STAMP_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
)
_STAMPS = ".//meta[@property or @name or @itemprop]"
_JSONLD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{10,40})"')


@dataclass
class CleanedPage:
    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    sitename: str | None = None
    language: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    language_detected: bool = False  # True when `language` was guessed from the text, not declared


def clean_html(
    html: str | bytes, url: str | None = None, *, now: datetime | None = None
) -> CleanedPage | None:
    """The cleaned page, or None when no main text could be extracted."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    tree = load_html(html)
    if tree is None:
        return None
    canonical, declared_lang, stamps = _head_metadata(tree, url)
    params = {"original_date": True, "extensive_search": True, "max_date": now.strftime("%Y-%m-%d")}
    doc = _extract(tree, url, params, precise=True)
    text = _main_text(doc)
    if not text:  # precision mode kept only furniture (a paywall or reprint notice): take the default mode
        retry = load_html(html)
        doc = _extract(retry, url, params, precise=False) if retry is not None else None
        text = _main_text(doc)
    if doc is None or not text:
        return None
    language = declared_lang or detect_language(text)
    return CleanedPage(
        text=text,
        title=doc.title,
        authors=[a.strip() for a in (doc.author or "").split(";") if a.strip()],
        published_at=_published(doc.date, stamps, now),
        sitename=doc.sitename,
        language=language,
        image=doc.image,
        canonical_url=canonical,
        description=doc.description,
        language_detected=declared_lang is None and language is not None,
    )


def _extract(
    tree: HtmlElement, url: str | None, date_params: dict[str, Any], *, precise: bool
) -> Document | None:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=precise,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
        config=_CONFIG,
        date_extraction_params=date_params,
    )
    return doc if isinstance(doc, Document) else None


def _main_text(doc: Document | None) -> str:
    return "\n".join(clean_lines((doc.text or "").splitlines())).strip() if doc is not None else ""


def _head_metadata(tree: HtmlElement, url: str | None) -> tuple[str | None, str | None, list[datetime]]:
    """The declared canonical URL, language and publication timestamps, before extraction edits the tree."""
    canonical = None
    for href in [*tree.xpath(_CANONICAL), *tree.xpath(_OG_URL)]:
        absolute = urljoin(url, str(href).strip()) if url else str(href).strip()
        if urlsplit(absolute).scheme in ("http", "https") and urlsplit(absolute).netloc:
            canonical = absolute
            break
    language = None
    for value in tree.xpath(_LANG):
        code = re.split(r"[-_]", str(value).strip().lower())[0]
        if re.fullmatch(r"[a-z]{2,3}", code):
            language = code
            break
    raw = [
        str(m.get("content", ""))
        for m in tree.xpath(_STAMPS)
        if (m.get("property") or m.get("name") or m.get("itemprop") or "").lower() in _STAMP_KEYS
    ]
    raw += [str(v) for v in tree.xpath(".//time/@datetime")]
    for script in tree.xpath(".//script[@type='application/ld+json']/text()"):
        raw += _JSONLD_DATE.findall(str(script))
    stamps = []
    for value in raw:
        try:
            stamps.append(datetime.fromisoformat(value.strip().replace(" ", "T", 1)))
        except ValueError:
            continue
    return canonical, language, stamps


def _published(day: str | None, stamps: list[datetime], now: datetime) -> datetime | None:
    """Trafilatura's publication day, made exact by a declared timestamp of that day; never after `now`."""
    if not day:
        return None
    for stamp in stamps:
        if stamp.date().isoformat() == day[:10]:
            aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            if aware <= now:
                return aware
    try:
        midnight = datetime.fromisoformat(day[:10]).replace(tzinfo=UTC)
    except ValueError:
        return None
    return midnight if midnight <= now else None


@lru_cache(maxsize=1)
def _stopwords() -> dict[str, frozenset[str]]:
    data: dict[str, list[str]] = json.loads(_STOPWORDS.read_text(encoding="utf-8"))
    return {lang: frozenset(words) for lang, words in data.items()}


# Scripts that name their language (or its most likely one): (language, first char, last char).
_SCRIPTS = (
    ("ru", "\u0400", "\u04ff"),
    ("el", "\u0370", "\u03ff"),
    ("he", "\u0590", "\u05ff"),
    ("ar", "\u0600", "\u06ff"),
    ("hi", "\u0900", "\u097f"),
    ("th", "\u0e00", "\u0e7f"),
    ("ko", "\uac00", "\ud7af"),
    ("ja", "\u3040", "\u30ff"),
    ("zh", "\u4e00", "\u9fff"),
)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code guessed from the script, then from stop-word frequencies; None when unsure."""
    sample = text[:4000]
    letters = [c for c in sample if c.isalpha()]
    if not letters:
        return None
    scripts = Counter(lang for c in letters for lang, lo, hi in _SCRIPTS if lo <= c <= hi)
    if scripts and sum(scripts.values()) > len(letters) / 3:
        lang = "ja" if scripts["ja"] > len(letters) / 20 else scripts.most_common(1)[0][0]
        if lang == "ru" and re.search("[іїєґ]", sample.lower()):
            return "uk"
        if lang == "ar" and re.search("[ٹڈڑںے]", sample):
            return "ur"
        if lang == "ar" and re.search("[پچژگ]", sample):
            return "fa"
        return lang
    words = re.findall(r"\w+", sample.lower())
    scores = {lang: sum(w in stop for w in words) for lang, stop in _stopwords().items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if words and scores[best] >= max(3, len(words) // 20) else None
