"""Helpers for the end-to-end tests: a local news site, worker processes, waiting for the pipeline."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

from services.demo import build_site, sample_texts, serve
from services.runner import is_idle
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings


def start_site() -> tuple[ThreadingHTTPServer, str, dict[str, tuple[str, bytes]]]:
    site: dict[str, tuple[str, bytes]] = {}
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site.update(build_site(sample_texts(), base, datetime.now(UTC)))
    site["/image.png"] = ("image/png", b"\x89PNG\r\n\x1a\n")
    return server, base, site


def worker_env(settings: Settings, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    assert settings.redis_url is not None
    env = dict(os.environ)
    env.update(
        NEWSWIRE_REDIS_URL=settings.redis_url.get_secret_value(),
        NEWSWIRE_STREAM_PREFIX=settings.stream_prefix,
        NEWSWIRE_DATA_DIR=str(settings.data_dir),
        NEWSWIRE_ALLOW_PRIVATE_NETWORKS="1",
        NEWSWIRE_HOST_DELAY_S="0",
        NEWSWIRE_RECLAIM_IDLE_MS="2000",
        NEWSWIRE_RECLAIM_INTERVAL_S="0.5",
        NEWSWIRE_MAX_DELIVERIES="2",
        NEWSWIRE_LOG_LEVEL="WARNING",
    )
    if settings.database_url is not None:
        env["NEWSWIRE_DATABASE_URL"] = settings.database_url.get_secret_value()
    env.update(extra or {})
    return env


def start_worker(name: str, env: Mapping[str, str], port: int | None = None) -> subprocess.Popen[bytes]:
    env = {**env, "NEWSWIRE_METRICS_PORT": str(port if port is not None else free_port())}
    return subprocess.Popen([sys.executable, "-m", "services.cli", "worker", name], env=env)


def wait_idle(settings: Settings, timeout: float = 180.0, settle: int = 3) -> None:
    assert settings.redis_url is not None
    url = settings.redis_url.get_secret_value()
    deadline, idle = time.monotonic() + timeout, 0
    while time.monotonic() < deadline:
        idle = idle + 1 if asyncio.run(is_idle(url, settings)) else 0
        if idle >= settle:
            return
        time.sleep(0.5)
    raise AssertionError(f"pipeline not idle after {timeout}s")


def http_get(url: str, timeout: float = 20.0) -> tuple[int, str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
