"""Helpers of the proxy tests: the proxy over real HTTP in front of an emulated Globus.

Requests are sent the way the real callers send them: the Java clients (Tapis Files, Tapis
Systems) put `Content-Type: application/json` and the Tapis headers on every method, and Files
sends an ops path as ONE `%2F`-encoded segment, so URLs are built here as raw strings that httpx
sends untouched. The emulator is steered only through its control API and Globus's own API,
never through its internals.

The fixtures built from these live in tests/proxy/fixtures.py.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import globus_sdk
import httpx
from prometheus_client.parser import text_string_to_metric_families

from bench.processes import running
from globus_emulator.login import headless_login
from globus_emulator.server import ServerThread
from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_SOURCE_ID,
    World,
)
from globus_proxy.app import create_app
from globus_proxy.server import http_protocol
from globus_proxy.settings import Settings
from tests.support.emulated_globus import SDK_URL_VARIABLES, globus_sdk_pointed_at, running_emulator

API_PREFIX = "/v3/globus-proxy"
# A fixed key, so the suite is reproducible; 32 zero-free bytes, base64.
SESSION_KEY = base64.b64encode(bytes(range(1, 33))).decode()
# The deadline toward Globus of the shared proxy: short, so that a hang fails fast.
PROXY_DEADLINE_SECONDS = 3.0
# What the Java client gives up after; every answer must come before it.
JAVA_CLIENT_TIMEOUT_SECONDS = 10.0
TOKEN_CALL = r"^POST /v2/oauth2/token$"

JAVA_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "X-Tapis-Token": "tapis-service-jwt-not-a-globus-token",
    "X-Tapis-User": "files",
    "X-Tapis-Tenant": "admin",
    "User-Agent": "OpenAPI-Generator/1.0/java",
}
TAPIPY_HEADERS = {"X-Tapis-Token": "tapis-jwt", "Accept": "application/json"}

TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages")


def token_metadata(answer: httpx.Response) -> dict[str, Any]:
    """The envelope's metadata but for the request id every answer carries."""
    metadata = dict(answer.json()["metadata"])
    metadata.pop("request_id", None)
    return metadata


def transfer_request(
    source_path: str, destination_path: str, recursive: Any = False, **options: Any
) -> dict[str, Any]:
    """A createTransferTask body as Tapis Files sends it: one item, default collections."""
    return {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": [
            {
                "source_path": source_path,
                "destination_path": destination_path,
                "recursive": recursive,
            }
        ],
        **options,
    }


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


class EmulatedGlobus:
    """One running emulator, steered through its control API (/_emulator/...) and Globus's API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.control = httpx.Client(base_url=url, timeout=10)
        self._roots: dict[str, Path] = {}

    def close(self) -> None:
        self.control.close()

    def _post(self, path: str, doc: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self.control.post(path, json=doc)
        answer.raise_for_status()
        return dict(answer.json())

    def root(self, collection_id: str) -> Path:
        """The local directory behind a collection."""
        if not self._roots:
            world = self.control.get("/_emulator/world").raise_for_status().json()
            self._roots = {c["id"]: Path(c["root"]) for c in world["collections"]}
        return self._roots[collection_id]

    def stats(self) -> dict[str, Any]:
        return dict(self.control.get("/_emulator/stats").raise_for_status().json())

    def reset_stats(self) -> None:
        self._post("/_emulator/stats/reset")

    def expire(self, access_token: str | None = None) -> int:
        """Make one access token (or, with none, all) expired; how many were."""
        return int(
            self._post("/_emulator/tokens/expire", {"access_token": access_token})["expired"]
        )

    def fault(self, **fault: Any) -> None:
        """The next matching API calls fail, stall or answer a broken body (match, status,
        delay_seconds, times, body, text, content_type, truncate: see globus_emulator.faults)."""
        self._post("/_emulator/faults", fault)

    def clear_faults(self) -> None:
        self.control.delete("/_emulator/faults").raise_for_status()

    def transfer_rate_limit(self, bytes_per_second: int | None) -> int | None:
        """Set the rate tasks copy at (None: unlimited); the previous rate."""
        before = self.control.get("/_emulator/world").raise_for_status().json()
        self._post("/_emulator/config", {"transfer_rate_limit": bytes_per_second})
        return before["transfer_rate_limit"]  # type: ignore[no-any-return]

    def revoke(self, refresh_token: str, client_id: str = DEFAULT_CLIENT_ID) -> None:
        """Revoke a refresh token through Globus Auth's own revocation endpoint."""
        auth = globus_sdk.NativeAppAuthClient(client_id, base_url=self.url + "/")
        auth.oauth2_revoke_token(refresh_token)

    def accepts(self, access_token: str, collection_id: str = DEFAULT_SOURCE_ID) -> bool:
        """Whether Transfer takes the access token now (one get_endpoint call)."""
        transfer = globus_sdk.TransferClient(
            base_url=self.url + "/", authorizer=globus_sdk.AccessTokenAuthorizer(access_token)
        )
        try:
            transfer.get_endpoint(collection_id)
        except globus_sdk.TransferAPIError as err:
            if err.http_status == 401:
                return False
            raise
        return True


