"""GET /events first-page latency with 1 million stored events, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.bench_query [--rows 1000000] [--postgres URL | --postgres ''] [--runs 15]
    .venv/bin/python -m bench.bench_query --keep FILE ...   then   --reuse-sqlite FILE [--reuse-postgres URL]

Builds the real schema (the Alembic migrations, so the real indexes), bulk-loads synthetic events
(16 PLOVER types skewed towards assault, 60 countries with a long tail, three years of dates, killed
counts on 10 %, a payload like the extractor's, evidence of 14 common words and a few rarer ones) at
revision 0006, upgrades to the head (which builds the text-search indexes over the rows stored, timed
as `upgrade_s`), then times each filtered query through the code
GET /events runs (parameter parsing, the keyset query, the JSON page) and reports the median and the
95th percentile of `--runs` runs after one warm-up. Figures go to stdout as a table and one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from schemas.vocab import EVENT_TYPES
from services.api.events import QUERY, SHAPE, EventFilter
from services.api.formats import render
from services.api.params import decode_cursor
from services.store import db

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LOAD_REVISION = "0006"  # the rows are loaded here, then the database is upgraded to the head
T0 = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_S = 3 * 365 * 86_400
WORDS = [
    "missile",
    "strike",
    "shelling",
    "drone",
    "protest",
    "talks",
    "ceasefire",
    "border",
    "village",
    "capital",
    "forces",
    "police",
    "officials",
    "residents",
    "army",
    "ministry",
    "convoy",
    "port",
    "airport",
    "bridge",
    "hospital",
    "school",
    "market",
]
QUERIES: dict[str, dict[str, str]] = {
    "no filter": {},
    "event_type=protest": {"event_type": "protest"},
    "event_type=assault&country=UKR": {"event_type": "assault", "country": "UKR"},
    "country=QBZ (rare)": {"country": "QBZ"},
    "actor_country=RUS&event_type=coerce": {"actor_country": "RUS", "event_type": "coerce"},
    "recipient_country=ISR": {"recipient_country": "ISR"},
    "datetime=2024-03-01/2024-03-31": {"datetime": "2024-03-01/2024-03-31"},
    "datetime=2024-03-01/..&event_type=aid": {"datetime": "2024-03-01/..", "event_type": "aid"},
    "bbox=30,44,41,53": {"bbox": "30,44,41,53"},
    "min_killed=50": {"min_killed": "50"},
    "min_confidence=0.95": {"min_confidence": "0.95"},
    "updated_since=<last 1%>": {},  # filled in once the rows' write times are known
    "mode=demonstrate": {"mode": "demonstrate"},
    "q=hospital (in 46 %)": {"q": "hospital"},
    "q=blockade (in 2 %)": {"q": "blockade"},
    "q=Evacuation (in 0.1 %)": {"q": "Evacuation"},
    "q=ital h (in 4.6 %, across words)": {"q": "ital h"},
    "q=zzyzx (in none)": {"q": "zzyzx"},
    "q=zq (2 characters, in none)": {"q": "zq"},
}
# words a few evidence sentences carry besides WORDS (drawn apart, so the other columns stay the same)
RARE_WORDS = (("blockade", 0.02), ("evacuation", 0.001))


def countries() -> list[tuple[str, float, float, float]]:
    """(ISO3, weight, lat, lon): a few large ones, then a long tail."""
    big = [
        ("UKR", 20, 49, 32),
        ("RUS", 12, 55, 37),
        ("ISR", 8, 31.5, 34.8),
        ("SYR", 6, 35, 38),
        ("USA", 6, 38, -97),
        ("SDN", 4, 15, 30),
        ("FRA", 3, 46, 2),
        ("IND", 3, 21, 78),
    ]
    tail = [
        ("Q" + chr(65 + i // 26) + chr(65 + i % 26), 0.6, random.uniform(-50, 60), random.uniform(-170, 170))
        for i in range(52)
    ]
    return big + tail


def make_rows(n: int, now: datetime) -> list[dict[str, Any]]:
    rng = random.Random(7)
    places = countries()
    codes, weights = [p[0] for p in places], [p[1] for p in places]
    where = {p[0]: (p[2], p[3]) for p in places}
    type_weights = [
        30 if t == "assault" else 8 if t in ("protest", "coerce", "accuse") else 3 for t in EVENT_TYPES
    ]
    types = rng.choices(EVENT_TYPES, type_weights, k=n)
    places_of = rng.choices(codes, weights, k=n)
    actors = rng.choices(codes, weights, k=n)
    recipients = rng.choices(codes, weights, k=n)
    extra = random.Random(11)
    rows = []
    for i in range(n):
        country = places_of[i]
        lat, lon = where[country]
        lat, lon = lat + rng.uniform(-3, 3), lon + rng.uniform(-3, 3)
        when = T0 + timedelta(seconds=rng.randrange(SPAN_S))
        killed = rng.choice((1, 2, 3, 5, 8, 12, 20, 40, 75, 150)) if rng.random() < 0.1 else None
        words = rng.choices(WORDS, k=14)
        words += [word for word, share in RARE_WORDS if extra.random() < share]
        evidence = " ".join(words).capitalize() + "."
        event_id = "e" + uuid.UUID(int=rng.getrandbits(128)).hex
        mode = "demonstrate" if types[i] == "protest" and rng.random() < 0.5 else None
        payload = {
            "schema_version": 1,
            "kind": "event",
            "event_id": event_id,
            "article_id": f"a{i:032x}",
            "source": "news.example",
            "source_url": f"https://news.example/{i}",
            "published_at": when.isoformat(),
            "extractor": {"name": "bench", "version": "1"},
            "event_type": types[i],
            "mode": mode,
            "actor": {"text": "forces", "name": None, "country": actors[i], "sector": None},
            "recipient": {"text": "residents", "name": None, "country": recipients[i], "sector": None},
            "location": {
                "text": "town",
                "name": "Town",
                "admin1": None,
                "country": country,
                "country_name": None,
                "lat": lat,
                "lon": lon,
                "geonames_id": None,
                "precision": "city",
            },
            "time": {"start": when.isoformat(), "end": None, "precision": "day", "text": None},
            "quantities": []
            if killed is None
            else [
                {
                    "kind": "killed",
                    "object": "people",
                    "value": killed,
                    "upper": None,
                    "approx": False,
                    "text": str(killed),
                    "claimant": None,
                }
            ],
            "claimant": "officials",
            "negated": False,
            "hypothetical": False,
            "evidence": {"text": evidence, "start": 0, "end": len(evidence)},
            "confidence": round(rng.uniform(0.3, 1.0), 3),
        }
        stored = now - timedelta(seconds=(n - i))  # written in order, one a second
        rows.append(
            {
                "event_id": event_id,
                "article_id": payload["article_id"],
                "event_type": types[i],
                "published_at": when,
                "evidence": evidence,
                "payload": payload,
                "stored_at": stored,
                "mode": mode,
                "country": country,
                "actor_country": actors[i],
                "recipient_country": recipients[i],
                "lat": lat,
                "lon": lon,
                "killed": killed,
                "confidence": payload["confidence"],
                "occurred_at": when,
                "updated_at": stored,
            }
        )
    return rows


async def load(url: str, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Load at the revision before the text-search indexes, then upgrade: the upgrade indexes the rows
    already stored, as it would an existing database (and loading without them is quicker).
    Returns the seconds of the load and of the upgrade."""
    started = time.perf_counter()
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine, LOAD_REVISION)
        table = db.EventRow.__table__
        if engine.dialect.name == "postgresql":
            import asyncpg

            columns = list(rows[0])
            conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
            try:
                records = [tuple(json.dumps(r[c]) if c == "payload" else r[c] for c in columns) for r in rows]
                for start in range(0, len(records), 50_000):
                    await conn.copy_records_to_table(
                        "events", records=records[start : start + 50_000], columns=columns
                    )
            finally:
                await conn.close()
        else:
            for start in range(0, len(rows), 20_000):
                async with engine.begin() as conn:
                    await conn.execute(insert(table), rows[start : start + 20_000])
        loaded = time.perf_counter()
        await db.upgrade(engine)
        upgraded = time.perf_counter()
        async with engine.connect() as conn:  # as autovacuum / a periodic ANALYZE would after a bulk load
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.exec_driver_sql(
                "VACUUM ANALYZE events" if engine.dialect.name == "postgresql" else "ANALYZE"
            )
    finally:
        await engine.dispose()
    return loaded - started, upgraded - loaded


