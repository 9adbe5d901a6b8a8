"""Redis connections: the configured server, the data dir's embedded one, or a master found through
Sentinel; every Redis client and FastStream broker of newswire is made here (the arq `connections.py`
shape), so addresses, credentials and timeouts are decided in one place.

With `NEWSWIRE_REDIS_SENTINELS` set, every client asks the sentinels where the master is, and asks
again after a failover (redis-py's `SentinelConnectionPool`); `NEWSWIRE_REDIS_URL`, if also set, gives
only the credentials, database and TLS of the master's connections, not its address. Redis Cluster is
not supported on purpose: the script (or MULTI/EXEC) that publishes a handler's outputs and
acknowledges its input spans several streams (several hash slots).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

from faststream.redis import RedisBroker, RedisSentinelBroker
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, parse_url
from redis.asyncio.sentinel import Sentinel

from services.runtime.embedded_redis import embedded_redis
from services.runtime.errors import ConfigurationError
from services.runtime.settings import Settings

# The URL clients are given when only sentinels are configured: no credentials, database 0.
SENTINEL_PLACEHOLDER_URL = "redis://sentinel-discovered/0"


@contextlib.contextmanager
def redis_url(settings: Settings) -> Iterator[str]:
    """The configured Redis URL, or the data dir's embedded server (found running, or started).
    With sentinels configured, the URL only carries credentials: clients find the master themselves."""
    if settings.redis_sentinels:
        configured = settings.redis_url
        yield SENTINEL_PLACEHOLDER_URL if configured is None else configured.get_secret_value()
        return
    if settings.redis_url is not None:
        yield settings.redis_url.get_secret_value()
        return
    with embedded_redis(settings.data_dir) as url:
        yield url


def configured_redis_url(settings: Settings) -> str:
    """The Redis URL a worker must have been given (`newswire run` and `worker` fill it in)."""
    if settings.redis_url is None and settings.redis_sentinels:
        return SENTINEL_PLACEHOLDER_URL
    if settings.redis_url is None:
        raise ConfigurationError(
            "NEWSWIRE_REDIS_URL must be set for a worker (newswire run starts one for you)"
        )
    return settings.redis_url.get_secret_value()


def master_connection_kwargs(url: str) -> dict[str, Any]:
    """What of a Redis URL applies to the master found through Sentinel: credentials, db, TLS."""
    kwargs: dict[str, Any] = dict(parse_url(url))
    kwargs.pop("host", None)
    kwargs.pop("port", None)
    if kwargs.pop("connection_class", None) is SSLConnection:
        kwargs["ssl"] = True
    return kwargs


class SentinelMaster(Redis):
    """The master's client; closing it also closes its connections to the sentinels."""

    sentinel_manager: Sentinel | None = None

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        for client in self.sentinel_manager.sentinels if self.sentinel_manager else []:
            await client.aclose()


def connect(url: str, settings: Settings, **client_kwargs: Any) -> Redis:
    """A client of the master: through the sentinels when configured, else straight to `url`."""
    if not settings.redis_sentinels:
        return Redis.from_url(url, **client_kwargs)
    sentinel = Sentinel(
        settings.sentinel_addresses(),
        socket_timeout=client_kwargs.pop("socket_timeout", 5.0),
        **master_connection_kwargs(url),
        **client_kwargs,
    )
    master: SentinelMaster = sentinel.master_for(settings.redis_master, redis_class=SentinelMaster)
    master.sentinel_manager = sentinel
    return master


@contextlib.asynccontextmanager
async def redis_client(url: str, settings: Settings) -> AsyncIterator[Redis]:
    client = connect(url, settings)
    try:
        yield client
    finally:
        await client.aclose()


def make_broker(url: str, settings: Settings, **broker_kwargs: Any) -> RedisBroker:
    """FastStream's broker for the same Redis `connect` reaches."""
    if not settings.redis_sentinels:
        return RedisBroker(url, **broker_kwargs)
    return RedisSentinelBroker(
        url,
        sentinels=settings.sentinel_addresses(),
        sentinel_master_name=settings.redis_master,
        **broker_kwargs,
    )
