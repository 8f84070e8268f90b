"""Real parts around several `globus-proxy serve` replicas: redis-server and haproxy.

haproxy stands in for a Kubernetes Service: round-robin over the replicas, each
health-checked on `ready` every 200 ms (one failure takes it out, one success brings it
back), and no retries, so that any request a replica drops reaches the client as an error.
Each part runs as a child process on loopback ports; its output goes to a log file.
Used by bench/scale_out.py and tests/replicas.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench.processes import CLI, Service, free_port, stop, wait_ready

READY_PATH = "/v3/globus-proxy/ready"
START_DEADLINE_SECONDS = 60.0
SETTING_PREFIXES = ("GLOBUS_PROXY_", "GLOBUS_SDK_")


def launch(name: str, argv: list[str], log_path: Path, env: Mapping[str, str]) -> Service:
    """A child process in a session of its own, its output in `log_path` (appended)."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            start_new_session=True,
        )
    return Service(name, "", process, log_path)


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any proxy or globus-sdk setting, plus `settings`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}
    return {**base, **settings}


def emulator_environment(emulator_url: str) -> dict[str, str]:
    return {
        "GLOBUS_SDK_SERVICE_URL_AUTH": emulator_url + "/",
        "GLOBUS_SDK_SERVICE_URL_TRANSFER": emulator_url + "/",
    }


@dataclass
class Replica:
    """One `globus-proxy serve` on a fixed port; a successor reuses the port."""

    name: str
    port: int
    env: dict[str, str]
    log_dir: Path
    service: Service | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Service:
        argv = [CLI, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self.service = launch(self.name, argv, self.log_dir / f"{self.name}.log", self.env)
        self.service.url = self.url
        return self.service

    def wait_ready(self, deadline_seconds: float = START_DEADLINE_SECONDS) -> None:
        assert self.service is not None, f"{self.name} was not started"
        wait_ready(self.service, READY_PATH, deadline_seconds)

    def terminate(self) -> None:
        """SIGTERM: the replica drains, then exits."""
        assert self.service is not None
        self.service.process.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout: float) -> int:
        assert self.service is not None
        return self.service.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.service is not None:
            stop(self.service)


def start_replicas(replicas: list[Replica]) -> None:
    """Starts them all at once (each takes a second or two to import), then waits."""
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.wait_ready()


def stop_replicas(replicas: list[Replica]) -> None:
    """SIGTERM to all at once, so that they drain together, then waits for each."""
    for replica in replicas:
        if replica.service is not None and replica.service.process.poll() is None:
            replica.terminate()
    for replica in replicas:
        replica.stop()


@dataclass
class RedisServer:
    """redis-server without persistence; `kill` and `start` again keep the port."""

    log_dir: Path
    port: int = field(default_factory=free_port)
    service: Service | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        argv = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.service = launch("redis", argv, self.log_dir / "redis.log", os.environ)
        deadline = time.monotonic() + START_DEADLINE_SECONDS
        with self.client() as client:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if self.service.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"redis-server did not start:\n{self.service.log_tail()}"
                        ) from None
                    time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing is saved, clients see their connections drop."""
        assert self.service is not None
        self.service.process.kill()
        self.service.process.wait(timeout=10)

    def stop(self) -> None:
        if self.service is not None:
            stop(self.service)


HAPROXY_CONFIG = """\
global
    maxconn 4096
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A replica busy with requests may answer its check late; late is not down.
    timeout check 2s
    # A Kubernetes Service does not retry either: a dropped request reaches the client.
    retries 0

frontend proxy
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET {ready}
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1
{servers}
"""


@dataclass
class HAProxy:
    """haproxy in front of replicas on `backend_ports`, round-robin, checking `ready`."""

    backend_ports: list[int]
    log_dir: Path
    port: int = field(default_factory=free_port)
    service: Service | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def socket_path(self) -> Path:
        return self.log_dir / "haproxy.sock"

    def config(self) -> str:
        servers = "\n".join(
            f"    server r{n} 127.0.0.1:{port} check" for n, port in enumerate(self.backend_ports)
        )
        return HAPROXY_CONFIG.format(
            socket=self.socket_path, port=self.port, ready=READY_PATH, servers=servers
        )

    def start(self) -> None:
        path = self.log_dir / "haproxy.cfg"
        path.write_text(self.config())
        argv = [shutil.which("haproxy") or "haproxy", "-db", "-f", str(path)]
        self.service = launch("haproxy", argv, self.log_dir / "haproxy.log", os.environ)
        self.service.url = self.url
        self.wait_until_up(range(len(self.backend_ports)))

    def server_stats(self) -> dict[str, dict[str, str]]:
        """haproxy's `show stat` row of each replica ("r0", ...), read on its admin socket."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(b"show stat\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        text = b"".join(chunks).decode().lstrip("# ")
        return {
            row["svname"]: row
            for row in csv.DictReader(io.StringIO(text))
            if row["pxname"] == "replicas" and row["svname"] not in ("BACKEND", "FRONTEND")
        }

    def server_states(self) -> dict[str, str]:
        """{"r0": "UP" | "DOWN" | ...} as haproxy sees the replicas now."""
        return {name: row["status"] for name, row in self.server_stats().items()}

    def requests_served(self) -> dict[str, int]:
        """Requests haproxy has sent to each replica so far."""
        return {name: int(row["stot"] or 0) for name, row in self.server_stats().items()}

    def wait_until_up(self, indexes: range | list[int], deadline_seconds: float = 30.0) -> None:
        wanted = {f"r{n}" for n in indexes}
        deadline = time.monotonic() + deadline_seconds
        last: dict[str, str] = {}
        while time.monotonic() < deadline:
            assert self.service is not None
            if self.service.process.poll() is not None:
                raise RuntimeError(f"haproxy exited:\n{self.service.log_tail()}")
            try:
                last = self.server_states()
            except OSError:
                last = {}
            if all(last.get(name) == "UP" for name in wanted):
                return
            time.sleep(0.05)
        raise RuntimeError(f"haproxy does not see {sorted(wanted)} UP: {last}")

    def stop(self) -> None:
        if self.service is not None:
            stop(self.service)