async def time_queries(url: str, runs: int, updated_since: str) -> dict[str, dict[str, float]]:
    engine = db.make_engine(url)
    out: dict[str, dict[str, float]] = {}
    queries = dict(QUERIES)
    queries["updated_since=<last 1%>"] = {"updated_since": updated_since}
    try:
        first = await QUERY.page(engine, [], limit=100)
        deep_cursor = first.next_cursor
        for _ in range(49):  # the 50th page, by following `next`
            deep_cursor = (
                await QUERY.page(engine, [], limit=100, after=decode_cursor({"cursor": deep_cursor or ""}))
            ).next_cursor
        queries["no filter, page 51 (cursor)"] = {"cursor": deep_cursor or ""}
        for name, query in queries.items():
            samples = []
            rows = 0
            for run in range(runs + 1):
                started = time.perf_counter()
                found = EventFilter.parse(query)
                page = await QUERY.page(
                    engine, found.conditions(), limit=100, after=decode_cursor(query), search=found.q
                )
                render("json", SHAPE, page.rows, page.next_cursor)
                if run:
                    samples.append((time.perf_counter() - started) * 1000)
                rows = len(page.rows)
            samples.sort()
            out[name] = {
                "median_ms": round(statistics.median(samples), 2),
                "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
                "rows": rows,
            }
    finally:
        await engine.dispose()
    return out


