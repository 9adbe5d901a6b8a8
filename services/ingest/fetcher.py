"""Polite, bounded, SSRF-safe HTTP fetching with httpx.

Every hop of a redirect chain is resolved, checked against forbidden networks and connected to by
the checked address (the request goes to the IP with the original Host header and TLS server name),
so a DNS answer cannot change between the check and the connection. Bodies are read up to a cap and
abandoned past it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from services.runtime.errors import NewswireError
from services.runtime.settings import Settings

FORBIDDEN_REASON = "forbidden-address"


class FetchError(NewswireError):
    """A fetch that failed, with a short machine reason, whether to retry, and any Retry-After.
    The ingest handler turns it into `RetryLater` (retryable) or `PermanentError`."""

    def __init__(
        self, reason: str, message: str, *, retryable: bool = False, retry_after: float | None = None
    ):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )  # fmt: skip


async def resolve(host: str, port: int) -> list[str]:
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError("dns", f"cannot resolve {host}: {exc.strerror}", retryable=True) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Fetcher:
    def __init__(
        self,
        *,
        user_agent: str,
        timeout_s: float,
        max_bytes: int,
        max_redirects: int,
        allow_private: bool,
        allowed_networks: Sequence[str] = (),
    ) -> None:
        self.allowed_networks = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.allow_private = allow_private
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"},
            verify=True,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Fetcher:
        return cls(
            user_agent=settings.user_agent,
            timeout_s=settings.fetch_timeout_s,
            max_bytes=settings.max_page_bytes,
            max_redirects=settings.max_redirects,
            allow_private=settings.allow_private_networks,
            allowed_networks=settings.allowed_networks,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _allowlisted(self, address: str) -> bool:
        ip = ipaddress.ip_address(address)
        return any(ip in net for net in self.allowed_networks if net.version == ip.version)

    async def _target(self, url: str) -> tuple[str, dict[str, str], dict[str, str]]:
        """The URL to connect to (by checked IP), extra headers and request extensions."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("scheme", f"only http and https are fetched, not {parts.scheme or 'none'!r}")
        host = parts.hostname
        if not host:
            raise FetchError("url", f"no host in {url!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = await resolve(host, port)
        if not self.allow_private:
            bad = [a for a in addresses if not is_public_address(a) and not self._allowlisted(a)]
            if bad:
                raise FetchError(FORBIDDEN_REASON, f"{host} resolves to a non-public address {bad[0]}")
        address = addresses[0]
        literal = f"[{address}]" if ":" in address else address
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        host_header = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        return urlunsplit(parts._replace(netloc=netloc)), {"Host": host_header}, extensions

    async def fetch(self, url: str, headers: dict[str, str] | None = None) -> FetchResult:
        current, redirects = url, []
        for _ in range(self.max_redirects + 1):
            target, extra, extensions = await self._target(current)
            request = self.client.build_request("GET", target, headers={**(headers or {}), **extra})
            request.extensions.update(extensions)
            try:
                response = await self.client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{current}: {type(exc).__name__}", retryable=True) from exc
            except httpx.HTTPError as exc:
                raise FetchError(
                    "connect", f"{current}: {type(exc).__name__}: {exc}", retryable=True
                ) from exc
            try:
                if response.status_code in (301, 302, 303, 307, 308) and "location" in response.headers:
                    redirects.append(current)
                    current = urljoin(current, response.headers["location"])
                    if current in redirects:
                        raise FetchError("redirect-loop", f"redirect loop at {current}")
                    continue
                body = await self._read_capped(response, current)
                headers = {k.lower(): v for k, v in response.headers.items()}
                return FetchResult(url, current, response.status_code, headers, body, redirects)
            finally:
                await response.aclose()
        raise FetchError("redirects", f"more than {self.max_redirects} redirects from {url}")

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError("too-large", f"{url}: {declared} bytes declared, cap is {self.max_bytes}")
        chunks, size = [], 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError("too-large", f"{url}: body passed the cap of {self.max_bytes} bytes")
                chunks.append(chunk)
        except httpx.TimeoutException as exc:
            raise FetchError("timeout", f"{url}: body read timed out", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise FetchError("read", f"{url}: {type(exc).__name__}", retryable=True) from exc
        return b"".join(chunks)
