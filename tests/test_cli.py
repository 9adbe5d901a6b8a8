"""The `newswire` command line as a user calls it: offline commands, bad configuration, submit and stats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from services.runtime.settings import Settings
from tests.conftest import ROOT

BUNDLED = ROOT / "services" / "demo_corpus"


def newswire(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_clean_prints_one_article_per_file_with_source_as_given(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>T</title></head><body><article><h1>Title</h1>"
        + "".join(
            f"<p>Paragraph number {i} of a long enough article body to be kept by the cleaner.</p>"
            for i in range(8)
        )
        + "</article></body></html>"
    )
    result = newswire("clean", str(page), str(tmp_path / "missing.html"))
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 1 and lines[0]["source"] == str(page) and "Paragraph number 3" in lines[0]["text"]
    assert "missing.html: no such file" in result.stderr


def test_extract_gives_events_with_exact_evidence_offsets() -> None:
    path = str(BUNDLED / "003_kharkiv.txt")
    result = newswire("extract", "--published", "2025-09-20", path)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events and all(e["source"] == path for e in events)
    text = Path(path).read_text()
    for e in events:
        assert text[e["evidence"]["start"] : e["evidence"]["end"]] == e["evidence"]["text"]


def test_bad_configuration_is_one_clear_line_and_exit_code_2() -> None:
    result = newswire("stats", env={"NEWSWIRE_MAX_DELIVERIES": "zero"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "max_deliveries" in result.stderr
    result = newswire("stats", env={"NEWSWIRE_REDIS_URL": "http://not-redis"})
    assert result.returncode == 2 and "redis_url" in result.stderr


def test_submit_and_stats_json(settings: Settings) -> None:
    env = {
        "NEWSWIRE_REDIS_URL": settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
        "NEWSWIRE_STREAM_PREFIX": settings.stream_prefix,
        "NEWSWIRE_DATA_DIR": str(settings.data_dir),
    }
    result = newswire("submit", "https://news.test/a?utm_source=x", "ftp://bad", env=env)
    assert result.returncode == 2 and "ftp://bad" in result.stderr and "queued 1" in result.stdout
    result = newswire("stats", "--json", env=env)
    stats = json.loads(result.stdout)
    assert set(stats) >= {"articles", "events", "dead_letters", "streams"}
    assert stats["streams"]["urls"]["length"] == 1
    assert stats["streams"]["urls"]["groups"]["ingest"]["lag"] == 1
    assert stats["dead_letters"] == 0
    # no database yet: stats says so, exits non-zero and creates nothing
    assert result.returncode == 1 and stats["articles"] is None
    assert "does not exist yet" in stats["database_error"] and "does not exist yet" in result.stderr
    assert not (settings.data_dir / "newswire.db").exists()
    upgraded = newswire("db", "upgrade", env=env)
    assert upgraded.returncode == 0 and "at revision" in upgraded.stdout
    result = newswire("stats", "--json", env=env)
    assert result.returncode == 0 and json.loads(result.stdout)["articles"] == 0


def test_stats_never_creates_tables_and_says_the_database_cannot_be_read(settings: Settings) -> None:
    import sqlite3

    database = settings.data_dir / "empty.db"
    sqlite3.connect(database).close()  # a database without the newswire schema
    env = {
        "NEWSWIRE_REDIS_URL": settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
        "NEWSWIRE_STREAM_PREFIX": settings.stream_prefix,
        "NEWSWIRE_DATABASE_URL": f"sqlite:///{database}",
    }
    result = newswire("stats", env=env)
    assert result.returncode == 1 and "no newswire schema" in result.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_run_until_idle_stores_submitted_pages_and_shows_progress(settings: Settings) -> None:
    from tests.pipeline_harness import start_news_site

    server, base, site = start_news_site()
    pages = [base + p for p in site if p.startswith("/articles/")][:2]
    env = {
        "NEWSWIRE_DATA_DIR": str(settings.data_dir),
        "NEWSWIRE_ALLOW_PRIVATE_NETWORKS": "1",
        "NEWSWIRE_HOST_DELAY_S": "0",
        "NEWSWIRE_METRICS_PORT": "0",
        "NEWSWIRE_PROGRESS_INTERVAL_S": "1",
    }
    try:
        # no NEWSWIRE_REDIS_URL: `run` starts its own Redis under the data dir and uses SQLite there
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", "run", "--until-idle", "--json", *pages],
            capture_output=True, text=True, timeout=240,
            env={**{k: v for k, v in os.environ.items() if k != "NEWSWIRE_REDIS_URL"}, **env},
        )  # fmt: skip
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr[-2000:]
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    assert stats["articles"] == 2 and stats["events"] > 0
    assert "articles," in result.stderr and "events stored" in result.stderr  # progress lines
    assert (settings.data_dir / "newswire.db").exists()
    assert (settings.data_dir / "redis" / "appendonly.aof").exists() or (
        settings.data_dir / "redis" / "appendonlydir"
    ).exists()


def test_feeds_add_finds_a_sites_feed_and_list_remove(settings: Settings) -> None:
    from services.devsite import running_site

    env = {
        "NEWSWIRE_REDIS_URL": settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
        "NEWSWIRE_STREAM_PREFIX": settings.stream_prefix,
        "NEWSWIRE_ALLOW_PRIVATE_NETWORKS": "1",
    }
    with running_site() as site:
        home = b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>'
        rss = b'<rss version="2.0"><channel><title>T</title><item><link>/a</link></item></channel></rss>'
        site.routes["/"] = (200, {"Content-Type": "text/html"}, home)
        site.routes["/rss"] = (200, {"Content-Type": "application/rss+xml"}, rss)
        added = newswire("feeds", "add", site.base + "/", env=env)
        assert added.returncode == 0 and f"added: {site.base}/rss" in added.stdout
        assert newswire("feeds", "add", site.base + "/rss", env=env).stdout.startswith("already present")
    listed = newswire("feeds", "list", "--json", env=env)
    assert [json.loads(line)["url"] for line in listed.stdout.splitlines()] == [f"{site.base}/rss"]
    assert "removed" in newswire("feeds", "remove", f"{site.base}/rss", env=env).stdout
    assert newswire("feeds", "list", env=env).stdout.strip() == ""


def test_init_groups_creates_every_group_and_leaves_existing_ones_alone(settings: Settings) -> None:
    import redis

    env = {
        "NEWSWIRE_REDIS_URL": settings.redis_url.get_secret_value(),  # type: ignore[union-attr]
        "NEWSWIRE_STREAM_PREFIX": settings.stream_prefix,
    }
    result = newswire("init-groups", env=env)
    assert result.returncode == 0, result.stderr
    client = redis.Redis.from_url(env["NEWSWIRE_REDIS_URL"], decode_responses=True)
    try:
        groups = {
            name: {g["name"]: g for g in client.xinfo_groups(settings.keys.stream(name))}
            for name in ("urls", "articles", "events")
        }
        assert {n: set(g) for n, g in groups.items()} == {
            "urls": {"ingest"}, "articles": {"extractor", "store"}, "events": {"store"},
        }  # fmt: skip
        entry = client.xadd(settings.keys.articles, {"k": "v"})
        client.xreadgroup("extractor", "c1", {settings.keys.articles: ">"}, count=1)
        assert newswire("init-groups", env=env).returncode == 0
        after = {g["name"]: g for g in client.xinfo_groups(settings.keys.articles)}
        assert after["extractor"]["last-delivered-id"] == entry and after["extractor"]["pending"] == 1
        assert after["store"]["last-delivered-id"] == "0-0" and after["store"]["lag"] == 1
    finally:
        client.close()
    assert f"{settings.keys.articles}: extractor, store" in result.stdout
