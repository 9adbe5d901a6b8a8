"""clean_html on real benchmark pages (quality against trafilatura defaults, metadata) and on small pages."""

from __future__ import annotations

import gzip
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import trafilatura

from services.ingest.boilerplate import is_boilerplate
from services.ingest.cleaning import clean_html, detect_language

SHARED = Path(__file__).parents[2].parent / "shared"
FUNDUS = SHARED / "benchmarks" / "html" / "fundus-evaluation"
needs_shared = pytest.mark.skipif(not FUNDUS.is_dir(), reason=f"shared HTML benchmark not found at {FUNDUS}")

BODY = " ".join(f"Sentence {i} of the council's report on the flooding of the valley." for i in range(8))


def page(body: str, head: str = "", lang: str = ' lang="en"') -> str:
    return (
        f"<!DOCTYPE html><html{lang}><head><title>Floods hit the valley</title>{head}</head><body>"
        f"<article><h1>Floods hit the valley</h1>{body}</article><footer>Contact</footer></body></html>"
    )


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_cleaning", SHARED / "eval" / "score_cleaning.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_shared
# the shared scorer (../shared/eval/score_cleaning.py, not ours to change) leaves its ground-truth files open
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_beats_trafilatura_defaults_on_real_pages() -> None:
    scorer = _scorer()
    truth = dict(list(scorer.load_set("fundus").items())[:40])
    ours, theirs = {}, {}
    for path in truth:
        html = gzip.decompress(Path(path).read_bytes())
        cleaned = clean_html(html)
        ours[path] = cleaned.text if cleaned else ""
        theirs[path] = trafilatura.extract(html.decode("utf-8", errors="replace")) or ""
    ours_f1, theirs_f1 = scorer.score(truth, ours)["f1"], scorer.score(truth, theirs)["f1"]
    assert ours_f1 > theirs_f1 and ours_f1 > 0.94, (ours_f1, theirs_f1)


@needs_shared
def test_metadata_of_a_real_page() -> None:
    now = datetime(2024, 6, 1, tzinfo=UTC)
    cleaned = clean_html(gzip.decompress((FUNDUS / "html" / "APNews_0.html.gz").read_bytes()), now=now)
    assert cleaned is not None
    truth = json.loads((FUNDUS / "ground_truth.json").read_text(encoding="utf-8"))["APNews_0.html.gz"]
    assert truth["body"][0][:60] in cleaned.text
    assert cleaned.title and cleaned.title.startswith("Israel’s intelligence agency did not label")
    assert cleaned.authors == ["MELISSA GOLDIN"]
    assert cleaned.published_at == datetime(2024, 2, 26, 21, 10, 43, 555000, tzinfo=UTC)
    assert (cleaned.sitename, cleaned.language, cleaned.language_detected) == ("AP News", "en", False)
    assert cleaned.canonical_url and cleaned.canonical_url.startswith(
        "https://apnews.com/article/fact-check-"
    )
    assert cleaned.image and cleaned.image.startswith("https://")


@needs_shared
def test_publication_date_is_never_after_now() -> None:
    html = gzip.decompress((FUNDUS / "html" / "APNews_0.html.gz").read_bytes())
    now = datetime(2024, 2, 1, tzinfo=UTC)  # the page was published on 2024-02-26
    before = clean_html(html, now=now)
    assert before is not None and (before.published_at is None or before.published_at <= now)
    future = '<meta property="article:published_time" content="2999-01-01T10:00:00+00:00">'
    cleaned = clean_html(page(f"<p>{BODY}</p>", future), now=datetime(2024, 1, 1, tzinfo=UTC))
    assert cleaned is not None and cleaned.published_at is None


def test_page_without_date_is_kept_and_exact_time_is_timezone_aware() -> None:
    undated = clean_html(page(f"<p>{BODY}</p>"))
    assert undated is not None and undated.published_at is None and "Sentence 7" in undated.text
    stamp = '<meta property="article:published_time" content="2023-05-04T08:30:00+02:00">'
    dated = clean_html(page(f"<p>{BODY}</p>", stamp))
    assert dated is not None and dated.published_at == datetime(2023, 5, 4, 6, 30, tzinfo=UTC)
    assert dated.published_at.tzinfo is not None


def test_repeated_paragraph_is_kept_once() -> None:
    repeated = "The bridge will stay closed until engineers have inspected every pillar of it."
    cleaned = clean_html(page(f"<p>{BODY}</p><p>{repeated}</p><p>{BODY[:200]}.</p><p>{repeated}</p>"))
    assert cleaned is not None and cleaned.text.count(repeated) == 1


def test_boilerplate_lines_are_removed_and_content_kept() -> None:
    furniture = [
        "Advertisement",
        "Sign up for our newsletter",
        "Share this article",
        "Read more: Ten things to know about the floods",
        "Photo: John Smith/Getty Images",
        "Subscribe to our daily briefing and get the news delivered to your inbox.",
        "Jane Doe is a senior reporter covering climate for the Daily Example.",
    ]
    body = "".join(f"<p>{line}</p>" for line in [BODY, *furniture, "The council meets again on Monday."])
    cleaned = clean_html(page(body))
    assert cleaned is not None
    for line in furniture:
        assert line not in cleaned.text
    assert "The council meets again on Monday." in cleaned.text and "Sentence 0" in cleaned.text


@pytest.mark.parametrize(
    "line",
    [
        "The newsletter industry grew by 30 per cent last year, according to the report,"
        " as readers paid more."
        " Analysts expect subscriptions to keep rising.",
        "Read the statement in full below.",
        "More than 100 people were evacuated.",
        "Share prices fell by 3 per cent on Monday.",
        "Evan Gershkovich is a reporter for The Wall Street Journal who was detained in Russia in March.",
    ],
)
def test_content_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_canonical_url_and_declared_or_detected_language() -> None:
    head = '<link rel="canonical" href="/news/floods-2023"><meta property="og:url" content="https://other.org/x">'
    cleaned = clean_html(page(f"<p>{BODY}</p>", head), "https://www.example.org/amp/floods")
    assert cleaned is not None and cleaned.canonical_url == "https://www.example.org/news/floods-2023"
    og_only = clean_html(page(f"<p>{BODY}</p>", '<meta property="og:url" content="https://e.org/a">'))
    assert og_only is not None and og_only.canonical_url == "https://e.org/a"
    german = " ".join(
        "Der Bericht des Rates über die Überschwemmung ist noch nicht fertig und wird erst"
        " im Herbst vorgelegt."
        for _ in range(6)
    )
    detected = clean_html(page(f"<p>{german}</p>", lang=""))
    assert detected is not None and (detected.language, detected.language_detected) == ("de", True)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Le gouvernement a annoncé que les élections auront lieu dans un mois"
            " et que la campagne est ouverte.",
            "fr",
        ),
        (
            "El gobierno anunció que las elecciones serán en un mes"
            " y que la campaña ya está abierta para todos.",
            "es",
        ),
        (
            "Il governo ha annunciato che le elezioni si terranno tra un mese e che la campagna è aperta.",
            "it",
        ),
        (
            "O governo anunciou que as eleições serão daqui a um mês"
            " e que a campanha já está aberta para todos.",
            "pt",
        ),
        ("Правительство объявило, что выборы пройдут через месяц.", "ru"),
        ("政府宣布选举将在一个月后举行。", "zh"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_no_main_text_gives_none() -> None:
    assert clean_html("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None
    assert clean_html(b"") is None
