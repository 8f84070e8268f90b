"""Around every request: count API calls, play injected faults, write one access-log line.

The log line names the method, the path (never the query string or body, which may carry
codes and tokens), the status and the time taken; a caller that left before its answer (during
an injected delay, say) is normal, and gets one line saying so.
"""

from __future__ import annotations

import logging
import time

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from globus_emulator.faults import play
from globus_emulator.state import Emulator

access_log = logging.getLogger("globus_emulator.access")

# Paths that the SDK calls as Globus APIs; the browser pages and the control API are not counted.
API_PREFIXES = ("/v2/oauth2/token", "/v2/api/", "/v0.10/")


class EmulatorMiddleware:
    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        method, path = scope["method"], scope["path"]
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        left = False
        try:
            fault = None
            if path.startswith(API_PREFIXES):
                self.emulator.stats.record(f"{method} {path}")
                fault = self.emulator.faults.take(path)
            if fault is None:
                await self.app(scope, receive, send_and_note)
            else:
                await play(fault, self.app, scope, receive, send_and_note)
        except ClientDisconnect:
            left = True
        finally:
            elapsed = (time.perf_counter() - start) * 1000
            if left:
                access_log.info("%s %s caller left before the answer %.1fms", method, path, elapsed)
            else:
                access_log.info("%s %s %d %.1fms", method, path, status, elapsed)
