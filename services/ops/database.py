"""`newswire db upgrade`: apply the migrations the database has not had (services/store/migrations)."""

from __future__ import annotations

from services.runtime.settings import Settings
from services.runtime.worker import ensure_data_dir
from services.store import db
from services.store.errors import classify, database_name


async def upgrade(settings: Settings) -> str:
    """Upgrade the configured database to the newest revision; the line to print."""
    ensure_data_dir(settings)
    url = settings.sqlalchemy_url()
    db.create_sqlite_dir(url)
    engine = db.make_engine(url)
    try:
        await db.upgrade(engine)
        revision = await db.current_revision(engine)
    except Exception as exc:
        error = classify(exc, url)
        if error is exc:
            raise
        raise error from exc
    finally:
        await engine.dispose()
    return f"database {database_name(url)} at revision {revision} (head {db.head_revision()})"
