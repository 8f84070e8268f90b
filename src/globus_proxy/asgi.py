"""What the service's ASGI middleware share: noting the status an answer starts with."""

from __future__ import annotations

from starlette.types import Message, Send


class ResponseStatus:
    """Wraps `send`: passes every message on, and keeps the status of the response start.

    Pure ASGI, so a middleware adds one small object per request and nothing else.
    """

    __slots__ = ("_send", "status")

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status: int | None = None

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self._send(message)

    @property
    def started(self) -> bool:
        """Whether the response has begun: after that, no other answer can be sent."""
        return self.status is not None
