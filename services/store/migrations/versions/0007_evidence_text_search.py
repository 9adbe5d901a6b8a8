"""Text search indexes on the evidence of events and incidents, for `q` (services/store/search.py).

SQLite: an FTS5 table per table (`events_fts`, `incidents_fts`) with the trigram tokenizer, external
content (the evidence is not stored twice; the FTS rowid is the row's rowid), filled from the rows
already stored and kept in sync by triggers on insert, delete and a changed evidence. U+0130 (İ) is
indexed as i, the one letter FTS5 does not fold as `services.store.search.fold` does. A later revision
that copies `events` or `incidents` (a batch ALTER) drops these triggers with the old table and
renumbers rowids: it must run `_sqlite_downgrade` and `_sqlite_upgrade` of this revision again.
PostgreSQL: the pg_trgm extension (trusted: the database's owner may create it) and a trigram GIN index
per table, which serves `ILIKE '%q%'`; building it indexes the rows already stored.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("events", "incidents")


def _sqlite_upgrade(table: str) -> None:
    fts = f"{table}_fts"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(evidence, content='{table}', content_rowid='rowid', "
        "tokenize='trigram')"
    )
    indexed = "replace({}.evidence, char(304), 'i')"  # İ as i
    op.execute(f"INSERT INTO {fts}(rowid, evidence) SELECT rowid, {indexed.format(table)} FROM {table}")
    add = f"INSERT INTO {fts}(rowid, evidence) VALUES (new.rowid, {indexed.format('new')});"
    remove = (
        f"INSERT INTO {fts}({fts}, rowid, evidence) VALUES ('delete', old.rowid, {indexed.format('old')});"
    )
    op.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END")
    op.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
    op.execute(
        f"CREATE TRIGGER {fts}_update AFTER UPDATE OF evidence ON {table} "
        f"WHEN old.evidence IS NOT new.evidence BEGIN {remove} {add} END"
    )


def _sqlite_downgrade(table: str) -> None:
    fts = f"{table}_fts"
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
    op.execute(f"DROP TABLE IF EXISTS {fts}")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            _sqlite_upgrade(table)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in TABLES:
        op.execute(f"CREATE INDEX ix_{table}_evidence_trgm ON {table} USING gin (evidence gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            _sqlite_downgrade(table)
        return
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_evidence_trgm")
