"""Parsing of the operational `newswire` subcommands (run, worker, submit, feeds, stats, dlq, db,
init-groups, demo); each command reads the settings and calls its operation in services/ops/."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from services.runtime.connections import redis_url
from services.runtime.settings import Settings
from services.runtime.topology import CONSUMER_GROUPS, WORKER_NAMES


def cmd_worker(args: argparse.Namespace) -> int:
    from services.ops.worker import run_named_worker, setup_logging

    settings = Settings()
    setup_logging(settings)
    run_named_worker(args.name, settings)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from services.ops.local_pipeline import run_pipeline
    from services.ops.stats import print_stats
    from services.ops.worker import setup_logging

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
    from services.ops.submit import submit_urls

    settings = Settings()
    with redis_url(settings) as url:
        bad = asyncio.run(submit_urls(url, settings, args.urls))
    for line in bad:
        print(f"newswire submit: {line}", file=sys.stderr)
    print(f"queued {len(args.urls) - len(bad)} URL(s)")
    return 2 if bad else 0


def cmd_feeds(args: argparse.Namespace) -> int:
    from services.ops import feeds

    if args.action != "list" and not args.urls:
        print("newswire feeds: give at least one URL", file=sys.stderr)
        return 2
    settings = Settings()
    with redis_url(settings) as url:
        if args.action == "list":
            lines = asyncio.run(feeds.list_lines(url, settings, args.json))
        elif args.action == "add":
            lines = asyncio.run(feeds.add(url, settings, args.urls))
        else:
            lines = asyncio.run(feeds.remove(url, settings, args.urls))
    for line in lines:
        print(line)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from services.ops.stats import collect_stats, print_stats

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
    from services.ops.dlq import run_dlq

    settings = Settings()
    with redis_url(settings) as url:
        return asyncio.run(run_dlq(url, settings, args.action, args.ids, args.json))


def cmd_db(args: argparse.Namespace) -> int:
    from services.ops import database

    print(asyncio.run(database.upgrade(Settings())))
    return 0


def cmd_init_groups(args: argparse.Namespace) -> int:
    from services.ops.submit import init_groups

    settings = Settings()
    with redis_url(settings) as url:
        asyncio.run(init_groups(url, settings))
    for stream, groups in CONSUMER_GROUPS.items():
        print(f"{settings.keys.stream(stream)}: {', '.join(groups)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from services.ops.demo import run_demo
    from services.ops.worker import setup_logging

    setup_logging(Settings())
    return run_demo(as_json=args.json, serve=args.serve, port=args.port)


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
    p.add_argument("--json", action="store_true")
    p.add_argument("--serve", action="store_true", help="then serve the events page and API on the results")
    p.add_argument("--port", type=int, help="with --serve: port (default NEWSWIRE_API_PORT, 8080)")
    p.set_defaults(func=cmd_demo)
