"""The ASGI app of `newswire serve`: read-only HTTP on the store's database and the events topic."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services.api import events, filters, incidents, live, params
from services.api.access import AccessMiddleware, ApiMetrics
from services.runtime.connections import connect
from services.runtime.settings import Settings
from services.store import db

log = logging.getLogger(__name__)
PAGE = Path(__file__).resolve().parent / "page"


def _error(status: int, error: str, detail: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail, **extra}, status_code=status)


def create_app(settings: Settings, redis_url: str) -> FastAPI:
    """The API: the event and incident routers, the stream, health, metrics and the page."""
    metrics = ApiMetrics()
    app = FastAPI(
        title="newswire",
        version="0.1.0",
        description="Query, export and watch the events newswire extracts from the news. Read-only.",
        lifespan=_lifespan(settings, redis_url),
        docs_url=None,
        redoc_url=None,
    )
    app.include_router(events.router)
    app.include_router(incidents.router)

    _add_error_handlers(app)
    _add_routes(app, settings, metrics)
    app.mount("/static", StaticFiles(directory=PAGE), name="static")
    if settings.api_cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins, allow_methods=["GET"],
                           allow_headers=["*"], expose_headers=["Link"])  # fmt: skip
    app.add_middleware(AccessMiddleware, keys=settings.api_key_list(), metrics=metrics)
    return app


def _lifespan(
    settings: Settings, redis_url: str
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """The database, Redis and the live hub of the app's lifetime."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = db.make_engine(settings.sqlalchemy_url())
        try:
            await db.upgrade(engine)  # the schema only: the API writes no rows
        except (SQLAlchemyError, OSError) as exc:
            log.warning("database not ready at start: %s", type(exc).__name__)
        redis = connect(redis_url, settings, health_check_interval=10)
        hub = live.Hub(redis, settings.keys.events, settings.api_client_queue)
        stop = asyncio.Event()
        reader = asyncio.create_task(hub.run(stop))
        app.state.engine, app.state.redis, app.state.hub = engine, redis, hub
        try:
            yield
        finally:
            stop.set()
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)
            await redis.aclose()
            await engine.dispose()

    return lifespan


def _add_error_handlers(app: FastAPI) -> None:
    """Bad parameters are 400 with their name; a database or Redis that does not answer is 503."""

    @app.exception_handler(params.BadParameter)
    async def bad_parameter(_: Request, exc: params.BadParameter) -> JSONResponse:
        return _error(400, "bad_parameter", exc.message, parameter=exc.parameter)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        name = str((first.get("loc") or ("", "request"))[-1])
        return _error(400, "bad_parameter", str(first.get("msg", "invalid")), parameter=name)

    @app.exception_handler(SQLAlchemyError)
    @app.exception_handler(RedisError)
    @app.exception_handler(OSError)
    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("dependency unavailable: %s", type(exc).__name__)
        return _error(503, "unavailable", f"the database or Redis is unavailable ({type(exc).__name__})")


def _add_routes(app: FastAPI, settings: Settings, metrics: ApiMetrics) -> None:
    """/stream, /healthz, /metrics, /asyncapi.json and the page."""

    @app.get("/stream", summary="Live events as Server-Sent Events (same filters as /events)",
             response_model=None)  # fmt: skip
    async def stream(request: Request) -> Response:
        query = request.query_params
        params.check_known(query, (*events.FILTERS, "since", *filters.ACCESS))
        matches = events.EventFilter.parse(query).matches
        try:
            since = live.start_id(request.headers.get("last-event-id"), params.one(query, "since"))
        except ValueError:
            raise params.BadParameter("since", "an entry id of `events`, 0, or now") from None
        hub: live.Hub = request.app.state.hub
        try:
            await asyncio.wait_for(hub.ready.wait(), timeout=10)
        except TimeoutError:
            return _error(503, "unavailable", "the events stream is not readable yet")
        source = live.sse_events(hub, since, matches, settings.api_heartbeat_s, request.is_disconnected)
        return live.stream_response(source, settings.api_heartbeat_s)

    @app.get("/healthz", summary="200 when the database and Redis answer, else 503")
    async def healthz(request: Request) -> JSONResponse:
        report = {"database": "ok", "redis": "ok"}
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError) as exc:
            report["database"] = f"error: {type(exc).__name__}"
        try:
            await request.app.state.redis.ping()
        except (RedisError, OSError) as exc:
            report["redis"] = f"error: {type(exc).__name__}"
        ok = all(v == "ok" for v in report.values())
        body = {"status": "ok" if ok else "unavailable", **report}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/metrics", summary="Prometheus metrics", response_model=None)
    async def prometheus(request: Request) -> Response:
        hub: live.Hub = request.app.state.hub
        metrics.stream_clients.set(len(hub.clients))
        metrics.stream_dropped.set(hub.dropped_total)
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/asyncapi.json", summary="AsyncAPI 3.0 document of every stream", response_model=None)
    async def asyncapi() -> Response:
        from schemas.asyncapi import asyncapi_document

        return Response(json.dumps(asyncapi_document(settings.stream_prefix)), media_type="application/json")

    @app.get("/", summary="The events page", response_model=None, include_in_schema=False)
    async def page() -> Response:
        return FileResponse(PAGE / "index.html", media_type="text/html")
