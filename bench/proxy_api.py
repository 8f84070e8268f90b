"""The Tapis GlobusProxy calls the benchmark makes, and the login that yields a token pair."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

PREFIX = "/v3/globus-proxy"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def query(self, **extra: Any) -> str:
        return urlencode(
            {"access_token": self.access_token, "refresh_token": self.refresh_token, **extra}
        )


class ProxyError(RuntimeError):
    """A proxy answer that was not a success; the message carries no token."""


def ops_path(client_id: str, endpoint_id: str, path: str) -> str:
    # One %2F-encoded segment, as Tapis Files sends it.
    return f"{PREFIX}/ops/{client_id}/{endpoint_id}/{quote(path, safe='')}"


def list_path(client_id: str, endpoint_id: str, path: str, tokens: TokenPair, **query: Any) -> str:
    return f"{ops_path(client_id, endpoint_id, path)}?{tokens.query(**query)}"


def task_path(client_id: str, task_id: str, tokens: TokenPair) -> str:
    return f"{PREFIX}/transfers/{client_id}/{task_id}?{tokens.query()}"


def result_of(response: httpx.Response) -> dict[str, Any]:
    """The envelope's `result`, or ProxyError naming the status and the proxy's message."""
    try:
        doc = response.json()
    except ValueError:
        doc = {}
    if response.status_code != 200 or doc.get("status") != "success":
        message = doc.get("message") if isinstance(doc, dict) else None
        raise ProxyError(f"{response.request.method} -> {response.status_code}: {message}")
    result = doc.get("result")
    return result if isinstance(result, dict) else {"value": result}


def start_login(http: httpx.Client, client_id: str) -> tuple[str, str]:
    """auth/url: the authorize URL and the session id."""
    result = result_of(http.get(f"{PREFIX}/auth/url/{client_id}"))
    return str(result["url"]), str(result["session_id"])


def finish_login(http: httpx.Client, client_id: str, session_id: str, code: str) -> TokenPair:
    """auth/tokens: the step that costs one call to Globus (getTokens)."""
    result = result_of(http.get(f"{PREFIX}/auth/tokens/{client_id}/{session_id}/{code}"))
    return TokenPair(str(result["access_token"]), str(result["refresh_token"]))


def authorize(url: str) -> str:
    """Logs in headlessly over plain HTTP and returns the auth code."""
    from globus_emulator.login import headless_login

    return str(headless_login(url))


def login(http: httpx.Client, client_id: str) -> TokenPair:
    url, session_id = start_login(http, client_id)
    return finish_login(http, client_id, session_id, authorize(url))
