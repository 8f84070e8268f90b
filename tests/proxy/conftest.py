"""The proxy under test, running over real HTTP in front of the emulator, and a client for it.

Requests are sent the way the real callers send them (see /work/shared/clients.md): the Java
clients put `Content-Type: application/json` and the Tapis headers on every method, and Files
sends an ops path as ONE `%2F`-encoded segment, so URLs are built here as raw strings that httpx
sends untouched.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from globus_emulator.app import create_app
from globus_emulator.login import headless_login
from globus_emulator.server import ServerThread
from globus_emulator.state import Emulator
from globus_emulator.world import DEFAULT_CLIENT_ID, World
from globus_proxy.app import create_app as create_proxy_app
from globus_proxy.settings import Settings
from tests.support.emulated_globus import RunningEmulator, globus_sdk_pointed_at

API_PREFIX = "/v3/globus-proxy"
# A fixed key, so the suite is reproducible; 32 zero-free bytes, base64.
SESSION_KEY = base64.b64encode(bytes(range(1, 33))).decode()
# The deadline toward Globus the proxy under test gets: short, so the 504 test is quick.
PROXY_DEADLINE_SECONDS = 3.0
# What the Java client gives up after; every answer must come before it.
JAVA_CLIENT_TIMEOUT_SECONDS = 10.0

JAVA_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-Tapis-Token": "tapis-service-jwt-not-a-globus-token",
    "X-Tapis-User": "files",
    "X-Tapis-Tenant": "admin",
    "User-Agent": "OpenAPI-Generator/1.0/java",
}

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages")


def encoded_segment(path: str) -> str:
    """A path as Java's URLEncoder makes it: one segment, `/` as %2F and `~` as %7E."""
    return quote(path, safe="").replace("~", "%7E")


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    # The login's own secrets, which must never show up anywhere either.
    auth_code: str = ""
    session_id: str = ""

    def query(self) -> dict[str, str]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token}

    def secrets(self) -> list[str]:
        return [
            s for s in (self.access_token, self.refresh_token, self.auth_code, self.session_id) if s
        ]