@dataclass
class CallCounter:
    """Globus API calls seen at the emulator since the last `start()`."""

    globus: EmulatedGlobus

    def start(self) -> None:
        self.globus.reset_stats()

    def total(self) -> int:
        return int(self.globus.stats()["total"])

    def by_route(self) -> dict[str, int]:
        return dict(self.globus.stats()["calls"])

    def matching(self, pattern: str) -> int:
        rx = re.compile(pattern)
        return sum(n for key, n in self.by_route().items() if rx.search(key))


# One sample of the proxy's metrics: (sample name, sorted label pairs).
Sample = tuple[str, tuple[tuple[str, str], ...]]


def parse_metrics(text: str) -> dict[Sample, float]:
    """Every sample of a /metrics text, parsed by prometheus-client's own parser."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(name: str, **labels: str) -> Sample:
    return (name, tuple(sorted(labels.items())))


class Scratch(NamedTuple):
    """A fresh directory on a writable collection: its collection path and backing directory."""

    path: str
    backing: Path


def fresh_scratch(root: Path, name: str) -> Scratch:
    name = re.sub(r"[^A-Za-z0-9_]+", "_", name)[:60]
    backing = root / "scratch" / name
    if backing.exists():
        shutil.rmtree(backing)
    backing.mkdir(parents=True)
    return Scratch(f"/scratch/{name}", backing)


@dataclass
class ProxyClient:
    """Talks to one running proxy exactly as the Java clients do."""

    root: str  # http://127.0.0.1:port
    globus: EmulatedGlobus
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30))
    # Every secret this client has handed out, checked against every body it reads.
    known_secrets: set[str] = field(default_factory=set)
    log_path: Path | None = None  # the server's output, when it runs as a process

    def log(self) -> str:
        """What the server process has written so far."""
        assert self.log_path is not None, "this proxy runs in the test's process"
        return self.log_path.read_text(errors="replace")

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
        timeout: float | None = None,
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
            timeout=timeout if timeout is not None else self.http.timeout,
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
        assert set(body) == {"status", "message", "result", "version", "metadata"}, body
        assert isinstance(body["message"], str), body
        assert isinstance(body["result"], dict), body
        expected = "success" if response.status_code < 400 else "error"
        assert body["status"] == expected, (response.status_code, body)
        # One id per request: in the X-Request-Id header and in the envelope.
        assert body["metadata"].get("request_id") == response.headers["x-request-id"], body
        if response.status_code >= 400:
            assert body["message"].strip(), "an error must say what went wrong"
            # Secrets the caller sent may come back only as a refreshed pair, never in errors.
            for secret in self.known_secrets:
                assert secret not in text, "a token or login secret appears in an error answer"

    def metrics_text(self) -> str:
        """GET /metrics, at the root (outside the API prefix), as Prometheus scrapes it."""
        answer = self.http.get(self.root + "/metrics")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain"), answer.headers
        return answer.text

    def metrics(self) -> dict[Sample, float]:
        return parse_metrics(self.metrics_text())

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

    def start_login(self, endpoint_id: str | None = None) -> tuple[str, str]:
        """auth/url: (the login URL, its session id)."""
        started = self.auth_url(endpoint_id)
        assert started.status_code == 200, started.text
        result = started.json()["result"]
        self.known_secrets.add(result["session_id"])
        return result["url"], result["session_id"]

    def log_in_at_globus(self, url: str) -> str:
        """The headless login at the emulator: the auth code."""
        code = headless_login(url)
        self.known_secrets.add(code)
        return code

    def exchange(
        self, session_id: str, code: str, client_id: str = DEFAULT_CLIENT_ID
    ) -> httpx.Response:
        answer = self.call("GET", f"/auth/tokens/{client_id}/{session_id}/{code}")
        if answer.status_code == 200:
            self.known_secrets.update(answer.json()["result"].values())
        return answer

    def login(self, endpoint_id: str | None = None, query: dict[str, Any] | None = None) -> Tokens:
        """auth/url -> headless login at the emulator -> auth/tokens: a working pair."""
        started = self.auth_url(endpoint_id, query=query)
        assert started.status_code == 200, started.text
        result = started.json()["result"]
        return self.finish_login(result["url"], result["session_id"])

    def finish_login(self, url: str, session_id: str) -> Tokens:
        self.known_secrets.add(session_id)
        code = self.log_in_at_globus(url)
        answer = self.exchange(session_id, code)
        assert answer.status_code == 200, answer.text
        pair = answer.json()["result"]
        return Tokens(pair["access_token"], pair["refresh_token"], code, session_id)

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
        give_up = time.monotonic() + deadline_seconds
        while True:
            answer = self.task("GET", task_id, tokens)
            assert answer.status_code == 200, answer.text
            doc: dict[str, Any] = answer.json()["result"]
            if doc["status"] in until:
                return doc
            assert time.monotonic() < give_up, f"task still {doc['status']}: {doc}"
            time.sleep(0.05)


def full_walkthrough(proxy: ProxyClient, backing_dir: str) -> list[str]:
    """Every operation, a refresh and some errors; returns every secret that was in play."""
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    pair = proxy.exchange(session_id, code).json()["result"]
    tokens = Tokens(pair["access_token"], pair["refresh_token"], code, session_id)

    proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    proxy.ls(DEFAULT_SOURCE_ID, "/no/such", tokens)
    proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{backing_dir}/logged", tokens)
    proxy.ops("POST", DEFAULT_DESTINATION_ID, f"{backing_dir}/logged", tokens)  # 409
    proxy.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{backing_dir}/logged",
        tokens,
        json_body={"destination": f"{backing_dir}/renamed"},
    )
    proxy.ops(
        "DELETE",
        DEFAULT_DESTINATION_ID,
        f"{backing_dir}/renamed",
        tokens,
        query={"recurse": "true"},
    )
    submitted = proxy.transfer(
        tokens,
        {
            "source_endpoint": DEFAULT_SOURCE_ID,
            "destination_endpoint": DEFAULT_DESTINATION_ID,
            "transfer_items": [
                {
                    "source_path": "/data1/1M.dat",
                    "destination_path": f"{backing_dir}/1M.dat",
                    "recursive": "False",
                }
            ],
        },
    )
    task_id = submitted.json()["result"]["task_id"]
    proxy.wait_for_task(task_id, tokens, until={"SUCCEEDED", "FAILED"})
    proxy.task("DELETE", task_id, tokens)
    proxy.check_tokens(DEFAULT_SOURCE_ID, tokens)

    # A stale access token: the refresh path and its new token must stay out of the logs too.
    proxy.globus.expire(tokens.access_token)
    refreshed = proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens).json()["metadata"]["access_token"]
    proxy.known_secrets.add(refreshed)
    # Bad input carrying tokens and login secrets.
    proxy.call("GET", f"/ops/not-a-uuid/{DEFAULT_SOURCE_ID}/%2F", tokens=tokens)
    proxy.exchange(session_id, code)  # a reused code
    proxy.exchange("garbage-session", code)
    proxy.globus.revoke(tokens.refresh_token)
    proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens)
    return [*tokens.secrets(), refreshed]


def proxy_settings(**settings: Any) -> Settings:
    return Settings(
        **{"session_key": SESSION_KEY, "globus_timeout_seconds": PROXY_DEADLINE_SECONDS, **settings}
    )


@contextmanager
def serve_proxy(globus: EmulatedGlobus, **settings: Any) -> Iterator[ProxyClient]:
    """A proxy in front of `globus`, over HTTP on a free port, stopped when the block ends.

    The proxy resolves Globus's URLs when it is built, so it stays bound to this emulator
    whatever globus-sdk's environment variables say later.
    """
    chosen = proxy_settings(**settings)
    with globus_sdk_pointed_at(globus.url):
        app = create_app(chosen)
    with ServerThread(app, http=http_protocol(chosen)) as server, httpx.Client(timeout=30) as http:
        yield ProxyClient(root=server.url, globus=globus, http=http)


@contextmanager
def serve_proxy_process(
    globus: EmulatedGlobus, log_dir: Path, **settings: Any
) -> Iterator[ProxyClient]:
    """`globus-proxy serve` as a process of its own in front of `globus`, on a free port:
    the real server, for what lives in it (the HTTP protocol, its limits)."""
    chosen = {"session_key": SESSION_KEY, "globus_timeout_seconds": PROXY_DEADLINE_SECONDS}
    env = {f"GLOBUS_PROXY_{k.upper()}": str(v) for k, v in {**chosen, **settings}.items()}
    env.update({name: globus.url + "/" for name in SDK_URL_VARIABLES})
    ready = API_PREFIX + "/ready"
    with (
        running("proxy", ["serve"], ready, log_dir, env) as service,
        httpx.Client(timeout=30) as http,
    ):
        yield ProxyClient(root=service.url, globus=globus, http=http, log_path=service.log_path)


class ProxyFactory:
    """Proxies with settings of their own, and worlds of their own, stopped with the factory."""

    def __init__(self, stack: ExitStack, globus: EmulatedGlobus, log_dir: Path) -> None:
        self._stack = stack
        self._globus = globus
        self._log_dir = log_dir

    def start_process(self, **settings: Any) -> ProxyClient:
        """`globus-proxy serve` in a process of its own, in front of the shared emulator."""
        log_dir = self._log_dir / f"proxy-{len(list(self._log_dir.iterdir()))}"
        log_dir.mkdir()
        return self._stack.enter_context(serve_proxy_process(self._globus, log_dir, **settings))

    def start(self, **settings: Any) -> ProxyClient:
        """A proxy in front of the shared emulator, with these settings (see Settings)."""
        return self._stack.enter_context(serve_proxy(self._globus, **settings))

    def start_pointed_at(self, url: str, **settings: Any) -> ProxyClient:
        """A proxy whose Globus is at `url` (a port nothing listens on, say)."""
        globus = EmulatedGlobus(url)
        self._stack.callback(globus.close)
        return self._stack.enter_context(serve_proxy(globus, **settings))

    def start_world(self, world: World, **settings: Any) -> ProxyClient:
        """An emulator of its own serving `world`, and a proxy in front of it."""
        url, _ = self._stack.enter_context(running_emulator(world))
        globus = EmulatedGlobus(url)
        self._stack.callback(globus.close)
        return self._stack.enter_context(serve_proxy(globus, **settings))
