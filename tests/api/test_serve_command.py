"""The compose `api` service's command (`newswire serve`) run as a local process with its environment."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import httpx
import yaml

from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from tests.api.harness import sample_event, store
from tests.conftest import ROOT


def test_compose_api_service_serves_the_stored_events(settings: Settings, database_url: str) -> None:
    service = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["api"]
    assert (
        service["command"][:2] == ["newswire", "serve"]
        and service["environment"]["NEWSWIRE_API_PORT"] == "8080"
    )
    asyncio.run(store(database_url, [sample_event(1), sample_event(2)]))
    port = free_port()
    env = {**os.environ, **{k: str(v) for k, v in service["environment"].items()}}
    env.update(NEWSWIRE_REDIS_URL=settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
               NEWSWIRE_DATABASE_URL=database_url, NEWSWIRE_DATA_DIR=str(settings.data_dir),
               NEWSWIRE_STREAM_PREFIX=settings.stream_prefix, NEWSWIRE_API_PORT=str(port))  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", *service["command"][1:]], env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None, "newswire serve did not start"
                time.sleep(0.2)
        assert health.status_code == 200
        events = httpx.get(f"http://127.0.0.1:{port}/events", timeout=10).json()["events"]
        assert [e["event_id"] for e in events] == ["e000002", "e000001"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
