"""The store's database layer, one body run against SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from schemas import Article, article_id_for
from services.store import db
from tests.schemas.test_schemas import make_event


def make_article(n: int, title: str = "t") -> Article:
    url = f"https://news.test/{n}"
    return Article(
        article_id=article_id_for(url), url=url, canonical_url=url, title=title, text=f"text {n}",
        content_hash=f"h{n}", published_at=datetime(2025, 9, 1, tzinfo=UTC), authors=["A. Writer"],
    )  # fmt: skip


async def test_upserts_are_idempotent(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        await db.upgrade(engine)  # a second upgrade is harmless
        articles = [make_article(i) for i in range(3)]
        await db.upsert_articles(engine, articles)
        await db.upsert_articles(engine, [make_article(1, title="updated")])
        event = make_event()
        await db.upsert_events(engine, [event])
        await db.upsert_events(engine, [event])
        counts = await db.counts(engine)
        assert counts["articles"] == 3
        assert counts["events"] == 1
        assert counts["events_by_type"] == {"assault": 1}
        recent = await db.recent_events(engine)
        assert recent[0]["quantities"][0]["value"] == 580
    finally:
        await engine.dispose()


async def test_a_batch_holding_the_same_id_twice_is_upserted_once(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        event = make_event()
        assert await db.upsert_events(engine, [event, event]) == 1
        await db.upsert_articles(engine, [make_article(7), make_article(7, title="again")])
        assert (await db.counts(engine))["articles"] == 1
    finally:
        await engine.dispose()


async def test_a_batch_larger_than_one_statement_is_stored_whole_and_updated_whole(database_url: str) -> None:
    # 2,500 article rows: more than one INSERT takes (1,000 rows, and about 32,700 parameters), so the
    # upsert is sent as several statements in one transaction
    engine = db.make_engine(database_url)
    try:
        await db.upgrade(engine)
        articles = [make_article(i) for i in range(2500)]
        assert await db.upsert_articles(engine, articles) == 2500
        renamed = [a.model_copy(update={"title": "renamed"}) for a in reversed(articles)]
        assert await db.upsert_articles(engine, renamed) == 2500
        ids, _ = await db.stored_ids(engine)
        assert sorted(ids) == sorted(a.article_id for a in articles)
        async with engine.connect() as conn:
            titles = set((await conn.execute(select(db.ArticleRow.title))).scalars())
        assert titles == {"renamed"}
    finally:
        await engine.dispose()
