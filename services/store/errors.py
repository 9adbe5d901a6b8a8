"""Database errors, classified into the failure model (services/runtime/errors.py).

| database error                                              | becomes                            |
|-------------------------------------------------------------|------------------------------------|
| cannot open or create the file; unknown database; bad login | `DatabaseMisconfigured` (exit 2)   |
| connection refused or reset; timeout; server shutting down  | `DatabaseDown` (wait)              |
| not accepting connections; any OperationalError             | `DatabaseDown` (wait)              |
| value too long, a constraint broken by bad data             | `BadData` (dead letter, reason)    |

Anything else is returned unchanged, so the consumer retries it and dead-letters it after
`max_deliveries`. The line always names the database, never its password.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from sqlalchemy.exc import DataError, IntegrityError, InterfaceError, OperationalError, StatementError

from services.runtime.errors import ConfigurationError, DependencyUnavailable, PermanentError
from services.runtime.settings import redact_url


class DatabaseDown(DependencyUnavailable):
    """The database does not answer: wait for it."""


class BadData(PermanentError):
    """The database refused the values of this message: dead-letter it with the reason."""


class DatabaseMisconfigured(ConfigurationError):
    """The database named in the configuration cannot be used as it is: stop with one line."""


# SQLSTATE classes and codes (PostgreSQL appendix A)
CONFIG_STATES = ("28", "3D000", "42501", "3F000")  # bad login, unknown database, no privilege, schema
DATA_STATES = ("22", "23")  # data exception, integrity constraint violation
# connection exceptions, insufficient resources, operator intervention, not accepting connections
# (ALLOW_CONNECTIONS false), serialization failure and deadlock
DOWN_STATES = ("08", "53", "57", "55000", "55006", "40001", "40P01")
SQLITE_CONFIG = ("unable to open database file", "readonly database", "not a database", "no such table")
SQLITE_DOWN = ("database is locked", "disk i/o error", "database table is locked")


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def database_name(url: str) -> str:
    """The database as it may appear in a log line: the URL without its password."""
    return redact_url(url)


def classify(exc: BaseException, url: str) -> BaseException:
    """The error of the failure model for a database error; `exc` itself when it is none of them."""
    where = database_name(url)
    for item in _chain(exc):
        found = _by_sqlstate(item, where) or _by_sqlite(item, where)
        if found is not None:
            return found
    for item in _chain(exc):
        found = _by_type(item, where)
        if found is not None:
            return found
    if isinstance(exc, StatementError) and exc.orig is None:  # a value SQLAlchemy could not bind
        return BadData(f"the database refused the values: {_first_line(exc)}")
    return exc


def _by_sqlstate(item: BaseException, where: str) -> BaseException | None:
    state = getattr(item, "sqlstate", None) or getattr(item, "pgcode", None)
    if not isinstance(state, str):
        return None
    if state.startswith(CONFIG_STATES):
        return DatabaseMisconfigured(f"database {where}: {_first_line(item)}")
    if state.startswith(DATA_STATES):
        return BadData(f"the database refused the values: {_first_line(item)}")
    if state.startswith(DOWN_STATES):
        return DatabaseDown(f"database {where} unavailable: {_first_line(item)}")
    return None


def _by_sqlite(item: BaseException, where: str) -> BaseException | None:
    if not isinstance(item, sqlite3.Error):
        return None
    message = str(item).lower()
    if any(text in message for text in SQLITE_CONFIG):
        return DatabaseMisconfigured(f"database {where}: {item}")
    if any(text in message for text in SQLITE_DOWN):
        return DatabaseDown(f"database {where} unavailable: {item}")
    if isinstance(item, sqlite3.IntegrityError | sqlite3.DataError):
        return BadData(f"the database refused the values: {item}")
    return None


def _by_type(item: BaseException, where: str) -> BaseException | None:
    if isinstance(item, DataError | IntegrityError):
        return BadData(f"the database refused the values: {_first_line(item)}")
    if isinstance(item, OSError):  # refused, reset, aborted (ConnectionError); timeouts; no route
        return DatabaseDown(f"database {where} unavailable: {type(item).__name__}: {item}")
    if isinstance(item, OperationalError | InterfaceError):  # the driver's "the database failed us"
        return DatabaseDown(f"database {where} unavailable: {_first_line(item)}")
    return None
