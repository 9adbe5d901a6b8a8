"""All configuration as one typed object, read from `NEWSWIRE_*` environment variables."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.runtime.topology import WORKERS, Keys

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", extra="ignore")

    redis_url: SecretStr | None = Field(
        default=None, description="`redis://`, `rediss://` (TLS) or `unix://`; unset: an embedded Redis"
    )
    redis_sentinels: str = Field(default="", description="host:port,... of Redis Sentinels; empty: none")
    redis_master: str = Field(default="mymaster", min_length=1, description="the master sentinels monitor")
    database_url: SecretStr | None = Field(
        default=None,
        description="`postgresql+asyncpg://user:pw@host/db` or `sqlite+aiosqlite:///path`; "
        "unset: SQLite `newswire.db` under the data dir",
    )
    data_dir: Path = Field(
        default=Path(".newswire"),
        description="embedded Redis files and the SQLite database; created if missing",
    )
    stream_prefix: str = Field(default="newswire:", description="prefix of every stream and key")
    consumer: str = Field(
        default_factory=socket.gethostname, min_length=1, description="the replica's stable consumer name"
    )
    metrics_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="`/metrics` and `/healthz`; unset: 9101/9102/9103; 0 disables",
    )
    metrics_host: str = Field(default="0.0.0.0", description="address the metrics server listens on")
    log_level: LogLevel = Field(default="WARNING", description="DEBUG, INFO, WARNING or ERROR")

    # delivery guarantees
    max_deliveries: int = Field(
        default=5, ge=1, description="deliveries of a failing entry before its dead letter"
    )
    batch_size: int = Field(default=50, ge=1, description="entries the store upserts in one transaction")
    prefetch: int = Field(
        default=4, ge=1, description="entries a replica reads ahead (small keeps replicas fair)"
    )
    reclaim_idle_ms: int = Field(
        default=60_000, ge=100, description="idle time after which another replica takes a pending entry"
    )
    reclaim_interval_s: float = Field(
        default=5.0, gt=0, description="how often pending entries are reclaimed"
    )
    trim_interval_s: float = Field(
        default=30.0, gt=0, description="how often acknowledged entries are trimmed"
    )
    topic_maxlen: int = Field(default=100_000, ge=1, description="length cap of each public topic")
    topic_retention_s: float = Field(
        default=86_400.0, gt=0, description="public topics (events, events.<type>) keep entries this long"
    )
    articles_max_lag: int = Field(
        default=5_000, ge=1, description="ingest holds back while the extractor lags more on `articles`"
    )
    progress_interval_s: float = Field(
        default=10.0, ge=0, description="`newswire run` prints a progress line this often (0: never)"
    )
    shutdown_timeout_s: float = Field(
        default=20.0, gt=0, description="bound on finishing in-flight work after SIGTERM"
    )
    redis_retry_max_s: float = Field(default=30.0, gt=0, description="longest wait between Redis reconnects")

    # Redis memory
    seen_max_age_s: float = Field(
        default=30 * 86_400.0, gt=0, description="a URL seen longer ago may be fetched again"
    )
    seen_max_urls: int = Field(default=1_000_000, ge=1, description="URLs remembered as seen, newest kept")
    feed_entries_max_age_s: float = Field(
        default=30 * 86_400.0, gt=0, description="a feed entry gone from its feed this long is forgotten"
    )
    feed_entries_max: int = Field(
        default=10_000, ge=1, description="entries remembered per feed, newest kept"
    )

    # fetching
    user_agent: str = Field(
        default="newswire/0.1 (+https://github.com/newswire/newswire)", description="sent with every request"
    )
    fetch_timeout_s: float = Field(default=20.0, gt=0, description="timeout of one HTTP request")
    max_page_bytes: int = Field(default=5_000_000, ge=1024, description="larger bodies are abandoned")
    max_redirects: int = Field(default=5, ge=0, description="redirects followed per fetch")
    allow_private_networks: bool = Field(
        default=False, description="fetch loopback and private addresses (local use, tests, demo)"
    )
    allowed_networks: list[str] = Field(
        default_factory=list, description="JSON list of CIDRs fetched even if private"
    )
    respect_robots: bool = Field(default=True, description="obey robots.txt (RFC 9309)")
    host_delay_s: float = Field(
        default=1.0, ge=0, description="per-host spacing of requests, across replicas"
    )
    feeds: list[str] = Field(default_factory=list, description="JSON list of feeds to poll from the start")
    feed_min_interval_s: float = Field(
        default=300.0, gt=0, description="shortest interval between polls of a feed"
    )
    feed_max_interval_s: float = Field(
        default=86_400.0, gt=0, description="longest interval between polls of a feed"
    )
    accepted_languages: list[str] = Field(
        default_factory=list, description="JSON list of languages ingest keeps; empty: all"
    )

    # HTTP API (newswire serve)
    api_host: str = Field(default="127.0.0.1", description="where `newswire serve` listens")
    api_port: int = Field(default=8080, ge=0, le=65535, description="port of `newswire serve`")
    api_keys: SecretStr | None = Field(default=None, description="comma-separated; unset: no key needed")
    api_cors_origins: list[str] = Field(default_factory=list, description='JSON list, e.g. ["*"]')
    api_client_queue: int = Field(default=1000, ge=1, description="/stream entries buffered per client")
    api_heartbeat_s: float = Field(default=15.0, gt=0, description="/stream heartbeat comment interval")

    # extraction
    extractor_engine: str = Field(default="rules", description="the extraction engine")
    extract_languages: list[str] = Field(
        default_factory=lambda: ["en"], description="JSON list of languages the extractor reads"
    )

    # incidents: when an event joins an existing incident (services/incidents/matching.py)
    incident_window_days: int = Field(default=1, ge=0, description="± days between an event and an incident")
    incident_max_span_days: int = Field(default=31, ge=1, description="vaguer times are not matched")
    incident_distance_km: float = Field(default=15.0, ge=0, description="two points this close: one place")
    incident_compatible_types: list[str] = Field(
        default_factory=lambda: ["assault coerce", "cooperate agree retreat concede aid", "accuse reject"],
        description="space-separated groups of PLOVER types that may be one incident",
    )
    incident_directed_types: list[str] = Field(
        default_factory=lambda: ["assault", "coerce", "threaten", "sanction", "mobilize", "protest"],
        description="types where actor and recipient reversed is another incident (the retaliation)",
    )
    incident_threshold: float = Field(default=0.4, ge=0, description="score an event needs to join")
    incident_text_weight: float = Field(default=1.0, ge=0, description="weight of evidence similarity")
    incident_unknown_place_text: float = Field(
        default=0.2, ge=0, le=1, description="evidence similarity needed when a place is missing"
    )
    incident_same_article_text: float = Field(
        default=0.2, ge=0, le=1, description="evidence similarity needed for a second mention of one article"
    )
    incident_vague_time_text: float = Field(
        default=0.4, ge=0, le=1, description="evidence similarity needed when a time spans weeks"
    )
    incident_figure_policy: Literal["latest", "conservative"] = Field(
        default="latest",
        description="the figure per count kind: `latest` of the most authoritative claimant, or "
        "`conservative`, the lowest of the latest report",
    )
    incident_lock_ttl_s: float = Field(default=10.0, gt=0, description="a dead replica's locks expire")
    incident_lock_wait_s: float = Field(default=10.0, gt=0, description="wait for a busy bucket, then retry")
    incident_match_mentions: int = Field(default=50, ge=1, description="mentions compared per incident")

    @field_validator("stream_prefix")
    @classmethod
    def _prefix_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _sentinel_addresses(cls, value: str) -> str:
        for address in filter(None, (a.strip() for a in value.split(","))):
            host, sep, port = address.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"expected host:port,host:port,... but got {address!r}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            scheme = urlsplit(value.get_secret_value()).scheme
            if not scheme.startswith(("sqlite", "postgresql")):
                raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    @field_validator("allowed_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for net in value:
            ipaddress.ip_network(net, strict=False)
        return value

    def sentinel_addresses(self) -> list[tuple[str, int]]:
        out = []
        for address in filter(None, (a.strip() for a in self.redis_sentinels.split(","))):
            host, _, port = address.rpartition(":")
            out.append((host.strip("[]"), int(port)))
        return out

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def api_key_list(self) -> list[str]:
        if self.api_keys is None:
            return []
        return [k.strip() for k in self.api_keys.get_secret_value().split(",") if k.strip()]

    @property
    def keys(self) -> Keys:
        """Every stream and key name under this prefix (services/runtime/topology.py)."""
        return Keys(self.stream_prefix)

    def metrics_port_for(self, worker: str) -> int:
        if self.metrics_port is not None:
            return self.metrics_port
        decl = WORKERS.get(worker)
        return decl.metrics_port if decl else 0

    def sqlalchemy_url(self) -> str:
        if self.database_url is not None:
            return normalise_database_url(self.database_url.get_secret_value())
        return f"sqlite+aiosqlite:///{(self.data_dir / 'newswire.db').resolve()}"


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// and sqlite:// URLs by choosing the async drivers."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url


def redact_url(url: str) -> str:
    """The URL with any password replaced, for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))
