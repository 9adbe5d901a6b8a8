"""Real redis-server processes for the Sentinel tests: a master, its replicas and a quorum of sentinels."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis

from services.runtime.embedded_redis import free_port, redis_server_binary


class SentinelGroup:
    """`replicas` replicas of one master and `sentinels` sentinels (quorum: a majority) on 127.0.0.1."""

    def __init__(self, directory: Path, master_name: str, replicas: int = 1, sentinels: int = 3) -> None:
        self.directory = directory
        self.master_name = master_name
        self.data_ports = [free_port() for _ in range(1 + replicas)]
        self.sentinel_ports = [free_port() for _ in range(sentinels)]
        self.processes: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def sentinels(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def _spawn(self, port: int, args: list[str]) -> None:
        log = self.directory / f"redis-{port}.log"
        self.processes[port] = subprocess.Popen(
            [*args, "--logfile", str(log)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def start(self, timeout: float = 30.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        master_port = self.data_ports[0]
        for port in self.data_ports:
            folder = self.directory / f"data-{port}"
            folder.mkdir()
            args = [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                    "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]  # fmt: skip
            if port != master_port:
                args += ["--replicaof", "127.0.0.1", str(master_port)]
            self._spawn(port, args)
        quorum = len(self.sentinel_ports) // 2 + 1
        for port in self.sentinel_ports:
            conf = self.directory / f"sentinel-{port}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
                f"sentinel monitor {self.master_name} 127.0.0.1 {master_port} {quorum}\n"
                f"sentinel down-after-milliseconds {self.master_name} 1000\n"
                f"sentinel failover-timeout {self.master_name} 10000\n"
                f"sentinel parallel-syncs {self.master_name} 1\n"
            )
            self._spawn(port, [redis_server_binary(), str(conf), "--sentinel"])
        self.wait_until(self._ready, timeout, "the sentinels to see the replicas and each other")

    def _ready(self) -> bool:
        replicas, others = len(self.data_ports) - 1, len(self.sentinel_ports) - 1
        for port in self.sentinel_ports:
            info = self.sentinel(port).sentinel_master(self.master_name)
            if int(info.get("num-slaves", 0)) < replicas or int(info.get("num-other-sentinels", 0)) < others:
                return False
        links = [self.node(p).info("replication").get("master_link_status") for p in self.data_ports[1:]]
        return all(link == "up" for link in links)

    def sentinel(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=2)

    def node(self, port: int) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=port, decode_responses=True, socket_timeout=2)

    def master_port(self) -> int:
        """The master's port as a majority of the sentinels report it."""
        votes: dict[int, int] = {}
        for port in self.sentinel_ports:
            try:
                reply: Any = self.sentinel(port).sentinel_get_master_addr_by_name(self.master_name)
                master = reply[1]
            except (redis.RedisError, OSError):
                continue
            votes[int(master)] = votes.get(int(master), 0) + 1
        return max(votes, key=lambda p: votes[p])

    def kill(self, port: int) -> None:
        proc = self.processes.pop(port)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except (redis.RedisError, OSError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}")

    def stop(self) -> None:
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes.clear()
