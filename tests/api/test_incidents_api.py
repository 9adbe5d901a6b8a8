"""GET /incidents and /incidents/{id} on real SQLite and PostgreSQL: incidents resolved from events the
way the incident worker does (services/incidents/db.py), then filtered, paged and exported."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pyarrow.parquet as pq
import pytest
from pydantic import SecretStr

from schemas import Event, Incident
from services.incidents import db as incident_db
from services.incidents.consolidate import mention_of
from services.incidents.features import mention_features
from services.incidents.matching import MatchConfig
from services.incidents.resolver import Candidate, best_candidate, index_keys, probe_days, updated
from services.runtime.settings import Settings
from services.store import db
from tests.api.harness import sample_event, serve


def reports() -> list[Event]:
    """Three outlets on one Kharkiv strike (toll rising), one Paris protest, one Belgorod strike."""
    strike = "Russian missiles hit central Kharkiv, killing {} people, officials said."
    events = [sample_event(n, killed=k, evidence=strike.format(k)) for n, k in ((1, 3), (2, 5), (3, 7))]
    events = [e.model_copy(update={"source": f"outlet{n}.test"}) for n, e in enumerate(events)]
    march = "Thousands marched in Paris against the reform."
    events.append(sample_event(4, event_type="protest", country="FRA", actor=None, recipient=None, day=1,
                               mode="demonstrate", evidence=march))  # fmt: skip
    events.append(sample_event(5, country="RUS", killed=10, actor="UKR", recipient="RUS", day=2))
    return events


async def resolve_and_store(url: str, events: list[Event]) -> list[Incident]:
    cfg = MatchConfig.from_settings(Settings())
    engine = db.make_engine(url)
    out: dict[str, Incident] = {}
    try:
        await db.upgrade(engine)
        for event in events:
            mention = mention_of(event)
            f = mention_features(mention, cfg.max_span_days)
            group = cfg.type_group(f.event_type)
            found = await incident_db.candidates(engine, group, probe_days(f, cfg), [f.country, ""])
            cands = [Candidate(i, [mention_features(m, 31) for m in i.mentions]) for i in found]
            chosen = best_candidate(f, cands, cfg)
            incident = updated(chosen.incident if chosen else None, mention)
            await incident_db.save(engine, incident, event.event_id, event.article_id, index_keys(f, cfg))
            out[incident.incident_id] = incident
    finally:
        await engine.dispose()
    return list(out.values())


@dataclass
class IncidentApi:
    base: str
    incidents: list[Incident]


@pytest.fixture
def api(settings: Settings, database_url: str, redis_url: str) -> Iterator[IncidentApi]:
    settings = settings.model_copy(update={"database_url": SecretStr(database_url)})
    incidents = asyncio.run(resolve_and_store(database_url, reports()))
    with serve(settings, redis_url) as base:
        yield IncidentApi(base, incidents)


def listing(api: IncidentApi, **query: str | int) -> list[dict]:  # type: ignore[type-arg]
    reply = httpx.get(f"{api.base}/incidents", params={"limit": 100, **query}, timeout=30)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["incidents"])


def test_one_incident_per_real_event_with_its_sources_and_figures(api: IncidentApi) -> None:
    assert len(api.incidents) == 3
    found = listing(api)
    assert [i["event_type"] for i in found] == ["assault", "protest", "assault"]  # newest first
    kharkiv = found[-1]
    assert kharkiv["num_sources"] == 3 and kharkiv["num_articles"] == 3 and kharkiv["version"] == 3
    assert kharkiv["sources"] == ["outlet0.test", "outlet1.test", "outlet2.test"]
    assert "mentions" not in kharkiv  # listings leave the mentions to /incidents/{id}
    killed = next(f for f in kharkiv["quantities"] if f["kind"] == "killed")
    assert (killed["value"], killed["low"], killed["high"]) == (7, 3, 7)
    one = httpx.get(f"{api.base}/incidents/{kharkiv['incident_id']}", timeout=30).json()
    assert [m["source"] for m in one["mentions"]] == kharkiv["sources"]
    assert all(m["evidence"]["text"].endswith("officials said.") for m in one["mentions"])
    missing = httpx.get(f"{api.base}/incidents/i{'0' * 32}", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def test_filters(api: IncidentApi) -> None:
    def types(**query: str | int) -> list[str]:
        return [f"{i['event_type']}@{(i['location'] or {}).get('country')}" for i in listing(api, **query)]

    assert types(event_type="protest") == ["protest@FRA"]
    assert types(country="rus") == ["assault@RUS"]
    assert types(actor_country="UKR") == ["assault@RUS"]
    assert types(min_sources=2) == ["assault@UKR"]
    assert types(min_killed=8) == ["assault@RUS"]
    assert types(q="MARCHED") == ["protest@FRA"]
    assert types(q="KILLING 3") == types(q="killing 7") == ["assault@UKR"]  # any mention, after updates
    assert types(q="zzyzx") == types(q="Kharkiv, killing 4") == []
    assert types(datetime="2025-09-02/2025-09-02T23:59:59Z") == ["protest@FRA"]
    assert types(bbox="30,45,40,55") == ["assault@RUS", "assault@UKR"]
    assert types(updated_since="2999-01-01T00:00:00Z") == []
    bad = httpx.get(f"{api.base}/incidents", params={"min_sources": "many"}, timeout=30)
    assert bad.status_code == 400 and bad.json()["parameter"] == "min_sources"


def test_formats_and_pages(api: IncidentApi) -> None:
    geo = httpx.get(f"{api.base}/incidents", params={"f": "geojson"}, timeout=30).json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 3
    assert all(f["geometry"]["type"] == "Point" for f in geo["features"])
    text = httpx.get(f"{api.base}/incidents", params={"f": "csv"}, timeout=30).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["num_sources"] for r in rows} == {"3", "1"} and {r["killed"] for r in rows} >= {"7", "10"}
    lines = httpx.get(f"{api.base}/incidents", params={"f": "ndjson"}, timeout=30).text.splitlines()
    assert len(lines) == 3
    parquet = httpx.get(f"{api.base}/incidents", params={"f": "parquet"}, timeout=30).content
    table = pq.read_table(io.BytesIO(parquet))
    assert table.num_rows == 3 and "num_sources" in table.column_names
    first = httpx.get(f"{api.base}/incidents", params={"limit": 2}, timeout=30).json()
    assert len(first["incidents"]) == 2 and first["next"]
    rest = httpx.get(f"{api.base}/incidents", params={"limit": 2, "cursor": first["next"]}, timeout=30).json()
    assert len(rest["incidents"]) == 1 and rest["next"] is None
    seen = {i["incident_id"] for i in first["incidents"] + rest["incidents"]}
    assert seen == {i.incident_id for i in api.incidents}
