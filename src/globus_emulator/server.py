"""Running the emulator: in the foreground for the CLI, or in a thread for tests and the demo."""

from __future__ import annotations

import logging
import socket
import sys
import tempfile
import threading
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from globus_emulator.app import create_app
from globus_emulator.state import Emulator
from globus_emulator.world import SeedError, World, default_world, load_world
from guarded_http import GuardedProtocol, protocol


def build_world(seed: Path | None, data_dir: Path | None) -> World:
    if seed is not None:
        return load_world(seed)
    return default_world(data_dir or Path(tempfile.mkdtemp(prefix="globus-emulator-")))


class ServerThread:
    """Serves an ASGI app on a free loopback port in a background thread.

    The socket is bound before the thread starts, so there is no race for the port,
    and :meth:`start` returns only once the server accepts connections. ``http`` is the
    HTTP protocol class (guarded_http's, with no limits, unless another is given).
    """

    def __init__(
        self,
        app: ASGIApp,
        host: str = "127.0.0.1",
        port: int = 0,
        http: type[GuardedProtocol] | None = None,
    ) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        config = uvicorn.Config(
            app, http=http or protocol(), log_level="warning", access_log=False, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name=f"server-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        # Server.run picks uvicorn's loop (uvloop when installed). Plain asyncio.run here
        # costs ~40 ms a request on loopback (Nagle + delayed ACK), which would swamp benchmarks.
        self.server.run(sockets=[self.sock])

    def start(self, timeout: float = 15.0) -> ServerThread:
        self.thread.start()
        ready = threading.Event()

        def wait() -> None:
            while not self.server.started and self.thread.is_alive():
                threading.Event().wait(0.01)
            ready.set()

        threading.Thread(target=wait, daemon=True).start()
        if not ready.wait(timeout) or not self.server.started:
            self.stop()
            raise RuntimeError(f"server on {self.url} did not start within {timeout}s")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=10)
        self.sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def serve(host: str, port: int, seed: Path | None, data_dir: Path | None) -> None:
    """The `globus-proxy emulator` command: serve in the foreground until interrupted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        world = build_world(seed, data_dir)
    except SeedError as err:
        sys.exit(f"globus-proxy emulator: {err}")
    emulator = Emulator.from_world(world)
    uvicorn.run(
        create_app(emulator),
        host=host,
        port=port,
        http=protocol(),
        access_log=False,
        log_level="info",
    )
