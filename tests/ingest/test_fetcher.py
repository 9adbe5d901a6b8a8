"""The fetcher against a local HTTP server: SSRF refusals, redirects, size cap, Retry-After."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from services.ingest import fetcher as fetcher_module
from services.ingest.fetcher import FORBIDDEN_REASON, Fetcher, FetchError, retry_after_seconds


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/ok": (200, {"Content-Type": "text/html"}, b"<html><body>hello</body></html>"),
            "/big": (200, {"Content-Type": "text/html"}, b"x" * 50_000),
            "/loop": (302, {"Location": "/loop2"}, b""),
            "/loop2": (302, {"Location": "/loop"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data"}, b""),
            "/to-other-loopback": (302, {"Location": f"http://127.0.0.2:{port}/ok"}, b""),
            "/hop": (301, {"Location": "/ok"}, b""),
        }
        status, headers, body = routes.get(self.path, (404, {}, b"missing"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make(allow_private: bool = False, allowed: tuple[str, ...] = (), max_bytes: int = 10_000) -> Fetcher:
    return Fetcher(user_agent="newswire-test", timeout_s=5, max_bytes=max_bytes, max_redirects=3,
                   allow_private=allow_private, allowed_networks=allowed)  # fmt: skip


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/", "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data", "http://[::1]/",
     "http://localhost/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://224.0.0.1/"],
)  # fmt: skip
async def test_private_and_special_addresses_are_refused(url: str) -> None:
    f = make()
    with pytest.raises(FetchError) as err:
        await f.fetch(url)
    assert err.value.reason == FORBIDDEN_REASON
    await f.aclose()


async def test_hostnames_resolving_to_private_addresses_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # No DNS server here: answer the resolver's question the way a hostile DNS would.
    answers = {"intranet.test": "10.0.0.7", "metadata.test": "169.254.169.254", "six.test": "::1"}

    async def fake_getaddrinfo(self: Any, host: str, port: int, **kw: Any) -> list[Any]:
        family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(type(__import__("asyncio").get_running_loop()), "getaddrinfo", fake_getaddrinfo)
    f = make()
    for host in answers:
        with pytest.raises(FetchError) as err:
            await f.fetch(f"http://{host}/")
        assert err.value.reason == FORBIDDEN_REASON
    await f.aclose()


async def test_non_http_schemes_are_refused() -> None:
    f = make(allow_private=True)
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x/"):
        with pytest.raises(FetchError) as err:
            await f.fetch(url)
        assert err.value.reason == "scheme"
    await f.aclose()


async def test_redirects_are_followed_and_checked_at_every_hop(server: str) -> None:
    f = make(allowed=("127.0.0.1/32",))
    result = await f.fetch(server + "/hop")
    assert result.status == 200 and result.final_url == server + "/ok" and b"hello" in result.body
    for path in ("/to-metadata", "/to-other-loopback"):
        with pytest.raises(FetchError) as err:
            await f.fetch(server + path)
        assert err.value.reason == FORBIDDEN_REASON
    with pytest.raises(FetchError) as err:
        await f.fetch(server + "/loop")
    assert err.value.reason in ("redirect-loop", "redirects")
    await f.aclose()


async def test_body_over_the_cap_is_abandoned(server: str) -> None:
    f = make(allow_private=True, max_bytes=10_000)
    with pytest.raises(FetchError) as err:
        await f.fetch(server + "/big")
    assert err.value.reason == "too-large"
    assert (await f.fetch(server + "/ok")).status == 200
    await f.aclose()


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert retry_after_seconds("soon") is None
    assert fetcher_module.is_public_address("93.184.216.34")
    assert not fetcher_module.is_public_address("192.168.1.1")
