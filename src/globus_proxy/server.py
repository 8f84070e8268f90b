"""`globus-proxy serve`: the service under uvicorn, guarded and drained on SIGTERM.

uvicorn speaks HTTP through guarded_http's protocol: h2c upgrade offers are ignored (the
request is served as HTTP/1.1 with its body), and the limits from settings are enforced,
whatever the protocol refuses answered as an envelope.

On SIGTERM `ready` answers 503 at once while the service keeps serving for
GLOBUS_PROXY_DRAIN_SECONDS, so that load balancers (a Kubernetes Service's endpoints, an
haproxy health check) stop sending it requests. Then it stops accepting connections, gives
the requests in flight GLOBUS_PROXY_SHUTDOWN_GRACE_SECONDS to finish, and exits 0. A second
SIGTERM, or SIGINT (Ctrl+C), stops without draining.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType

import uvicorn

from globus_proxy import envelope
from globus_proxy.app import create_app
from globus_proxy.errors import inputs
from globus_proxy.lifecycle import CloseWhileDraining, Lifecycle
from globus_proxy.request_context import new_request_id
from globus_proxy.settings import Settings
from guarded_http import GuardedProtocol, Limits, Refusal, Rendered, protocol


def limits(settings: Settings) -> Limits:
    return Limits(
        max_body_bytes=settings.max_body_bytes,
        max_url_bytes=settings.max_url_bytes,
        max_header_bytes=settings.max_header_bytes,
        header_timeout_seconds=settings.header_timeout_seconds,
    )


def refusal_envelope(version: str) -> Callable[[Refusal], Rendered]:
    """A refusal before the app saw the request still gets an envelope and a request id."""

    def render(refusal: Refusal) -> Rendered:
        request_id = new_request_id()
        body = envelope.render(
            "error", inputs.refused(refusal), b"{}", version, {"request_id": request_id}
        )
        return Rendered(body, ((b"x-request-id", request_id.encode()),))

    return render


def http_protocol(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class to serve the service with (uvicorn's `http=`)."""
    return protocol(limits(settings), refusal_envelope(settings.version))


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
        http=http_protocol(settings),
        access_log=False,
        log_level="info",
        # JSON logs: uvicorn keeps no text handler of its own, so even its first lines
        # ("Started server process") reach the service's JSON handler.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
    DrainingServer(config, lifecycle, settings.drain_seconds).run()
