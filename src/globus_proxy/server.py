"""`globus-proxy serve`: the service under uvicorn, drained on SIGTERM.

On SIGTERM `ready` answers 503 at once while the service keeps serving for
GLOBUS_PROXY_DRAIN_SECONDS, so that load balancers (a Kubernetes Service's endpoints, an
haproxy health check) stop sending it requests. Then it stops accepting connections, gives
the requests in flight GLOBUS_PROXY_SHUTDOWN_GRACE_SECONDS to finish, and exits 0. A second
SIGTERM, or SIGINT (Ctrl+C), stops without draining.
"""

from __future__ import annotations

import signal
import time
from types import FrameType

import uvicorn

from globus_proxy.app import create_app
from globus_proxy.lifecycle import CloseWhileDraining, Lifecycle
from globus_proxy.settings import Settings


class DrainingServer(uvicorn.Server):
    """uvicorn's server, with a drain between SIGTERM and its graceful shutdown."""

    def __init__(self, config: uvicorn.Config, lifecycle: Lifecycle, drain_seconds: float) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.drain_seconds = drain_seconds
        self.stop_at: float | None = None  # time.monotonic() at which the drain ends

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig != signal.SIGTERM or self.stop_at is not None or self.should_exit:
            super().handle_exit(sig, frame)
            return
        # Not recorded as a captured signal: uvicorn would re-raise it after the shutdown,
        # and a drained exit is a clean one (status 0).
        self.lifecycle.start_draining(self.drain_seconds)
        self.stop_at = time.monotonic() + self.drain_seconds

    async def on_tick(self, counter: int) -> bool:
        if self.stop_at is not None and time.monotonic() >= self.stop_at:
            self.should_exit = True
        return await super().on_tick(counter)


def serve(settings: Settings, host: str, port: int) -> None:
    """Production: real Globus unless the globus-sdk environment variables say otherwise."""
    app = create_app(settings)
    lifecycle: Lifecycle = app.state.lifecycle
    config = uvicorn.Config(
        CloseWhileDraining(app, lifecycle),
        host=host,
        port=port,
        access_log=False,
        log_level="info",
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
    DrainingServer(config, lifecycle, settings.drain_seconds).run()