@dataclass
class ProxyClient:
    """Talks to one running proxy exactly as the Java clients do."""

    root: str  # http://127.0.0.1:port
    emulator: RunningEmulator
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    # Every secret this client has handed out, checked against every body it reads.
    known_secrets: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        return self.root + API_PREFIX

    def url(self, raw_path: str, query: dict[str, Any] | None = None) -> str:
        """`raw_path` goes on the wire exactly as given (after the API prefix)."""
        url = self.base + raw_path
        if query:
            url += "?" + urlencode(query)
        return url

    def call(
        self,
        method: str,
        raw_path: str,
        *,
        tokens: Tokens | None = None,
        query: dict[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        q = dict(tokens.query()) if tokens else {}
        q.update(query or {})
        if json_body is not None:
            content = json.dumps(json_body)
        response = self.http.request(
            method,
            httpx.URL(self.url(raw_path, q)),
            content=content,
            headers=headers if headers is not None else JAVA_HEADERS,
            follow_redirects=False,
        )
        self.check_answer(response)
        return response

    def check_answer(self, response: httpx.Response) -> None:
        """What holds for every answer: no redirect, no 500, an envelope, no secret, no trace."""
        assert not 300 <= response.status_code < 400, f"redirected: {response.headers}"
        assert response.status_code != 500, response.text
        text = response.text
        for marker in TRACEBACK_MARKERS:
            assert marker not in text, f"traceback text in answer: {text[:500]}"
        body = response.json()
        assert set(body) >= {"status", "message", "result", "version", "metadata"}, body
        assert isinstance(body["message"], str), body
        expected = "success" if response.status_code < 400 else "error"
        assert body["status"] == expected, (response.status_code, body)
        if response.status_code >= 400:
            assert body["message"].strip(), "an error must say what went wrong"
            # Secrets the caller sent may come back only as a refreshed pair, never in errors.
            for secret in self.known_secrets:
                assert secret not in text, "a token or login secret appears in an error answer"

    # --- the login flow, through the proxy, as Tapis Systems drives it ----------------------
    def auth_url(
        self,
        endpoint_id: str | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        query: dict[str, Any] | None = None,
    ) -> httpx.Response:
        if endpoint_id is None:
            return self.call("GET", f"/auth/url/{client_id}", query=query)
        return self.call("GET", f"/auth/url/{client_id}/{endpoint_id}", query=query)

    def exchange(
        self, session_id: str, code: str, client_id: str = DEFAULT_CLIENT_ID
    ) -> httpx.Response:
        return self.call("GET", f"/auth/tokens/{client_id}/{session_id}/{code}")

    def login(self, endpoint_id: str | None = None, query: dict[str, Any] | None = None) -> Tokens:
        """auth/url -> headless login at the emulator -> auth/tokens: a working pair."""
        started = self.auth_url(endpoint_id, query=query)
        assert started.status_code == 200, started.text
        result = started.json()["result"]
        return self.finish_login(result["url"], result["session_id"])

    def finish_login(self, url: str, session_id: str) -> Tokens:
        code = headless_login(url)
        self.known_secrets.update({code, session_id})
        answer = self.exchange(session_id, code)
        assert answer.status_code == 200, answer.text
        pair = answer.json()["result"]
        tokens = Tokens(pair["access_token"], pair["refresh_token"], code, session_id)
        self.known_secrets.update({tokens.access_token, tokens.refresh_token})
        return tokens

    # --- the file and transfer operations ------------------------------------------------
    def ops(
        self,
        method: str,
        endpoint_id: str,
        path: str,
        tokens: Tokens,
        *,
        encoded: bool = True,
        client_id: str = DEFAULT_CLIENT_ID,
        **kwargs: Any,
    ) -> httpx.Response:
        """An ops call; `encoded` sends the path as Files does (one %2F segment)."""
        segment = encoded_segment(path) if encoded else path
        return self.call(
            method, f"/ops/{client_id}/{endpoint_id}/{segment}", tokens=tokens, **kwargs
        )

    def ls(self, endpoint_id: str, path: str, tokens: Tokens, **kwargs: Any) -> httpx.Response:
        return self.ops("GET", endpoint_id, path, tokens, **kwargs)

    def transfer(
        self, tokens: Tokens, body: Any, client_id: str = DEFAULT_CLIENT_ID, **kwargs: Any
    ) -> httpx.Response:
        return self.call("POST", f"/transfers/{client_id}", tokens=tokens, json_body=body, **kwargs)

    def task(
        self,
        method: str,
        task_id: str,
        tokens: Tokens,
        client_id: str = DEFAULT_CLIENT_ID,
        **kwargs: Any,
    ) -> httpx.Response:
        return self.call(method, f"/transfers/{client_id}/{task_id}", tokens=tokens, **kwargs)

    def check_tokens(
        self, endpoint_id: str, tokens: Tokens, client_id: str = DEFAULT_CLIENT_ID, **kwargs: Any
    ) -> httpx.Response:
        return self.call(
            "GET", f"/auth/check_tokens/{client_id}/{endpoint_id}", tokens=tokens, **kwargs
        )

    def wait_for_task(
        self, task_id: str, tokens: Tokens, *, until: set[str], deadline_seconds: float = 60.0
    ) -> dict[str, Any]:
        """Polls the task through the proxy until its status is one of `until` (bounded)."""
        import time

        give_up = time.monotonic() + deadline_seconds
        while True:
            answer = self.task("GET", task_id, tokens)
            assert answer.status_code == 200, answer.text
            doc = answer.json()["result"]
            if doc["status"] in until:
                return doc
            assert time.monotonic() < give_up, f"task still {doc['status']}: {doc}"
            time.sleep(0.05)


def make_proxy_app() -> Any:
    return create_proxy_app(
        Settings(session_key=SESSION_KEY, globus_timeout_seconds=PROXY_DEADLINE_SECONDS)
    )


@pytest.fixture(scope="session")
def proxy(globus_env: RunningEmulator) -> Iterator[ProxyClient]:
    """The proxy, in front of the session's emulator (default world)."""
    with ServerThread(make_proxy_app()) as server:
        client = ProxyClient(root=server.url, emulator=globus_env)
        yield client
        client.http.close()


@pytest.fixture(scope="session")
def tokens(proxy: ProxyClient) -> Tokens:
    """One pair from the real login flow through the proxy, shared by read-mostly tests."""
    return proxy.login()


@pytest.fixture
def fresh_tokens(proxy: ProxyClient) -> Tokens:
    """A pair of this test's own, for tests that expire or revoke tokens."""
    return proxy.login()


@pytest.fixture
def calls(globus_env: RunningEmulator) -> Iterator[CallCounter]:
    counter = CallCounter(globus_env.emulator)
    yield counter


@dataclass
class CallCounter:
    """Globus API calls seen at the emulator since the last `start()`."""

    emulator: Emulator

    def start(self) -> None:
        self.emulator.stats.reset()

    def total(self) -> int:
        return int(self.emulator.stats.snapshot()["total"])

    def by_route(self) -> dict[str, int]:
        return dict(self.emulator.stats.snapshot()["calls"])

    def matching(self, pattern: str) -> int:
        rx = re.compile(pattern)
        return sum(n for key, n in self.by_route().items() if rx.search(key))


@pytest.fixture
def scratch(
    proxy: ProxyClient, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[str, Path]:
    """A fresh directory on the writable destination: (collection path, backing path)."""
    from globus_emulator.world import DEFAULT_DESTINATION_ID

    root = proxy.emulator.emulator.world.collections[DEFAULT_DESTINATION_ID].root
    name = re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)[:60]
    backing = root / "scratch" / name
    if backing.exists():
        import shutil

        shutil.rmtree(backing)
    backing.mkdir(parents=True)
    return f"/scratch/{name}", backing


@contextmanager
def own_world(world: World) -> Iterator[ProxyClient]:
    """An emulator with `world` and a proxy in front of it, with globus-sdk pointed there.

    globus-sdk reads its service URLs whenever a client is built, so the environment stays
    pointed at this emulator until the block ends; use it from a module fixture whose tests
    talk only to this proxy.
    """
    emu = Emulator.from_world(world)
    data_dir = next(iter(world.collections.values())).root.parent
    with ServerThread(create_app(emu)) as emulator_server:
        running = RunningEmulator(url=emulator_server.url, emulator=emu, data_dir=data_dir)
        with (
            globus_sdk_pointed_at(emulator_server.url),
            ServerThread(make_proxy_app()) as proxy_server,
        ):
            client = ProxyClient(root=proxy_server.url, emulator=running)
            try:
                yield client
            finally:
                client.http.close()
