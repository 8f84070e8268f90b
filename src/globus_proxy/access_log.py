"""One access-log line per request, with every token redacted.

Tokens travel in the query (`access_token`, `refresh_token`) and, during login, in the path
(`auth/tokens/{client}/{session_id}/{auth_code}`); both are masked before anything is written.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl, quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("globus_proxy.access")

SECRET_QUERY_KEYS = frozenset({"access_token", "refresh_token", "code", "session_id"})
TOKENS_SEGMENT = "/auth/tokens/"
REDACTED = "REDACTED"


def redact_path(path: str) -> str:
    """Mask the session id and auth code segments of the token-exchange route.

    Matched anywhere in the path, not only at the canonical prefix: a mistyped request
    (a doubled slash, another prefix) answers 404 but is logged all the same.
    """
    at = path.find(TOKENS_SEGMENT)
    if at < 0:
        return path
    head, tail = path[: at + len(TOKENS_SEGMENT)], path[at + len(TOKENS_SEGMENT) :]
    segments = tail.split("/")
    masked = segments[:1] + [REDACTED if s else s for s in segments[1:]]
    return head + "/".join(masked)


def redact_query(query: bytes) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return "&".join(
        f"{quote(k)}={REDACTED if k in SECRET_QUERY_KEYS else quote(v)}" for k, v in pairs
    )


class AccessLog:
    """Pure ASGI, so it adds no per-request objects beyond the log record itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, note_status)
        finally:
            if log.isEnabledFor(logging.INFO):
                query = redact_query(scope.get("query_string", b""))
                log.info(
                    "%s %s%s %d %.1fms",
                    scope["method"],
                    redact_path(scope["path"]),
                    f"?{query}" if query else "",
                    status,
                    (time.perf_counter() - start) * 1000,
                )
