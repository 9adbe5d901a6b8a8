"""`newswire incidents FILE...`: extract every file, merge the events across all of them, print incidents.

A `Published: 2025-04-13T08:40Z | Outlet: NAME` line near the top of a file gives its publication time
and its outlet (the source counted in `num_sources`). Articles are resolved in publication order, as
they would arrive live. One JSON line per incident: the full incident, with each mention's `source`
being the path as given (what scorers read) and its outlet under `outlet`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from schemas import Article, Incident
from services.documents import DocumentError, load_document
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Resolver
from services.runtime.settings import Settings

DATELINE = re.compile(
    r"^\s*Published:\s*(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d)(?::\d\d)?)?\s*Z?\s*(?:\|\s*Outlet:\s*(.+?))?\s*$",
    re.MULTILINE,
)
HEAD_CHARS = 600  # the dateline sits under the headline


@dataclass(frozen=True)
class Dateline:
    published_at: datetime
    outlet: str | None


def read_dateline(text: str) -> Dateline | None:
    m = DATELINE.search(text[:HEAD_CHARS])
    if m is None:
        return None
    stamp = f"{m.group(1)}T{m.group(2) or '00:00'}"
    return Dateline(datetime.strptime(stamp, "%Y-%m-%dT%H:%M").replace(tzinfo=UTC), m.group(3))


def load_with_dateline(path: str) -> Article:
    article = load_document(path)
    line = read_dateline(article.text)
    if line is None:
        return article
    update: dict[str, Any] = {"published_at": article.published_at or line.published_at}
    if line.outlet:
        update["source"] = line.outlet
    return article.model_copy(update=update)


def contract_line(incident: Incident, path_of: dict[str, str]) -> dict[str, Any]:
    data = incident.model_dump(mode="json", exclude={"mentions"})
    data["mentions"] = [
        {**m.model_dump(mode="json"), "source": path_of.get(m.article_id, m.source), "outlet": m.source}
        for m in incident.mentions
    ]
    data["quantities"] = [
        {"kind": f.kind, "value": f.value, "low": f.low, "high": f.high, "claimant": f.claimant,
         "claims": [c.model_dump(mode="json") for c in f.claims]}
        for f in incident.quantities
    ]  # fmt: skip
    data["time"] = {**(data.get("time") or {}), "date": incident.date}
    return data


def run(paths: Sequence[str], engine_name: str, settings: Settings) -> tuple[list[dict[str, Any]], list[str]]:
    """The contract lines for the files, and an error per file that could not be read."""
    from services.extractor.engine import get_engine

    engine = get_engine(engine_name)
    articles: list[Article] = []
    errors: list[str] = []
    path_of: dict[str, str] = {}
    for path in paths:
        try:
            article = load_with_dateline(path)
        except DocumentError as exc:
            errors.append(str(exc))
            continue
        articles.append(article)
        path_of[article.article_id] = path
    far_future = datetime.max.replace(tzinfo=UTC)
    articles.sort(key=lambda a: a.published_at or far_future)  # stable: files without a date keep their order
    resolver = Resolver(MatchConfig.from_settings(settings), settings.incident_match_mentions)
    order: list[str] = []
    for article in articles:
        for event in engine.extract(article):
            incident = resolver.add(event)
            if incident is not None and incident.incident_id not in order:
                order.append(incident.incident_id)
    return [contract_line(resolver.incidents[i], path_of) for i in order], errors


def print_incidents(paths: Sequence[str], engine_name: str, settings: Settings) -> int:
    import sys

    lines, errors = run(paths, engine_name, settings)
    for err in errors:
        print(f"newswire incidents: {err}", file=sys.stderr)
    for line in lines:
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 1 if errors and len(errors) == len(paths) else 0
