"""The consumers' `newswire` subcommands: subscribe (JSON lines from the events topic) and serve (HTTP)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from services.runtime.settings import Settings


def cmd_subscribe(args: argparse.Namespace) -> int:
    from services.runtime.connections import redis_client, redis_url
    from services.subscribe import Subscription, subscribe

    settings = Settings()
    sub = Subscription(
        types=args.type, country=args.country, since=args.since, group=args.group,
        consumer=args.consumer or settings.consumer, count=args.count,
    )  # fmt: skip
    try:
        sub.start_id()
    except ValueError as exc:
        print(f"newswire subscribe: {exc}", file=sys.stderr)
        return 2

    async def go(url: str) -> int:
        async with redis_client(url, settings) as redis:
            return await subscribe(redis, settings, sub, sys.stdout)

    with redis_url(settings) as url:
        asyncio.run(go(url))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from services.api.server import serve_api
    from services.ops.worker import setup_logging

    settings = Settings()
    setup_logging(settings)
    serve_api(settings, args.host, args.port)
    return 0


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def add_consumer_commands(sub: Any) -> None:
    from schemas.vocab import EVENT_TYPES

    p = sub.add_parser("subscribe", help="print events as JSON lines as they arrive")
    p.add_argument("--type", action="append", default=[], choices=EVENT_TYPES, help="event type (repeatable)")
    p.add_argument("--country", help="ISO 3166-1 alpha-3 of the event's place")
    p.add_argument(
        "--since", default="now", help="an entry id of `events`, 0 (all retained) or now (default)"
    )
    p.add_argument("--group", help="a durable consumer group: resumes where it stopped")
    p.add_argument("--consumer", help="consumer name within --group (default NEWSWIRE_CONSUMER)")
    p.add_argument("--count", type=_positive, help="exit after N events")
    p.set_defaults(func=cmd_subscribe)

    p = sub.add_parser("serve", help="the HTTP API and events page on the database and Redis")
    p.add_argument("--host", help="address to listen on (default NEWSWIRE_API_HOST, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default NEWSWIRE_API_PORT, 8080)")
    p.set_defaults(func=cmd_serve)
