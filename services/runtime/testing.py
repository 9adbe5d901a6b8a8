"""An in-memory harness for a worker's handlers: messages in, outputs (or the failure model's decision)
out, with no Redis. The StubBroker / TestRedisBroker idea, on our `Output` seam: what a handler returns
is exactly what `ReliableConsumer` would publish in the step that acknowledges the input.

Delivery guarantees (ack after publish, reclaim, dead letters on Redis) are not simulated here; they
are tested on a real Redis (tests/runtime/test_consumer.py, tests/test_faults.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from services.runtime.errors import Decision, decide
from services.runtime.streams import Output, TopicEntry
from services.runtime.worker import Subscription, WorkerSpec


@dataclass
class Handled:
    """What happened to one message: its outputs when handled, else the error and the decision."""

    decision: Decision
    outputs: list[Output] = field(default_factory=list)
    error: BaseException | None = None

    def published(self, stream: str) -> list[BaseModel]:
        """The models published on `stream` (a full key), topics included."""
        out: list[BaseModel] = []
        for output in self.outputs:
            if isinstance(output, TopicEntry) and output.stream == stream:
                out.append(output.model)
            elif isinstance(output, tuple) and output[0] == stream:
                out.append(output[1])
        return out


class WorkerHarness:
    """Runs the handlers of a `WorkerSpec` in memory."""

    def __init__(self, spec: WorkerSpec, max_deliveries: int = 5) -> None:
        self.spec = spec
        self.max_deliveries = max_deliveries

    def subscription(self, stream: str) -> Subscription:
        for sub in self.spec.subscriptions:
            if sub.stream == stream:
                return sub
        raise KeyError(f"{self.spec.name} does not subscribe to {stream!r}")

    async def send(self, stream: str, message: BaseModel | bytes, deliveries: int = 1) -> Handled:
        """Hand one message (a model, or raw bytes as they would sit on the stream) to the handler."""
        sub = self.subscription(stream)
        policy_max = sub.retry.max_deliveries or self.max_deliveries
        try:
            model = self._validated(sub, message)
        except ValidationError as exc:
            return Handled("dead-letter", error=exc)
        try:
            outputs = await sub.handle(model)
        except Exception as exc:
            return Handled(decide(exc, deliveries, policy_max), error=exc)
        return Handled("ack", outputs=list(outputs))

    async def send_batch(self, stream: str, messages: Sequence[BaseModel]) -> Handled:
        sub = self.subscription(stream)
        if sub.handle_batch is None:
            raise TypeError(f"{stream!r} is not read in batches")
        try:
            outputs = await sub.handle_batch([self._validated(sub, m) for m in messages])
        except Exception as exc:
            return Handled(decide(exc, 1, sub.retry.max_deliveries or self.max_deliveries), error=exc)
        return Handled("ack", outputs=list(outputs))

    @staticmethod
    def _validated(sub: Subscription, message: BaseModel | bytes) -> Any:
        body = message if isinstance(message, bytes) else message.model_dump_json().encode()
        return sub.model.model_validate_json(body)
