"""The topology is the one place names come from: no stream or key literal elsewhere in services/."""

from __future__ import annotations

import re

from services.runtime import topology
from services.runtime.settings import Settings
from tests.conftest import ROOT


def test_groups_workers_and_ports_derive_from_the_declarations() -> None:
    assert topology.CONSUMER_GROUPS == {
        "urls": ("ingest",),
        "articles": ("extractor", "store"),
        "events": ("store",),
    }
    assert topology.OPTIONAL_GROUPS == {"events": ("incidents",)}  # the optional incident stage
    assert topology.WORKER_NAMES == ("ingest", "extractor", "store", "incidents")
    assert len({w.metrics_port for w in topology.WORKERS.values()}) == 4
    assert Settings(metrics_port=None).metrics_port_for("store") == topology.STORE.metrics_port


def test_keys_share_the_prefix() -> None:
    keys = Settings(stream_prefix="p:").keys
    names = [keys.urls, keys.articles, keys.events, keys.dead, keys.topic("protest"), keys.seen,
             keys.fingerprints, keys.feeds, keys.feed_entries("f"), keys.lease("f"), keys.host("h"),
             keys.robots("o"), keys.incidents, keys.incident_lock("assault", 1)]  # fmt: skip
    assert all(n.startswith("p:") for n in names) and len(set(names)) == len(names)
    assert keys.short(keys.topic("protest")) == "events.protest"


def test_no_stream_or_key_name_is_spelled_outside_the_topology() -> None:
    """Full names come from `Settings.keys`: nobody else adds the prefix or names a stream by string."""
    spelled = re.compile(
        r"""\{[^}]*stream_prefix\}|stream_prefix\s*\+|removeprefix\([^)]*stream_prefix"""
        r"""|\.(stream|key)\(\s*f?["']|["']events\.|["'](seen|fingerprints|lease:|host:|robots:)"""
    )
    allowed = {"services/runtime/topology.py", "services/runtime/settings.py"}
    offenders = []
    for path in (ROOT / "services").rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if rel in allowed or rel.startswith("services/extractor/rules/"):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if spelled.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == []
