"""How the service is served: uvicorn with guarded_http's protocol (h2c offers ignored, the
limits from settings), and whatever that protocol refuses answered as an envelope.
"""

from __future__ import annotations

from collections.abc import Callable

from globus_proxy import envelope
from globus_proxy.errors import inputs
from globus_proxy.settings import Settings
from guarded_http import GuardedProtocol, Limits, Refusal, protocol


def limits(settings: Settings) -> Limits:
    return Limits(
        max_body_bytes=settings.max_body_bytes,
        max_url_bytes=settings.max_url_bytes,
        max_header_bytes=settings.max_header_bytes,
        header_timeout_seconds=settings.header_timeout_seconds,
    )


def refusal_envelope(version: str) -> Callable[[Refusal], bytes]:
    def render(refusal: Refusal) -> bytes:
        return envelope.render("error", inputs.refused(refusal), b"{}", version, None)

    return render


def http_protocol(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class to serve the service with (uvicorn's `http=`)."""
    return protocol(limits(settings), refusal_envelope(settings.version))


def run(settings: Settings, host: str, port: int) -> None:
    """Serve in the foreground until interrupted."""
    import uvicorn

    from globus_proxy.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        http=http_protocol(settings),
        access_log=False,
        log_level="info",
    )
