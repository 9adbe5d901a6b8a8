"""Alembic migrations of the store's database; `newswire db upgrade` runs them (services/store/db.py)."""
