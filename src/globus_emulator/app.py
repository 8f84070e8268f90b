"""Assembles the emulator: one root URL serving Globus Auth, Transfer, pages and a control API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from globus_emulator import auth, control, pages, transfer
from globus_emulator.engine import TaskEngine
from globus_emulator.tokens import TokenStore
from globus_emulator.world import World

access_log = logging.getLogger("globus_emulator.access")

# Paths that the SDK calls as Globus APIs; the browser pages and the control API are not counted.
API_PREFIXES = ("/v2/oauth2/token", "/v2/api/", "/v0.10/")


@dataclass
class Fault:
    """An injected failure: the next `times` API requests whose path contains `match`."""

    match: str
    times: int = 1
    status: int | None = None
    delay_seconds: float = 0.0
    body: dict[str, Any] | None = None


@dataclass
class CallStats:
    """Counts the API calls that reach the emulator, for tests and benchmarks."""

    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str) -> None:
        with self.lock:
            self.calls[key] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"total": sum(self.calls.values()), "calls": dict(self.calls)}

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()


@dataclass
class Emulator:
    world: World
    tokens: TokenStore
    tasks: TaskEngine
    stats: CallStats = field(default_factory=CallStats)
    codes: auth.PendingCodes = field(default_factory=auth.PendingCodes)
    faults: list[Fault] = field(default_factory=list)
    faults_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_world(cls, world: World) -> Emulator:
        return cls(
            world=world,
            tokens=TokenStore(world.access_token_lifetime_seconds),
            tasks=TaskEngine(world),
        )

    def take_fault(self, path: str) -> Fault | None:
        with self.faults_lock:
            for fault in self.faults:
                if fault.match in path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class EmulatorMiddleware:
    """Counts API calls, applies injected faults and writes one token-free log line a request."""

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

        try:
            if path.startswith(API_PREFIXES):
                self.emulator.stats.record(f"{method} {path}")
                fault = self.emulator.take_fault(path)
                if fault is not None:
                    if fault.delay_seconds:
                        await asyncio.sleep(fault.delay_seconds)
                    if fault.status is not None:
                        body = fault.body or {
                            "code": "ServiceUnavailable",
                            "message": "Injected fault",
                            "request_id": "injected",
                            "resource": path,
                        }
                        await JSONResponse(body, status_code=fault.status)(
                            scope, receive, send_and_note
                        )
                        return
            await self.app(scope, receive, send_and_note)
        finally:
            # The path only: query strings and bodies may carry codes and tokens.
            access_log.info(
                "%s %s %d %.1fms", method, path, status, (time.perf_counter() - start) * 1000
            )


def create_app(emulator: Emulator) -> ASGIApp:
    routes = [
        *auth.routes(emulator),
        *pages.routes(emulator),
        *transfer.routes(emulator),
        *control.routes(emulator),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Starlette 1.x dropped on_shutdown; stop the task workers when the server stops.
        yield
        emulator.tasks.shutdown()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.emulator = emulator
    return EmulatorMiddleware(app, emulator)
