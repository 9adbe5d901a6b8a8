"""The store worker as a process: configuration errors end it with one line and exit code 2."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.runtime.settings import Settings
from tests.pipeline_harness import worker_env


def run_store(env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "worker", "store"],
        env={**env, "NEWSWIRE_METRICS_PORT": "0", "NEWSWIRE_LOG_LEVEL": "WARNING"},
        capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    return result, time.monotonic() - started


@pytest.mark.postgres
def test_a_missing_postgres_database_ends_the_store_within_a_minute_with_one_line(
    settings: Settings, postgres_url: str
) -> None:
    base = postgres_url.rsplit("/", 1)[0].replace("postgres@", "postgres:hunter2@", 1)
    env = worker_env(settings, {"NEWSWIRE_DATABASE_URL": f"{base}/newswire_missing_db"})
    result, took = run_store(env)
    assert result.returncode == 2
    assert took < 60
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "newswire_missing_db" in lines[0] and "does not exist" in lines[0]
    assert "hunter2" not in result.stderr


def test_a_data_dir_that_cannot_be_created_ends_the_store_with_one_line(
    settings: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = worker_env(settings)
    env.pop("NEWSWIRE_DATABASE_URL", None)
    env["NEWSWIRE_DATA_DIR"] = str(blocker / "data")
    result, _ = run_store(env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot create the data dir" in lines[0], result.stderr
