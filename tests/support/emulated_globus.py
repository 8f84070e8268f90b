"""Running an emulator for a test and pointing globus-sdk at it: the one copy of that wiring."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from globus_emulator.app import Emulator, create_app
from globus_emulator.server import ServerThread
from globus_emulator.world import World

SDK_URL_VARIABLES = ("GLOBUS_SDK_SERVICE_URL_AUTH", "GLOBUS_SDK_SERVICE_URL_TRANSFER")


@contextmanager
def globus_sdk_pointed_at(url: str) -> Iterator[None]:
    """globus-sdk reads these whenever it builds a client; restore them afterwards."""
    saved = {name: os.environ.get(name) for name in SDK_URL_VARIABLES}
    for name in SDK_URL_VARIABLES:
        os.environ[name] = url + "/"
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def running_emulator(world: World) -> Iterator[tuple[str, Emulator]]:
    """An emulator serving `world` on a free port, with globus-sdk pointed at it."""
    emulator = Emulator.from_world(world)
    with ServerThread(create_app(emulator)) as server, globus_sdk_pointed_at(server.url):
        yield server.url, emulator
