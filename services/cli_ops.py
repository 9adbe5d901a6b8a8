"""Operational `newswire` subcommands: run, worker, submit, feeds, stats, dlq, db, init-groups, demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from typing import Any

from pydantic import SecretStr

from services.runtime.connections import redis_client, redis_url
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, WORKER_NAMES
from services.runtime.worker import ensure_data_dir


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in ("faststream", "faststream.access", "faststream.access.redis"):
        logging.getLogger(name).setLevel(logging.WARNING)


def cmd_worker(args: argparse.Namespace) -> int:
    from services.runtime.metrics import Metrics
    from services.runtime.worker import run_worker
    from services.workers import build_worker

    settings = Settings()
    setup_logging(settings)
    # Until the worker's loop takes over SIGTERM, stopping during start-up is a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with redis_url(settings) as url:
        settings = settings.model_copy(update={"redis_url": SecretStr(url)})
        metrics = Metrics(args.name)
        spec = build_worker(args.name, settings, metrics)
        asyncio.run(run_worker(spec, settings, metrics))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from services.runner import print_stats, run_pipeline

    settings = Settings()
    setup_logging(settings)
    code, stats = run_pipeline(
        settings,
        feeds=args.feed,
        urls=args.urls,
        until_idle=args.until_idle,
        timeout_s=args.timeout,
        progress_every_s=settings.progress_interval_s,
    )
    if args.json:
        print(json.dumps(stats, default=str))
    else:
        print_stats(stats)
    return code


def cmd_submit(args: argparse.Namespace) -> int:
    from services.runner import submit_urls

    settings = Settings()
    with redis_url(settings) as url:
        bad = asyncio.run(submit_urls(url, settings, args.urls))
    for line in bad:
        print(f"newswire submit: {line}", file=sys.stderr)
    print(f"queued {len(args.urls) - len(bad)} URL(s)")
    return 2 if bad else 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from services.ingest import feed_registry

    settings = Settings()

    async def go(url: str) -> int:
        async with redis_client(url, settings) as redis:
            if args.action == "list":
                for feed_url, state in (await feed_registry.list_feeds(redis, settings)).items():
                    print(json.dumps({"url": feed_url, **state}) if args.json else feed_url)
                return 0
            for target in args.urls:
                if args.action == "add":
                    resolved = await feed_registry.resolve_feed_url(settings, target)
                    added = await feed_registry.add_feed(redis, settings, resolved)
                    print(f"{'added' if added else 'already present'}: {resolved}")
                else:
                    removed = await feed_registry.remove_feed(redis, settings, target)
                    print(f"{'removed' if removed else 'not present'}: {target}")
            return 0

    if args.action != "list" and not args.urls:
        print("newswire feeds: give at least one URL", file=sys.stderr)
        return 2
    with redis_url(settings) as url:
        return asyncio.run(go(url))


def cmd_stats(args: argparse.Namespace) -> int:
    from services.runner import collect_stats, print_stats

    settings = Settings()
    with redis_url(settings) as url:
        stats = asyncio.run(collect_stats(url, settings))
    if args.json:
        print(json.dumps(stats, default=str))
    else:
        print_stats(stats)
    if stats.get("database_error"):
        print(f"newswire stats: {stats['database_error']}", file=sys.stderr)
        return 1
    return 0


def cmd_dlq(args: argparse.Namespace) -> int:
    from services.dlq import run_dlq

    settings = Settings()
    with redis_url(settings) as url:
        return asyncio.run(run_dlq(url, settings, args))


def cmd_db(args: argparse.Namespace) -> int:
    from services.store import db
    from services.store.errors import classify, database_name

    settings = Settings()
    ensure_data_dir(settings)

    url = settings.sqlalchemy_url()
    db.create_sqlite_dir(url)

    async def go() -> str | None:
        engine = db.make_engine(url)
        try:
            await db.upgrade(engine)
            return await db.current_revision(engine)
        except Exception as exc:
            error = classify(exc, url)
            if error is exc:
                raise
            raise error from exc
        finally:
            await engine.dispose()

    revision = asyncio.run(go())
    print(f"database {database_name(url)} at revision {revision} (head {db.head_revision()})")
    return 0


def cmd_init_groups(args: argparse.Namespace) -> int:
    """Create every stream and consumer group (idempotent): what a cluster's init Job runs, so that
    autoscalers reading the groups' lag find them before any worker has started."""
    from services.runtime.worker import ensure_topology

    settings = Settings()

    async def go(url: str) -> None:
        async with redis_client(url, settings) as redis:
            await ensure_topology(redis, settings)

    with redis_url(settings) as url:
        asyncio.run(go(url))
    for stream, groups in CONSUMER_GROUPS.items():
        print(f"{settings.keys.stream(stream)}: {', '.join(groups)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from services.demo import run_demo

    setup_logging(Settings())
    return run_demo(keep=args.keep, as_json=args.json)


def add_operational_commands(sub: Any) -> None:
    p = sub.add_parser("run", help="run all three workers (embedded Redis and SQLite unless configured)")
    p.add_argument("--feed", action="append", default=[], help="a feed to poll (repeatable)")
    p.add_argument("--until-idle", action="store_true", help="return when every stream is drained")
    p.add_argument("--timeout", type=float, default=None, help="with --until-idle: give up after N seconds")
    p.add_argument("--json", action="store_true", help="print the final stats as JSON")
    p.add_argument("urls", nargs="*")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("worker", help="run one worker (the container entrypoint)")
    p.add_argument("name", choices=WORKER_NAMES)
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("submit", help="queue URLs for ingest")
    p.add_argument("urls", nargs="+")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("feeds", help="add, list or remove polled feeds")
    p.add_argument("action", choices=("add", "list", "remove"))
    p.add_argument("urls", nargs="*")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feeds)

    p = sub.add_parser("stats", help="stored counts and stream lengths, pending and lag")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("dlq", help="dead letters: list, show, replay, purge")
    p.add_argument("action", choices=("list", "show", "replay", "purge"))
    p.add_argument("ids", nargs="*", help="dead-letter entry ids (replay/purge: all when none given)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_dlq)

    p = sub.add_parser("db", help="database schema")
    p.add_argument("action", choices=("upgrade",))
    p.set_defaults(func=cmd_db)

    p = sub.add_parser("init-groups", help="create the streams and consumer groups (a cluster's init Job)")
    p.set_defaults(func=cmd_init_groups)

    p = sub.add_parser("demo", help="run the bundled sample corpus through the full pipeline, offline")
    p.add_argument("--keep", action="store_true", help="keep the demo data dir")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
