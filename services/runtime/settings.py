"""All configuration as one typed object, read from `NEWSWIRE_*` environment variables."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_METRICS_PORTS = {"ingest": 9101, "extractor": 9102, "store": 9103}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_", extra="ignore")

    redis_url: SecretStr | None = Field(default=None, description="unset: start an embedded Redis")
    redis_sentinels: str = Field(default="", description="host:port,... of Redis Sentinels; empty: none")
    redis_master: str = Field(default="mymaster", min_length=1, description="the master sentinels monitor")
    database_url: SecretStr | None = Field(default=None, description="unset: SQLite under data_dir")
    data_dir: Path = Path(".newswire")
    stream_prefix: str = "newswire:"
    consumer: str = Field(default_factory=socket.gethostname, min_length=1)
    metrics_port: int | None = Field(default=None, ge=0, le=65535, description="0 disables the server")
    metrics_host: str = "0.0.0.0"

    # delivery guarantees
    max_deliveries: int = Field(default=5, ge=1)
    batch_size: int = Field(default=50, ge=1, description="entries per batch for batch subscribers (store)")
    prefetch: int = Field(default=4, ge=1, description="entries read ahead; small is fair")
    reclaim_idle_ms: int = Field(default=60_000, ge=100)
    reclaim_interval_s: float = Field(default=5.0, gt=0)
    trim_interval_s: float = Field(default=30.0, gt=0)
    topic_maxlen: int = Field(default=100_000, ge=1, description="length cap of each public topic")
    topic_retention_s: float = Field(
        default=86_400.0, gt=0, description="public topics (events, events.<type>) keep entries this long"
    )
    articles_max_lag: int = Field(default=5_000, ge=1)
    progress_interval_s: float = Field(default=10.0, ge=0, description="run: progress every N s")
    shutdown_timeout_s: float = Field(default=20.0, gt=0)
    redis_retry_max_s: float = Field(default=30.0, gt=0)

    # fetching
    user_agent: str = "newswire/0.1 (+https://github.com/newswire/newswire)"
    fetch_timeout_s: float = Field(default=20.0, gt=0)
    max_page_bytes: int = Field(default=5_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0)
    allow_private_networks: bool = False
    allowed_networks: list[str] = Field(default_factory=list, description="CIDRs fetched even if private")
    respect_robots: bool = True
    host_delay_s: float = Field(default=1.0, ge=0)
    host_concurrency: int = Field(default=1, ge=1)
    fetch_concurrency: int = Field(default=8, ge=1)
    feeds: list[str] = Field(default_factory=list)
    feed_min_interval_s: float = Field(default=300.0, gt=0)
    feed_max_interval_s: float = Field(default=86_400.0, gt=0)
    accepted_languages: list[str] = Field(default_factory=list, description="empty: all")

    # extraction
    extractor_engine: str = "rules"
    extract_languages: list[str] = Field(default_factory=lambda: ["en"])

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
    incident_threshold: float = Field(default=0.45, ge=0, description="score an event needs to join")
    incident_text_weight: float = Field(default=1.0, ge=0, description="weight of evidence similarity")
    incident_unknown_place_text: float = Field(
        default=0.1, ge=0, le=1, description="evidence similarity needed when a place is missing"
    )
    incident_same_article_text: float = Field(
        default=0.3, ge=0, le=1, description="evidence similarity needed for a second mention of one article"
    )
    incident_vague_time_text: float = Field(
        default=0.4, ge=0, le=1, description="evidence similarity needed when a time spans weeks"
    )
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
        import ipaddress

        for net in value:
            ipaddress.ip_network(net, strict=False)
        return value

    def sentinel_addresses(self) -> list[tuple[str, int]]:
        out = []
        for address in filter(None, (a.strip() for a in self.redis_sentinels.split(","))):
            host, _, port = address.rpartition(":")
            out.append((host.strip("[]"), int(port)))
        return out

    def stream(self, name: str) -> str:
        return f"{self.stream_prefix}{name}"

    def key(self, name: str) -> str:
        return f"{self.stream_prefix}{name}"

    def metrics_port_for(self, worker: str) -> int:
        return DEFAULT_METRICS_PORTS.get(worker, 0) if self.metrics_port is None else self.metrics_port

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
