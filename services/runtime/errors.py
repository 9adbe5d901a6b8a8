"""The failure model: one error hierarchy, and the retry policy a subscription declares.

| raised by a handler           | what the consumer does                                          |
|-------------------------------|-----------------------------------------------------------------|
| `PermanentError` (bad input)  | dead letter at once, with the reason                            |
| `RetryLater(after=s)`         | retry after the delay the other side gave (capped by the policy) |
| `DependencyUnavailable`       | wait with capped backoff, without limit; never a dead letter    |
| `ConfigurationError`          | the worker stops and exits with code 2 and one line             |
| any other exception           | retry with backoff, dead letter after `max_deliveries`          |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


class NewswireError(Exception):
    """Base of every error newswire raises on purpose."""


class PermanentError(NewswireError):
    """Input that no retry can fix: the entry is dead-lettered at once with this message as the reason."""


class RetryLater(NewswireError):
    """The other side asked us to come back later (HTTP 429/503 with Retry-After, a transient failure)."""

    def __init__(self, message: str, after: float | None = None) -> None:
        super().__init__(message)
        self.after = after


class DependencyUnavailable(NewswireError):
    """Something the handler needs (the database) is down: the message is fine, so it waits, without
    limit and never dead-lettered, with capped backoff."""


class ConfigurationError(NewswireError):
    """The worker cannot work as configured (a database that does not exist, bad credentials, a path
    it cannot create): it exits with code 2 and this message as its one line. Never holds a secret."""


@dataclass(frozen=True)
class RetryPolicy:
    """How one subscription retries (the dramatiq `Retries` middleware, declared per subscription).

    `max_deliveries` None means `NEWSWIRE_MAX_DELIVERIES`. Backoff after delivery n is
    `base_s * 2**(n-1)`, at most `max_backoff_s`; a dependency outage waits the same way up to
    `dependency_max_s`; a `RetryLater` delay is honoured up to `retry_after_cap_s`.
    """

    max_deliveries: int | None = None
    base_s: float = 0.5
    max_backoff_s: float = 30.0
    dependency_max_s: float = 30.0
    retry_after_cap_s: float = 3600.0

    def backoff(self, deliveries: int) -> float:
        return min(self.base_s * 2.0 ** max(0, min(deliveries, 32) - 1), self.max_backoff_s)

    def dependency_wait(self, attempt: int) -> float:
        return min(self.base_s * 2.0 ** max(0, min(attempt, 32) - 1), self.dependency_max_s)

    def retry_after(self, deliveries: int, after: float | None) -> float:
        backoff = self.backoff(deliveries)
        if after is None:
            return backoff
        return max(backoff, min(float(after), self.retry_after_cap_s))


Decision = Literal["ack", "dead-letter", "retry", "wait", "stop"]


def decide(exc: BaseException, deliveries: int, max_deliveries: int) -> Decision:
    """What the consumer does with an entry whose handler raised `exc` at delivery `deliveries`."""
    if isinstance(exc, PermanentError):
        return "dead-letter"
    if isinstance(exc, ConfigurationError):
        return "stop"
    if isinstance(exc, DependencyUnavailable):
        return "wait"
    return "dead-letter" if deliveries >= max_deliveries else "retry"
