"""One access-log line per request, with every token redacted (see redaction)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from globus_proxy.asgi import ResponseStatus
from globus_proxy.redaction import redact_query, redacted_path

log = logging.getLogger("globus_proxy.access")


class AccessLog:
    """Pure ASGI, so it adds no per-request objects beyond the status note and the record."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        response = ResponseStatus(send)
        try:
            await self.app(scope, receive, response)
        finally:
            if log.isEnabledFor(logging.INFO):
                query = redact_query(scope.get("query_string", b""))
                log.info(
                    "%s %s%s %d %.1fms",
                    scope["method"],
                    redacted_path(scope),
                    f"?{query}" if query else "",
                    500 if response.status is None else response.status,
                    (time.perf_counter() - start) * 1000,
                )
