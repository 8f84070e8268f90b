"""The proxy test stack as a pytest plugin: every proxy and contract test's fixtures.

One emulated Globus (the default world) and one proxy in front of it serve the whole session;
tests that need other settings or a world of their own get them from `proxy_factory`.
Registered by tests/proxy/conftest.py and tests/contract/conftest.py; helpers live in
tests/proxy/support.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from globus_emulator.world import DEFAULT_DESTINATION_ID, default_world
from tests.proxy.support import (
    CallCounter,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
    fresh_scratch,
    serve_proxy,
)
from tests.support.emulated_globus import running_emulator
from tests.support.logs import every_log_line

__all__ = [
    "calls",
    "faults",
    "fresh_tokens",
    "globus",
    "log_lines",
    "proxy",
    "proxy_factory",
    "scratch",
    "tokens",
]


@pytest.fixture(scope="session")
def globus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatedGlobus]:
    """The emulated Globus every shared-proxy test talks to (the default world)."""
    with running_emulator(default_world(tmp_path_factory.mktemp("globus"))) as (url, _):
        emulated = EmulatedGlobus(url)
        try:
            yield emulated
        finally:
            emulated.close()


@pytest.fixture(scope="session")
def proxy(globus: EmulatedGlobus) -> Iterator[ProxyClient]:
    """The shared proxy, in front of `globus`."""
    with serve_proxy(globus) as client:
        yield client


@pytest.fixture(scope="session")
def tokens(proxy: ProxyClient) -> Tokens:
    """One pair from the real login flow through the proxy, shared by read-mostly tests."""
    return proxy.login()


@pytest.fixture
def fresh_tokens(proxy: ProxyClient) -> Tokens:
    """A pair of this test's own, for tests that expire or revoke tokens."""
    return proxy.login()


@pytest.fixture
def calls(globus: EmulatedGlobus) -> CallCounter:
    """Counts Globus calls at the emulator from `calls.start()` on."""
    return CallCounter(globus)


@pytest.fixture
def faults(globus: EmulatedGlobus) -> Iterator[EmulatedGlobus]:
    """The shared emulator, for tests that inject faults: they are cleared afterwards."""
    try:
        yield globus
    finally:
        globus.clear_faults()


@pytest.fixture
def scratch(globus: EmulatedGlobus, request: pytest.FixtureRequest) -> Scratch:
    """A fresh directory of this test's own on the writable destination collection."""
    return fresh_scratch(globus.root(DEFAULT_DESTINATION_ID), request.node.name)


@pytest.fixture(scope="module")
def proxy_factory(
    globus: EmulatedGlobus, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProxyFactory]:
    """Starts proxies with other settings or worlds; all stop when the module's tests end."""
    with ExitStack() as stack:
        yield ProxyFactory(stack, globus, tmp_path_factory.mktemp("proxies"))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every log line any logger writes during the test (see tests.support.logs)."""
    with every_log_line() as lines:
        yield lines
