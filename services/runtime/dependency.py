"""A dependency a worker gets ready once and then uses from every handler (the database whose schema
the store and the incident worker upgrade at first use).

Both stages need the same three things, and `Dependency` does them in one place:
- at start, try to get it ready; when it is down, start anyway (the handlers wait for it), but stop on
  anything else (a database that does not exist, a refused login);
- get it ready in the first handler that runs once it is back, and only once;
- turn what it raises into the failure model (services/runtime/errors.py) through the stage's
  classifier: an outage waits, bad data is dead-lettered, a bad configuration stops the worker, and an
  error the classifier does not know is raised unchanged (retried, then dead-lettered).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.runtime.errors import DependencyUnavailable
from services.runtime.metrics import Metrics

log = logging.getLogger(__name__)
T = TypeVar("T")

Classifier = Callable[[BaseException], BaseException]


class Dependency:
    """`prepare` makes the dependency usable (idempotent: it runs again after a failure);
    `classify` maps what it raises to the failure model, returning the error itself when it has
    nothing better; `where` labels the log line and `newswire_errors_total`."""

    def __init__(
        self,
        where: str,
        prepare: Callable[[], Awaitable[None]],
        classify: Classifier,
        metrics: Metrics | None = None,
    ) -> None:
        self.where = where
        self._prepare = prepare
        self._classify = classify
        self._metrics = metrics
        self._ready = False

    @property
    def ready(self) -> bool:
        return self._ready

    async def ensure(self) -> None:
        """Prepare the dependency unless that already succeeded; raises what `prepare` raises."""
        if not self._ready:
            await self._prepare()
            self._ready = True

    async def start(self) -> None:
        """The start hook: ready now, or down and left to the handlers; any other error stops the worker."""
        try:
            await self.ensure()
        except Exception as exc:
            error = self._classify(exc)
            if not isinstance(error, DependencyUnavailable):
                raise error from exc
            log.warning("%s not ready at start, the handlers wait for it: %s", self.where, error)
            if self._metrics is not None:
                self._metrics.errors.labels(self.where, "dependency").inc()

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """`work()` once the dependency is ready, its errors classified."""
        try:
            await self.ensure()
            return await work()
        except Exception as exc:
            error = self._classify(exc)
            if error is exc:
                raise
            raise error from exc
