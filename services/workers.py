"""Builds a worker's spec by name (the names are in services/runtime/topology.py); imports only the
worker asked for, so an ingest process never loads the extraction engine."""

from __future__ import annotations

from services.runtime.metrics import Metrics
from services.runtime.settings import Settings
from services.runtime.topology import EXTRACTOR, INGEST, STORE
from services.runtime.worker import WorkerSpec


def build_worker(name: str, settings: Settings, metrics: Metrics) -> WorkerSpec:
    if name == INGEST.name:
        from services.ingest.worker import build_ingest

        return build_ingest(settings, metrics)
    if name == EXTRACTOR.name:
        from services.extractor.worker import build_extractor

        return build_extractor(settings, metrics)
    if name == STORE.name:
        from services.store.worker import build_store

        return build_store(settings, metrics)
    if name == "incidents":
        from services.incidents.worker import build_incidents

        return build_incidents(settings, metrics)
    raise ValueError(f"unknown worker {name!r}")
