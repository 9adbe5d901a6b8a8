"""`newswire incidents FILE...`: datelines read, events merged across files, one JSON line per incident."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.cli import main
from services.incidents.offline import read_dateline

ARTICLES = {
    "a.txt": "Russian missiles strike Kharkiv, killing eight\n"
    "Published: 2025-03-07T09:00Z | Outlet: Alpha News\n\n"
    "Russian missiles struck the centre of Kharkiv on Friday, killing eight people, the governor said.\n",
    "b.txt": "Kharkiv missile attack toll rises\n"
    "Published: 2025-03-07T18:00Z | Outlet: Beta Post\n\n"
    "The number of people killed when Russian missiles hit Kharkiv on Friday rose, the governor said.\n",
    "c.txt": "Thousands protest in Lisbon\n"
    "Published: 2025-03-07T12:00Z | Outlet: Gamma\n\n"
    "Thousands of people protested in Lisbon on Friday against rising rents.\n",
}


def test_dateline_gives_time_and_outlet() -> None:
    line = read_dateline("Headline\nPublished: 2025-04-13T08:40Z | Outlet: Meridian Wire\n\nBody")
    assert line is not None and line.outlet == "Meridian Wire"
    assert line.published_at.isoformat() == "2025-04-13T08:40:00+00:00"
    assert read_dateline("No dateline here\n\nBody") is None


def test_incidents_merge_across_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["incidents", "c.txt", "b.txt", "a.txt", "missing.txt"]) == 0
    out, err = capsys.readouterr()
    assert "missing.txt: no such file" in err
    incidents = [json.loads(line) for line in out.splitlines()]
    strike = [i for i in incidents if {m["source"] for m in i["mentions"]} >= {"a.txt", "b.txt"}]
    assert len(strike) == 1, incidents
    inc = strike[0]
    assert inc["event_type"] == "assault"
    assert inc["num_articles"] == 2 and inc["num_sources"] == 2
    assert inc["sources"] == ["Alpha News", "Beta Post"]
    assert inc["time"]["date"] == "2025-03-07"
    assert inc["location"]["name"] == "Kharkiv"
    assert {"kind": "killed", "value": 8} in [
        {"kind": q["kind"], "value": q["value"]} for q in inc["quantities"]
    ]
    assert all(m["source"] != "c.txt" for m in inc["mentions"])
    assert all(m["evidence"]["text"] for m in inc["mentions"])
