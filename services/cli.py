"""The `newswire` command line: offline cleaning and extraction, the workers, and operations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError
from redis.exceptions import RedisError

from services.documents import DocumentError, load_document
from services.runtime.errors import ConfigurationError, NewswireError


def _date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from exc


def cmd_clean(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        try:
            article = load_document(path)
        except DocumentError as exc:
            print(f"newswire clean: {exc}", file=sys.stderr)
            failures += 1
            continue
        print(article.model_dump_json(), flush=True)
    return 1 if failures and failures == len(args.files) else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from services.extractor.engine import get_engine

    engine = get_engine(args.engine)
    failures = 0
    for path in args.files:
        try:
            article = load_document(path, published_at=args.published)
        except DocumentError as exc:
            print(f"newswire extract: {exc}", file=sys.stderr)
            failures += 1
            continue
        for event in engine.extract(article):
            print(event.model_dump_json(exclude_none=False), flush=True)
    return 1 if failures and failures == len(args.files) else 0


def cmd_incidents(args: argparse.Namespace) -> int:
    from services.incidents.offline import print_incidents
    from services.runtime.settings import Settings

    return print_incidents(args.files, args.engine, Settings())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newswire", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("clean", help="clean .html/.html.gz/.txt files into JSON-line articles")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("extract", help="extract JSON-line events from .txt/.html/.html.gz files")
    p.add_argument("--published", type=_date, help="publication date (YYYY-MM-DD) to resolve times against")
    p.add_argument("--engine", default="rules")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("incidents", help="extract the files and merge their events into JSON-line incidents")
    p.add_argument("--engine", default="rules")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=cmd_incidents)

    from services.cli_ops import add_operational_commands

    add_operational_commands(sub)
    from services.cli_consumers import add_consumer_commands

    add_consumer_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ValidationError as exc:
        print(f"newswire: bad configuration: {_first_error(exc)}", file=sys.stderr)
        return 2
    except ConfigurationError as exc:
        print(f"newswire: {exc}", file=sys.stderr)
        return 2
    except NewswireError as exc:
        print(f"newswire: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except (RedisError, OSError) as exc:
        print(f"newswire: cannot reach Redis or the database: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "settings"
    return f"{where}: {err.get('msg', 'invalid')}"


if __name__ == "__main__":
    sys.exit(main())
