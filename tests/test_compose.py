"""docker-compose.yml, run without Docker: each worker service's command and environment as a local process.

Hosts in the compose environment are mapped to the servers the tests run (the test Redis, and the
local PostgreSQL where one is reachable, else SQLite), then the pipeline must carry a page to stored events.
"""

from __future__ import annotations

import asyncio
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.ops.stats import collect_stats
from services.ops.submit import submit_urls
from services.runtime.embedded_redis import free_port
from services.runtime.settings import Settings
from services.runtime.topology import WORKER_NAMES
from tests.conftest import ROOT
from tests.pipeline_harness import http_get, start_news_site, wait_idle

pytestmark = pytest.mark.slow
WORKER_SERVICES = WORKER_NAMES


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_declares_the_whole_stack() -> None:
    services = compose()["services"]
    assert {"redis", "postgres", "ingest", "extractor", "store", "prometheus", "grafana"} <= set(services)
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    extractor = services["extractor"]
    assert "container_name" not in extractor and "ports" not in extractor  # --scale extractor=3 works
    for name in WORKER_SERVICES:
        assert services[name]["command"][:3] == ["newswire", "worker", name]
        check = services[name]["healthcheck"]["test"]
        assert (
            check[0] == "CMD" and "/healthz" in " ".join(check) and "NEWSWIRE_METRICS_PORT" in " ".join(check)
        )
    prometheus = (ROOT / "deploy" / "prometheus.yml").read_text()
    assert all(f"names: [{name}]" in prometheus for name in WORKER_SERVICES)
    assert (ROOT / "deploy" / "grafana" / "dashboards" / "newswire.json").exists()


def localise(env: dict[str, str], redis_url: str, database_url: str, data_dir: Path) -> dict[str, str]:
    out = {k: str(v) for k, v in env.items()}
    out["NEWSWIRE_REDIS_URL"] = re.sub(
        r"redis://redis:6379", redis_url.rsplit("/", 1)[0], out["NEWSWIRE_REDIS_URL"]
    )
    out["NEWSWIRE_DATABASE_URL"] = database_url
    out["NEWSWIRE_DATA_DIR"] = str(data_dir)
    out["NEWSWIRE_METRICS_PORT"] = str(free_port())
    return out


def test_compose_services_run_as_local_processes(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    import os

    services = compose()["services"]
    redis_url = settings.redis_url.get_secret_value()  # type: ignore[union-attr]
    server, base, site = start_news_site()
    page = next(p for p in site if p.startswith("/articles/"))
    procs: dict[str, subprocess.Popen[bytes]] = {}
    ports: dict[str, str] = {}
    local = settings.model_copy(update={"database_url": None})
    try:
        for name in WORKER_SERVICES:
            env = localise(services[name]["environment"], redis_url, database_url, tmp_path)
            env.update(
                NEWSWIRE_STREAM_PREFIX=settings.stream_prefix,
                NEWSWIRE_ALLOW_PRIVATE_NETWORKS="1",
                NEWSWIRE_HOST_DELAY_S="0",
                NEWSWIRE_CONSUMER=f"{name}-1",
            )
            ports[name] = env["NEWSWIRE_METRICS_PORT"]
            command = services[name]["command"]
            argv = [sys.executable, "-m", "services.cli", *command[1:]]
            procs[name] = subprocess.Popen(argv, env={**os.environ, **env})
        assert asyncio.run(submit_urls(redis_url, local, [base + page])) == []
        wait_idle(local)
        from pydantic import SecretStr

        stats = asyncio.run(
            collect_stats(redis_url, local.model_copy(update={"database_url": SecretStr(database_url)}))
        )
        assert stats["articles"] == 1 and stats["events"] >= 1
        status, _ = http_get(f"http://127.0.0.1:{ports['store']}/healthz")
        assert status == 200
        for name in WORKER_SERVICES:  # each service's own health check command, as Docker runs it
            check = services[name]["healthcheck"]["test"][1:]
            env = {**os.environ, "NEWSWIRE_METRICS_PORT": ports[name]}
            assert subprocess.run([sys.executable, *check[1:]], env=env, timeout=30).returncode == 0, name
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        codes = [proc.wait(timeout=60) for proc in procs.values()]
        server.shutdown()
    assert codes == [0] * len(WORKER_SERVICES)
