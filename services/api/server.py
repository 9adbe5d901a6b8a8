"""Runs the API with uvicorn on the configured Redis (or the data dir's embedded one) until SIGTERM."""

from __future__ import annotations

import signal
from typing import Any

import uvicorn

from services.api.app import create_app
from services.runtime.connections import redis_url
from services.runtime.settings import Settings


class _Server(uvicorn.Server):
    """Stops gracefully on SIGTERM/SIGINT and exits 0, as the workers do (uvicorn would re-raise the
    signal after its shutdown, ending the process with -15)."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True


def serve_api(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    host = host or settings.api_host
    port = settings.api_port if port is None else port
    with redis_url(settings) as url:
        app = create_app(settings, url)
        print(f"newswire API on http://{host}:{port}/  (events page at /, API at /events)", flush=True)
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        _Server(config).run()
