"""Local files as articles, for the offline commands `newswire clean` and `newswire extract`."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

from schemas import Article, article_id_for, content_hash
from services.ingest.cleaning import clean_html
from services.runtime.errors import NewswireError


class DocumentError(NewswireError):
    """A file that cannot be read as an article, with the reason."""


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise DocumentError(f"{path}: not a valid gzip file ({exc})") from exc
    return data


def load_document(path_text: str, published_at: datetime | None = None) -> Article:
    """An article from a .txt, .html or .html.gz file; `source` is the path as given."""
    path = Path(path_text)
    if not path.is_file():
        raise DocumentError(f"{path_text}: no such file")
    data = read_bytes(path)
    uri = path.resolve().as_uri()
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".html", ".htm", ".xhtml")):
        page = clean_html(data, None)
        if page is None:
            raise DocumentError(f"{path_text}: no main text found")
        text, title = page.text, page.title
        published = published_at or page.published_at
        language, sitename, authors = page.language, page.sitename, page.authors
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        title, published, language, sitename, authors = None, published_at, None, None, []
    return Article(
        article_id=article_id_for(uri),
        url=uri,
        canonical_url=uri,
        title=title,
        text=text,
        published_at=published,
        language=language,
        sitename=sitename,
        source=path_text,
        authors=authors,
        fetched_at=datetime.now(UTC),
        content_hash=content_hash(text),
    )