def pg_database(admin: str) -> tuple[str, str]:
    name = f"newswire_bench_query_{uuid.uuid4().hex[:8]}"
    return name, admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def pg_admin(admin: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def reuse(url: str) -> None:
    """An existing bench database, brought to the head revision (a newer revision's indexes)."""
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine)
    finally:
        await engine.dispose()


async def last_percent(url: str, rows: int) -> str:
    """`updated_since` for the last 1 % of rows written (one a second), read from the data."""
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            latest = (await conn.execute(select(func.max(db.EventRow.updated_at)))).scalar_one()
    finally:
        await engine.dispose()
    assert latest is not None, "no events to time"
    latest = latest.replace(tzinfo=UTC) if latest.tzinfo is None else latest
    return str((latest - timedelta(seconds=rows // 100)).isoformat())


def bench_one(
    label: str, url: str, rows: list[dict[str, Any]] | None, args: argparse.Namespace
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if rows is None:
        print(f"{label}: reusing {url} ...", file=sys.stderr)
        asyncio.run(reuse(url))
    else:
        print(f"{label}: loading ...", file=sys.stderr)
        load_s, upgrade_s = asyncio.run(load(url, rows))
        print(f"{label}: loaded in {load_s:.0f} s, upgraded in {upgrade_s:.0f} s", file=sys.stderr)
        out = {"load_s": round(load_s, 1), "upgrade_s": round(upgrade_s, 1)}
    updated_since = asyncio.run(last_percent(url, args.rows))
    out["queries"] = asyncio.run(time_queries(url, args.runs, updated_since))
    print(json.dumps({label: out}), file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--postgres", default=PG_ADMIN, help="admin URL; '' skips PostgreSQL")
    parser.add_argument("--keep", type=Path, help="keep the SQLite file here")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--reuse-sqlite", type=Path, help="time this file of an earlier run (same --rows)")
    parser.add_argument("--reuse-postgres", help="time this database URL of an earlier run (same --rows)")
    args = parser.parse_args(argv)
    reusing = args.reuse_sqlite is not None or args.reuse_postgres is not None
    rows = None
    if not reusing:
        print(f"generating {args.rows:,} events ...", file=sys.stderr)
        rows = make_rows(args.rows, datetime.now(UTC))
    results: dict[str, Any] = {"rows": args.rows, "runs": args.runs, "databases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        if args.reuse_sqlite:
            results["databases"]["sqlite"] = bench_one(
                "sqlite", f"sqlite+aiosqlite:///{args.reuse_sqlite}", None, args
            )
        if args.reuse_postgres:
            results["databases"]["postgresql"] = bench_one("postgresql", args.reuse_postgres, None, args)
        if not reusing and args.only != "postgresql":
            path = args.keep or Path(tmp) / "bench.db"
            results["databases"]["sqlite"] = bench_one("sqlite", f"sqlite+aiosqlite:///{path}", rows, args)
        if not reusing and args.postgres and args.only != "sqlite":
            name, url = pg_database(args.postgres)
            asyncio.run(pg_admin(args.postgres, f'CREATE DATABASE "{name}"'))
            try:
                results["databases"]["postgresql"] = bench_one("postgresql", url, rows, args)
            finally:
                asyncio.run(pg_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    labels = list(results["databases"])
    print(f"\nfirst page (limit 100, JSON) over {args.rows:,} events, median / p95 ms of {args.runs} runs")
    print(f"{'query':48}" + "".join(f"{label:>24}" for label in labels))
    for name in results["databases"][labels[0]]["queries"]:
        cells = []
        for label in labels:
            q = results["databases"][label]["queries"][name]
            cells.append(f"{q['median_ms']:>9.1f} / {q['p95_ms']:>6.1f} ({q['rows']:>3})")
        print(f"{name:48}" + "".join(f"{c:>24}" for c in cells))
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
