"""Starts the emulator and the proxy as separate processes, the way an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = str(Path(sys.executable).with_name("globus-proxy"))
READY_DEADLINE_SECONDS = 60.0


@dataclass
class Service:
    """A running child process and the loopback URL it answers on."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(service: Service, ready_path: str, deadline_seconds: float) -> None:
    """Polls `ready_path` until it answers 200, the process dies, or the deadline passes."""
    deadline = time.monotonic() + deadline_seconds
    last_error = "no answer yet"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                raise RuntimeError(
                    f"{service.name} exited with {service.process.returncode}:\n"
                    f"{service.log_tail()}"
                )
            try:
                if client.get(service.url + ready_path).status_code == 200:
                    return
                last_error = "answered but not 200"
            except httpx.HTTPError as err:
                last_error = type(err).__name__
            time.sleep(0.05)
    raise RuntimeError(f"{service.name} not ready after {deadline_seconds:.0f}s ({last_error})")


def stop(service: Service) -> None:
    """Terminates, then kills if it does not stop within a few seconds."""
    if service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait(timeout=10)


@contextmanager
def running(
    name: str,
    args: list[str],
    ready_path: str,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
) -> Iterator[Service]:
    """Runs `globus-proxy <args> --host 127.0.0.1 --port <free>` until the block ends."""
    port = free_port()
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [CLI, *args, "--host", "127.0.0.1", "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    service = Service(name, f"http://127.0.0.1:{port}", process, log_path)
    try:
        wait_ready(service, ready_path, READY_DEADLINE_SECONDS)
        yield service
    finally:
        stop(service)


def running_emulator(
    seed: Path, data_dir: Path, log_dir: Path, env: Mapping[str, str] | None = None
) -> AbstractContextManager[Service]:
    """`globus-proxy emulator` with the world of `seed`, its collections under `data_dir`."""
    return running(
        "emulator",
        ["emulator", "--seed", str(seed), "--data-dir", str(data_dir)],
        "/_emulator/world",
        log_dir,
        env,
    )
