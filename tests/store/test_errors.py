"""Database errors classified on real SQLite and PostgreSQL: configuration, outage or bad data."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from services.store import db
from services.store.errors import BadData, DatabaseDown, DatabaseMisconfigured, classify
from tests.store.test_db import make_article


async def error_of(url: str, *, write: bool = False, language: str = "en") -> BaseException:
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine)
        if write:
            await db.upsert_articles(engine, [make_article(1).model_copy(update={"language": language})])
    except Exception as exc:
        return classify(exc, url)
    finally:
        await engine.dispose()
    raise AssertionError("no error")


def test_sqlite_folder_that_cannot_be_created_is_a_configuration_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseMisconfigured, match="cannot create") as caught:
        db.create_sqlite_dir(f"sqlite+aiosqlite:///{blocker}/sub/newswire.db")
    assert str(blocker / "sub" / "newswire.db") in str(caught.value)


def test_sqlite_file_that_cannot_be_opened_is_a_configuration_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}"  # a folder, not a file
    with pytest.raises(sqlite3.OperationalError) as caught:
        sqlite3.connect(tmp_path)
    error = classify(caught.value, url)
    assert isinstance(error, DatabaseMisconfigured)
    assert str(tmp_path) in str(error) and "unable to open database file" in str(error)


def test_sqlite_folder_is_created_when_missing(tmp_path: Path) -> None:
    db.create_sqlite_dir(f"sqlite+aiosqlite:///{tmp_path}/new/dir/newswire.db")
    assert (tmp_path / "new" / "dir").is_dir()


async def test_sqlite_constraint_broken_by_bad_data_is_a_dead_letter(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine)
        with pytest.raises(Exception) as caught:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO events (event_id) VALUES ('e1')"))
    finally:
        await engine.dispose()
    error = classify(caught.value, url)
    assert isinstance(error, BadData) and "NOT NULL" in str(error)


def _pg(postgres_url: str, *, database: str | None = None, user: str = "postgres", port: int = 5432) -> str:
    base, name = postgres_url.rsplit("/", 1)
    host = base.rsplit("@", 1)[1].split(":", 1)[0]
    return f"postgresql+asyncpg://{user}:s3cret-pw@{host}:{port}/{database or name}"


@pytest.mark.postgres
async def test_unknown_postgres_database_is_a_configuration_error_without_the_password(
    postgres_url: str,
) -> None:
    error = await error_of(_pg(postgres_url, database="newswire_no_such_db"))
    assert isinstance(error, DatabaseMisconfigured)
    assert "newswire_no_such_db" in str(error) and "s3cret-pw" not in str(error)


@pytest.mark.postgres
async def test_postgres_login_refused_is_a_configuration_error(postgres_url: str) -> None:
    error = await error_of(_pg(postgres_url, user="newswire_no_such_role"))
    assert isinstance(error, DatabaseMisconfigured)
    assert "newswire_no_such_role" in str(error) and "s3cret-pw" not in str(error)


@pytest.mark.postgres
async def test_postgres_connection_refused_is_an_outage(postgres_url: str) -> None:
    error = await error_of(_pg(postgres_url, port=1))
    assert isinstance(error, DatabaseDown) and "s3cret-pw" not in str(error)


@pytest.mark.postgres
async def test_postgres_value_too_long_is_a_dead_letter_with_the_reason(postgres_url: str) -> None:
    error = await error_of(postgres_url, write=True, language="x" * 40)
    assert isinstance(error, BadData) and "too long" in str(error)
