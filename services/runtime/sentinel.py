"""Redis through Sentinel: the clients and the FastStream broker for a monitored master.

With `NEWSWIRE_REDIS_SENTINELS` set, every client asks the sentinels where the master is, and asks
again after a failover (redis-py's `SentinelConnectionPool`); `NEWSWIRE_REDIS_URL`, if also set, gives
only the credentials, database and TLS of the master's connections, not its address. Without
sentinels, clients connect to the URL. Redis Cluster is not supported on purpose: the MULTI/EXEC that
publishes a handler's outputs and acknowledges its input spans several streams (several hash slots).
"""

from __future__ import annotations

from typing import Any

from faststream.redis import RedisBroker, RedisSentinelBroker
from redis.asyncio import Redis
from redis.asyncio.connection import SSLConnection, parse_url
from redis.asyncio.sentinel import Sentinel

from services.runtime.settings import Settings

# The URL clients are given when only sentinels are configured: no credentials, database 0.
SENTINEL_PLACEHOLDER_URL = "redis://sentinel-discovered/0"


def master_connection_kwargs(url: str) -> dict[str, Any]:
    """What of a Redis URL applies to the master found through Sentinel: credentials, db, TLS."""
    kwargs: dict[str, Any] = dict(parse_url(url))
    kwargs.pop("host", None)
    kwargs.pop("port", None)
    if kwargs.pop("connection_class", None) is SSLConnection:
        kwargs["ssl"] = True
    return kwargs


def connect(url: str, settings: Settings, **client_kwargs: Any) -> Redis:
    """A client of the master: through the sentinels when configured, else straight to `url`."""
    if not settings.redis_sentinels:
        return Redis.from_url(url, **client_kwargs)
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        settings.sentinel_addresses(),
        socket_timeout=client_kwargs.pop("socket_timeout", 5.0),
        **master_connection_kwargs(url),
        **client_kwargs,
    )
    master: Redis = sentinel.master_for(settings.redis_master)
    return master


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
