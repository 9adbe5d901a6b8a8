"""`newswire worker NAME`: one worker process (the container entrypoint), on the configured Redis or
the data dir's embedded one."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from pydantic import SecretStr

from services.runtime.connections import redis_url
from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.worker import run_worker
from services.workers import build_worker


def setup_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in ("faststream", "faststream.access", "faststream.access.redis"):
        logging.getLogger(name).setLevel(logging.WARNING)


def run_named_worker(name: str, settings: Settings) -> None:
    # Until the worker's loop takes over SIGTERM, stopping during start-up is a clean exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with redis_url(settings) as url:
        settings = settings.model_copy(update={"redis_url": SecretStr(url)})
        metrics = Metrics(name)
        spec = build_worker(name, settings, metrics)
        asyncio.run(run_worker(spec, settings, metrics))
