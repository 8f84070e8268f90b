"""Whether this process should be sent requests: starting, serving, draining.

`ready` (readiness) answers 503 until the app has started and again from SIGTERM on, while
the process still serves (server.py drains); `healthcheck` (liveness) answers as long as the
process serves. Neither asks Globus or Redis: a Globus outage must not take every replica
out of the load balancer at once, and Redis is optional at every request.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("globus_proxy.lifecycle")


class Lifecycle:
    def __init__(self) -> None:
        self.started = False
        self.draining = False

    @property
    def ready(self) -> bool:
        return self.started and not self.draining

    def start_draining(self, drain_seconds: float) -> None:
        self.draining = True
        log.info(
            "draining: `ready` answers 503; still serving for %g s, then finishing the "
            "requests in flight",
            drain_seconds,
        )


class CloseWhileDraining:
    """While draining, every answer closes its connection, so a client's next request opens
    a new one, which the load balancer sends to another replica."""

    def __init__(self, app: ASGIApp, lifecycle: Lifecycle) -> None:
        self.app = app
        self.lifecycle = lifecycle

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.lifecycle.draining:
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != b"connection"
                ]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing)
