"""Text search in the stored evidence: what `q` of GET /events and GET /incidents means, on both databases.

`q` matches a row when its evidence contains q as a plain substring, letters compared without case
(both lower-cased, Unicode): no wildcards, no word boundaries, no stemming. `%`, `_` and `\\` are
ordinary characters.

- PostgreSQL: `evidence ILIKE '%q%'` (its wildcards escaped). ILIKE lower-cases both sides by the
  database's ctype, which any UTF-8 locale (C.UTF-8, en_US.UTF-8) does as `fold` below. A pg_trgm GIN
  index serves it (revision 0007); the planner chooses between that index and the listing order.
- SQLite: an FTS5 table with the trigram tokenizer over the evidence (external content, kept in sync
  by triggers; revision 0007) finds the candidate rows, and `newswire_contains` (`contains` below,
  registered on every connection by `register`) decides each row. FTS5 folds case by Unicode 6.1 and
  the triggers index U+0130 (İ) as i, as `fold` does. SQLite keeps no statistics on FTS5 tables, so
  the plan is chosen here from the first `PROBE` rows the index finds, in rowid (storage) order:
  none, an empty page at once; fewer, the page is read from those rows and sorted; else the number M
  of rows holding q is estimated from how far into the table (N rows) the `PROBE`th is. In listing
  order a page then needs about 100·N/M rows, each a table read, while testing against the FTS5 set
  costs about M (the set is built first): with M² ≥ `SCAN`·N (at a million rows, M of 2 % and more)
  each row in listing order is checked, else the covering listing index is read in order, keeping the
  rows in the FTS5 set. Either reads the index with the evidence in it (`ix_events_listing_text`,
  revision 0008), not the table, until the page is full. The set costs more than M when q's trigrams
  are each common though q is not (a phrase of two common words): up to a few hundred ms on a million
  rows.

A q of one or two characters has no trigram, so no index serves it on either database: it is checked
row by row in the listing order (on PostgreSQL as `lower(evidence) LIKE lower('%q%')`, ILIKE's own
definition, which keeps the planner off the trigram index: a full scan of that index is slower still).
A common one fills its page at once; a rare one reads every row, seconds on a million.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, Table, and_, column, false, func, literal_column, text
from sqlalchemy.ext.asyncio import AsyncConnection

FUNCTION = "newswire_contains"
TRIGRAM = 3
PROBE = 2_000  # rows read from the FTS5 index first: fewer, and the page is read from them
SCAN = 400  # M² ≥ SCAN·N (M rows estimated to hold q, of N): each row in listing order is checked
FTS_TABLES = {"events": "events_fts", "incidents": "incidents_fts"}


def fold(value: str) -> str:
    """Lower case, one character for one (as PostgreSQL and FTS5 fold): only U+0130 (İ) lower-cases to
    two characters in Python."""
    return value.replace("\u0130", "i").lower()


def contains(evidence: str | None, folded_q: str | None) -> bool:
    """The meaning of `q` on one text; `folded_q` is `fold(q)`."""
    return evidence is not None and folded_q is not None and folded_q in fold(evidence)


def register(dbapi_connection: Any) -> None:
    """Give a SQLite connection the function its `q` conditions call."""
    dbapi_connection.create_function(FUNCTION, 2, contains, deterministic=True)


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def fts_phrase(q: str) -> str:
    """q as one FTS5 string: with the trigram tokenizer, the rows containing it (letters folded)."""
    return '"' + q.replace('"', '""') + '"'


async def condition(
    conn: AsyncConnection, table: Table, column_name: str, q: str, *, probe: int = PROBE, scan: int = SCAN
) -> ColumnElement[bool]:
    """The SQL condition for `q` on `table.column_name`, for the database `conn` is on (on SQLite the
    plan chosen by `probe` and `scan`, as the module says)."""
    evidence = table.c[column_name]
    pattern = f"%{escape_like(q)}%"
    if conn.dialect.name != "sqlite":
        if len(q) < TRIGRAM:  # ILIKE spelt so that the trigram index, which cannot serve it, is not used
            return func.lower(evidence).like(func.lower(pattern), escape="\\")
        return evidence.ilike(pattern, escape="\\")
    check: ColumnElement[bool] = func.newswire_contains(evidence, fold(q)) == 1
    if len(q) < TRIGRAM:
        return check
    fts = FTS_TABLES[table.name]
    phrase = fts_phrase(q)
    matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH :phrase"
    first = text(f"{matching} ORDER BY rowid LIMIT :probe")
    found = list((await conn.execute(first, {"phrase": phrase, "probe": probe})).scalars())
    if not found:
        return false()
    if len(found) < probe:
        return and_(literal_column(f"{table.name}.rowid", Integer).in_(found), check)
    last = (await conn.execute(text(f"SELECT max(rowid) FROM {table.name}"))).scalar_one()
    estimate = probe * int(last) / found[-1]
    if estimate * estimate >= scan * int(last):
        return check
    keep = text(matching).bindparams(phrase=phrase).columns(column("rowid"))
    # unary + : the listing index is scanned in order, the FTS5 set only tested (not a rowid lookup)
    return and_(literal_column(f"+{table.name}.rowid", Integer).in_(keep), check)
