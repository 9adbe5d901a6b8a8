"""Alembic migrations on SQLite and PostgreSQL: from nothing, from the previous revision, and the
models never drift from the revisions (a new column without a revision fails here)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, insert, text

from services.store import db
from tests.schemas.test_schemas import make_event
from tests.store.test_db import make_article


def _diff(connection: Connection) -> list[Any]:
    return list(
        compare_metadata(
            MigrationContext.configure(connection, opts={"include_name": db.include_name}), db.Base.metadata
        )
    )


def previous_revision() -> str:
    script = ScriptDirectory.from_config(db.alembic_config())
    head = script.get_revision(db.head_revision())
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


async def test_upgrade_from_nothing_reaches_head_and_matches_the_models(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        assert await db.current_revision(engine) is None
        await db.upgrade(engine)
        await db.upgrade(engine)  # idempotent
        assert await db.current_revision(engine) == db.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_a_database_at_the_previous_revision_is_upgraded_keeping_its_rows(database_url: str) -> None:
    previous = "0003"  # before the events' query columns (0004), whose backfill this checks
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine, previous)
        assert await db.current_revision(engine) == previous
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) != []  # the head revision's changes are missing
        await db.upsert_articles(engine, [make_article(1), make_article(2)])
        old = {
            "event_id": "e1",
            "article_id": "a1",
            "event_type": "assault",
            "evidence": "Russia fired",
            "payload": make_event().model_dump(mode="json"),
            "stored_at": datetime(2025, 9, 21, tzinfo=UTC),
        }
        async with engine.begin() as conn:  # an event stored by the previous revision's code
            await conn.execute(insert(db.EventRow.__table__).values(**old))
        await db.upgrade(engine)
        assert await db.current_revision(engine) == db.head_revision()
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            row = (await conn.execute(text("SELECT occurred_at, updated_at, confidence FROM events"))).one()
        assert row[0] is not None and row[1] is not None and row[2] == 0.9  # filled from the payload
        assert (await db.counts(engine))["articles"] == 2
    finally:
        await engine.dispose()


async def test_a_database_made_before_migrations_is_adopted(database_url: str) -> None:
    """Tables made by `create_all` (the code before migrations), no alembic_version: kept and upgraded."""
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine, "0001")  # the tables create_all made then ...
        async with engine.begin() as conn:
            await conn.execute(text("DROP TABLE alembic_version"))  # ... with no revision recorded
        assert await db.current_revision(engine) is None
        await db.upsert_articles(engine, [make_article(3)])
        await db.upgrade(engine)
        assert await db.current_revision(engine) == db.head_revision()
        assert (await db.counts(engine))["articles"] == 1
    finally:
        await engine.dispose()
