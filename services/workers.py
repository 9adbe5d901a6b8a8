"""Builds a worker's spec by name; imports only the worker asked for."""

from __future__ import annotations

from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.worker import WorkerSpec


def build_worker(name: str, settings: Settings, metrics: Metrics) -> WorkerSpec:
    if name == "ingest":
        from services.ingest.worker import build_ingest

        return build_ingest(settings, metrics)
    if name == "extractor":
        from services.extractor.worker import build_extractor

        return build_extractor(settings, metrics)
    if name == "store":
        from services.store.worker import build_store

        return build_store(settings, metrics)
    raise ValueError(f"unknown worker {name!r}")
