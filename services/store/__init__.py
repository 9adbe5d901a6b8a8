"""The store worker: persists articles and events idempotently (SQLite default, PostgreSQL in production)."""
