"""Text search (`q`, services/store/search.py) on real SQLite and PostgreSQL: one meaning on both
databases, whichever plan SQLite takes, and the index kept in step as rows are written, rewritten and
deleted (the triggers of revision 0007), a database upgraded with rows in it included."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.store import db, search
from tests.api.harness import sample_event

TABLE = db.EventRow.__table__
TEXTS = {
    1: "Missiles hit the École Normale in Kharkiv overnight.",
    2: "Protesters filled 100% of the square_front, officials said.",
    3: "Straße closed after the shelling; İSTANBUL talks resumed.",
    4: 'A drone struck the hospital\'s "east wing".',
    5: "Back\\slash and a line about the HOSPITAL.",
    6: "Ceasefire talks in Doha.",
}
QUERIES = (
    "école", "ÉCOLE", "normale in", "100%", "%", "square_front", "e_f", "_", "straße", "STRASSE",
    "istanbul", '"east wing"', "'s", "\\", "hospital", "HOSPITAL'S", "zzyzx", "zq", "ha", "o", "talks",
    "the", "a",
)  # fmt: skip


# SQLite's plans: from the FTS5 rows; the listing order tested against the FTS5 set; each row checked
PLANS = ({"probe": 1_000}, {"probe": 1, "scan": 1_000_000}, {"probe": 1, "scan": 0})


async def found(engine: AsyncEngine, q: str, **plan: int) -> list[str]:
    async with engine.connect() as conn:
        where = await search.condition(conn, TABLE, "evidence", q, **plan)
        rows = await conn.execute(select(TABLE.c.event_id).where(where).order_by(TABLE.c.event_id))
    return list(rows.scalars())


def expected(q: str, texts: dict[int, str]) -> list[str]:
    return [f"e{n:06d}" for n, t in sorted(texts.items()) if search.contains(t, search.fold(q))]


async def test_q_means_one_thing_on_both_databases_and_either_plan(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        await db.upsert_events(engine, [sample_event(n, evidence=t) for n, t in TEXTS.items()])
        for q in QUERIES:
            for plan in PLANS:  # SQLite: each plan the probe may choose
                assert await found(engine, q, **plan) == expected(q, TEXTS), (q, plan)
        # the meaning itself: letters without case (beyond ASCII), everything else as written
        assert expected("ÉCOLE", TEXTS) == ["e000001"] and expected("istanbul", TEXTS) == ["e000003"]
        assert expected("STRASSE", TEXTS) == [] and expected("%", TEXTS) == ["e000002"]
        assert expected("\\", TEXTS) == ["e000005"] and expected("e_f", TEXTS) == ["e000002"]
        assert expected("hospital", TEXTS) == ["e000004", "e000005"]
    finally:
        await engine.dispose()


async def test_the_index_follows_writes_rewrites_and_deletes(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        await db.upsert_events(engine, [sample_event(1, evidence="Shelling near the border crossing.")])
        await db.upsert_events(engine, [sample_event(1, evidence="Shelling near the border crossing.")])
        assert await found(engine, "border cross", probe=1_000) == ["e000001"]
        await db.upsert_events(engine, [sample_event(1, evidence="Talks resumed at the airport.")])
        assert await found(engine, "border", probe=1_000) == []
        assert await found(engine, "AIRPORT", probe=1_000) == ["e000001"]
        async with engine.begin() as conn:
            await conn.execute(delete(TABLE).where(TABLE.c.event_id == "e000001"))
        assert await found(engine, "airport", probe=1_000) == []
        assert await found(engine, "airport", probe=1, scan=0) == []
    finally:
        await engine.dispose()


async def test_an_upgraded_database_finds_the_rows_stored_before(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine, "0006")
        await db.upsert_events(engine, [sample_event(n, evidence=t) for n, t in TEXTS.items()])
        await db.upgrade(engine)
        for q in ("hospital", "ÉCOLE", "talks"):
            assert await found(engine, q, probe=1_000) == expected(q, TEXTS)
        await db.upsert_events(engine, [sample_event(7, evidence="A new hospital opened.")])
        assert await found(engine, "hospital", probe=1_000) == ["e000004", "e000005", "e000007"]
    finally:
        await engine.dispose()
