"""GET /events and /events/{id} on real SQLite and PostgreSQL: filters, keyset pages, formats, errors."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyarrow.parquet as pq
import pytest

from tests.api.conftest import Api


def ids(api: Api, **query: str | int) -> list[str]:
    reply = httpx.get(f"{api.base}/events", params={"limit": 1000, **query}, timeout=30)
    assert reply.status_code == 200, reply.text
    return [e["event_id"] for e in reply.json()["events"]]


def test_filters(api: Api) -> None:
    assert len(ids(api)) == 30
    assert ids(api)[:2] == ["e000030", "e000029"]  # newest first
    assert ids(api, event_type="protest,coerce") == ["e000004", "e000002"]
    assert ids(api, mode="demonstrate") == ["e000002"]
    assert ids(api, country="rus") == ["e000003"]
    assert ids(api, actor_country="UKR") == ["e000003"]
    assert ids(api, recipient_country="RUS") == ["e000003"]
    assert ids(api, datetime="2025-09-02/2025-09-03") == ["e000003", "e000002"]
    assert ids(api, datetime="../2025-09-01T23:59:59Z") == ["e000001"]
    assert ids(api, datetime="2025-09-30T00:00:00Z/..") == ["e000030", "e000029"]
    assert ids(api, datetime="2025-09-05") == ["e000005"]  # untimed: its publication time (01:00)
    assert ids(api, bbox="30,45,40,55") == [e for e in ids(api) if e not in ("e000002", "e000004", "e000005")]
    assert ids(api, bbox="170,-30,-170,0") == ["e000004"]  # crosses the antimeridian
    assert ids(api, min_killed=5) == ["e000003"]
    assert ids(api, min_killed=3) == ["e000003", "e000001"]
    assert ids(api, q="PROTESTERS") == ["e000002"]
    assert ids(api, q="100%") == []
    assert ids(api, q="kharkiv overnight") == ["e000001"] and ids(api, q="zzyzx") == []
    assert ids(api, q="aris") == ["e000002"] and ids(api, q=" aris ") == ["e000002"]
    assert ids(api, min_confidence="0.5", event_type="coerce") == []
    assert ids(api, updated_since="2000-01-01T00:00:00Z") == ids(api)
    assert ids(api, updated_since="2999-01-01T00:00:00Z") == []


def test_keyset_pages_and_link_header(api: Api) -> None:
    seen: list[str] = []
    url: str | None = f"{api.base}/events?limit=7&event_type=assault"
    pages = 0
    while url:
        reply = httpx.get(url, timeout=30)
        assert reply.status_code == 200
        body = reply.json()
        seen += [e["event_id"] for e in body["events"]]
        link = reply.headers.get("link")
        assert (link is None) == (body["next"] is None)
        url = link.split(">")[0].lstrip("<") if link else None
        if url:
            assert 'rel="next"' in link and "event_type=assault" in url and f"cursor={body['next']}" in url
        pages += 1
    assert pages == 4 and seen == ids(api, event_type="assault") and len(set(seen)) == 28
    for fmt in ("geojson", "csv", "ndjson", "parquet"):
        reply = httpx.get(f"{api.base}/events", params={"limit": 2, "f": fmt}, timeout=30)
        assert 'rel="next"' in reply.headers["link"] and "f=" + fmt in reply.headers["link"]


def test_formats(api: Api) -> None:
    def get(fmt: str) -> httpx.Response:
        return httpx.get(f"{api.base}/events", params={"f": fmt, "limit": 1000}, timeout=30)

    geo = get("geojson")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = {f["id"]: f for f in geo.json()["features"]}
    assert geo.json()["type"] == "FeatureCollection" and len(features) == 30
    assert features["e000004"]["geometry"] == {"type": "Point", "coordinates": [178.44, -18.14]}
    assert features["e000005"]["geometry"] is None
    assert features["e000001"]["properties"]["evidence"]["text"].startswith("Missiles hit Kharkiv")

    rows = list(csv.DictReader(io.StringIO(get("csv").text)))
    assert len(rows) == 30
    first = next(r for r in rows if r["event_id"] == "e000001")
    assert first["event_type"] == "assault" and first["actor_country"] == "RUS"
    assert first["recipient_country"] == "UKR" and first["place"] == "Kharkiv" and first["killed"] == "3"
    assert first["lat"] == "49.99" and first["lon"] == "36.23" and first["claimant"] == "officials"
    assert first["source_url"] == "https://news.test/1" and "Kharkiv" in first["evidence"]
    assert first["time"].startswith("2025-09-01")

    lines = get("ndjson").text.splitlines()
    assert len(lines) == 30 and json.loads(lines[0])["event_id"] == "e000030"

    table = pq.read_table(io.BytesIO(get("parquet").content))
    assert table.num_rows == 30 and "evidence" in table.column_names
    as_rows = {r["event_id"]: r for r in table.to_pylist()}
    assert as_rows["e000003"]["killed"] == 10 and as_rows["e000004"]["lon"] == 178.44
    empty = httpx.get(f"{api.base}/events", params={"f": "parquet", "country": "USA"}, timeout=30)
    assert pq.read_table(io.BytesIO(empty.content)).num_rows == 0


def test_one_event_or_404(api: Api) -> None:
    reply = httpx.get(f"{api.base}/events/e000002", timeout=30)
    assert reply.status_code == 200 and reply.json() == api.events[1].model_dump(mode="json")
    assert httpx.get(f"{api.base}/events/nope", timeout=30).status_code == 404
    assert httpx.get(f"{api.base}/events/{'x' * 500}", timeout=30).status_code == 404


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"event_type": "assault,flying"}, "event_type"),
        ({"country": "UK"}, "country"),
        ({"actor_country": "12a"}, "actor_country"),
        ({"recipient_country": "R,US"}, "recipient_country"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"datetime": "../.."}, "datetime"),
        ({"datetime": "2025-09-03/2025-09-01"}, "datetime"),
        ({"datetime": "2025-09-01T00:00:00"}, "datetime"),
        ({"updated_since": "2025-13-01"}, "updated_since"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "0,10,5,-10"}, "bbox"),
        ({"bbox": "0,0,200,1"}, "bbox"),
        ({"bbox": "nan,0,1,1"}, "bbox"),
        ({"min_killed": "-1"}, "min_killed"),
        ({"min_killed": "x"}, "min_killed"),
        ({"min_confidence": "2"}, "min_confidence"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),
        ({"f": "xml"}, "f"),
        ({"colour": "red"}, "colour"),
        ({"q": "ri"}, "q"),  # under 3 characters no index can answer it
    ],
)
def test_a_bad_parameter_gets_400_naming_it(api: Api, query: dict[str, str], parameter: str) -> None:
    reply = httpx.get(f"{api.base}/events", params=query, timeout=30)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == "bad_parameter" and reply.json()["parameter"] == parameter


def test_no_input_causes_a_500_and_nothing_writes(api: Api) -> None:
    nasty = ["'; DROP TABLE events; --", "\x00", "%", "9" * 400, "..", "/", ",,,", "2025-02-30", "é" * 50]
    for name in (
        "event_type",
        "mode",
        "country",
        "datetime",
        "updated_since",
        "bbox",
        "min_killed",
        "q",
        "min_confidence",
        "limit",
        "cursor",
        "f",
        "since",
    ):
        for value in nasty:
            reply = httpx.get(f"{api.base}/events", params={name: value}, timeout=30)
            assert reply.status_code in (200, 400), (name, value, reply.status_code)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert httpx.request(method, f"{api.base}/events", timeout=30).status_code == 405
    assert len(ids(api)) == 30
