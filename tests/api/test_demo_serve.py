"""`newswire demo --serve`: the demo's results browsable on its own API and events page."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from services.runtime.embedded_redis import free_port

pytestmark = pytest.mark.slow


def test_demo_says_how_to_browse_and_serves_its_results(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env["NEWSWIRE_DATA_DIR"] = str(tmp_path)
    out = (tmp_path / "out.txt").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "services.cli", "demo", "--serve", "--port", str(port)],
                            env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 900
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, (tmp_path / "out.txt").read_text()
                assert time.monotonic() < deadline, "the demo never served"
                time.sleep(1)
        assert health.status_code == 200
        events = httpx.get(f"http://127.0.0.1:{port}/events", params={"limit": 1000}, timeout=10).json()
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        out.close()
    printed = (tmp_path / "out.txt").read_text()
    assert code == 0, printed
    assert "To browse it" in printed and "newswire serve" in printed
    found = re.search(r"newswire demo: \d+ articles, (\d+) events stored", printed)
    assert found, printed
    stored = int(found.group(1))
    assert stored > 0 and len(events["events"]) == stored
    assert page.status_code == 200 and "/static/page.js" in page.text
