"""The emulator's state: one :class:`Emulator` per app, which every route reads.

``create_app`` puts it on ``app.state.emulator``; routes reach it with :func:`emulator_of`.
Tests and the demo hold the same object to look inside (tokens, tasks, call counts).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection

from globus_emulator.auth.codes import PendingCodes
from globus_emulator.auth.openid import SigningKey
from globus_emulator.bookmarks import BookmarkStore
from globus_emulator.engine import TaskEngine
from globus_emulator.faults import FaultBook
from globus_emulator.tokens import TokenStore
from globus_emulator.world import World


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
    """The world, what Auth issued, the running tasks, and the control API's knobs."""

    world: World
    tokens: TokenStore
    tasks: TaskEngine
    stats: CallStats = field(default_factory=CallStats)
    codes: PendingCodes = field(default_factory=PendingCodes)
    faults: FaultBook = field(default_factory=FaultBook)
    signing_key: SigningKey = field(default_factory=SigningKey)
    bookmarks: BookmarkStore = field(default_factory=BookmarkStore)

    @classmethod
    def from_world(cls, world: World) -> Emulator:
        return cls(
            world=world,
            tokens=TokenStore(world.access_token_lifetime_seconds),
            tasks=TaskEngine(world),
        )


def emulator_of(connection: HTTPConnection) -> Emulator:
    """The emulator behind the app serving this request."""
    emulator: Emulator = connection.app.state.emulator
    return emulator
