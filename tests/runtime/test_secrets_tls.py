"""Redis over TLS with a password, a database URL with a password: the pipeline works, and neither
secret appears in logs, metrics or error lines."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from services.ops.stats import collect_stats
from services.runtime.embedded_redis import RedisProcess, RedisStartError, free_port
from services.runtime.settings import Settings, redact_url
from tests.pipeline_harness import http_get, wait_idle, worker_env
from tests.test_faults import make_articles, publish_articles

REDIS_PASSWORD = "r3dis-Secret-pw"
DB_PASSWORD = "db-Secret-pw"


@pytest.fixture
def tls_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert), "-days", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = RedisProcess(tmp_path / "redis", password=REDIS_PASSWORD, tls=(cert, key))
    try:
        server.start()
    except RedisStartError as exc:
        pytest.skip(f"this redis-server has no TLS support: {exc}")
    yield server
    server.stop()


def test_redact_url_hides_passwords() -> None:
    assert redact_url("postgresql+asyncpg://u:pw@h:5432/db") == "postgresql+asyncpg://u:***@h:5432/db"
    assert redact_url("redis://h:6379/0") == "redis://h:6379/0"
    settings = Settings(redis_url=f"rediss://:{REDIS_PASSWORD}@h:6380/0")  # type: ignore[arg-type]
    assert REDIS_PASSWORD not in repr(settings) and REDIS_PASSWORD not in str(settings.model_dump())


@pytest.mark.slow
@pytest.mark.postgres
def test_pipeline_over_tls_redis_leaks_no_secret(
    settings: Settings, tls_redis: RedisProcess, postgres_url: str, tmp_path: Path
) -> None:
    database_url = postgresql_with_password(postgres_url)
    settings = settings.model_copy(
        update={"redis_url": SecretStr(tls_redis.url), "database_url": SecretStr(database_url)}
    )
    articles = make_articles(5)
    asyncio.run(publish_articles(settings, articles))
    env = worker_env(settings, {"NEWSWIRE_LOG_LEVEL": "INFO"})
    procs, logs, ports = [], [], []
    for name in ("extractor", "store"):
        ports.append(free_port())
        logs.append(tmp_path / f"{name}.log")
        with logs[-1].open("wb") as log:
            argv = [sys.executable, "-m", "services.cli", "worker", name]
            procs.append(
                subprocess.Popen(
                    argv, env={**env, "NEWSWIRE_METRICS_PORT": str(ports[-1])}, stderr=log, stdout=log
                )
            )
    try:
        wait_idle(settings, timeout=120)
        stats = asyncio.run(collect_stats(tls_redis.url, settings))
        assert stats["articles"] == 5 and stats["events"] > 0
        bodies = [
            http_get(f"http://127.0.0.1:{port}/{path}")[1]
            for port in ports
            for path in ("metrics", "healthz")
        ]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        assert [proc.wait(timeout=60) for proc in procs] == [0, 0]
    wrong = subprocess.run(
        [sys.executable, "-m", "services.cli", "stats"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "NEWSWIRE_REDIS_URL": tls_redis.url.replace(REDIS_PASSWORD, "wrong-Secret-pw")},
    )  # fmt: skip
    assert wrong.returncode == 1 and "cannot reach Redis" in wrong.stderr
    texts = [p.read_text(errors="replace") for p in logs] + bodies + [wrong.stderr, wrong.stdout]
    for text in texts:
        assert REDIS_PASSWORD not in text and DB_PASSWORD not in text and "wrong-Secret-pw" not in text


def postgresql_with_password(url: str) -> str:
    """The test server trusts local connections, so a password in the URL is accepted and unused."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user.split(':')[0]}:{DB_PASSWORD}@{host}"
