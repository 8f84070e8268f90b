"""The proxy as its own process (`python -m globus_proxy.cli serve`), for behaviour that lives
in the server process as a whole: what it prints on stdout and stderr."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.proxy.support import API_PREFIX, SESSION_KEY, EmulatedGlobus, ProxyClient
from tests.support.emulated_globus import SDK_URL_VARIABLES

READY_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(process: subprocess.Popen[bytes], url: str) -> None:
    give_up = time.monotonic() + READY_SECONDS
    while time.monotonic() < give_up:
        assert process.poll() is None, f"the proxy exited with {process.returncode}"
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"the proxy did not answer {url} within {READY_SECONDS:.0f} s")


@contextmanager
def proxy_process(globus: EmulatedGlobus, output: Path, **env: str) -> Iterator[ProxyClient]:
    """A proxy process in front of `globus` with these GLOBUS_PROXY_* variables; its stdout
    and stderr go to output/stdout and output/stderr. Stopped (SIGTERM) when the block ends."""
    port = free_port()
    environment = {
        **os.environ,
        **{name: globus.url + "/" for name in SDK_URL_VARIABLES},
        "GLOBUS_PROXY_SESSION_KEY": SESSION_KEY,
        **env,
    }
    command = [sys.executable, "-m", "globus_proxy.cli", "serve", "--host", "127.0.0.1"]
    with (output / "stdout").open("wb") as stdout, (output / "stderr").open("wb") as stderr:
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=environment,
        )
    root = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, f"{root}{API_PREFIX}/hello")
        with httpx.Client(timeout=30) as http:
            yield ProxyClient(root=root, globus=globus, http=http)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
