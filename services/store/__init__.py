"""The store worker: persists articles and events idempotently (SQLite by default, PostgreSQL in production)."""
