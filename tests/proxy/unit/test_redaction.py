"""Secrets in request URLs are masked before a path or query is written anywhere."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from globus_proxy.redaction import nearest_route, redact_query, redacted_path, route_shape

CLIENT = "6d8a1b4e-0f3c-4c55-9a57-3c0e0e8f7a11"
TEMPLATES = (
    "/v3/globus-proxy/hello",
    "/v3/globus-proxy/auth/tokens/{client_id}/{session_id}/{auth_code}",
    "/v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}",
    "/v3/globus-proxy/transfers/{client_id}",
)


def scope(raw: str, route: str | None = None, **params: str) -> dict[str, Any]:
    """What the router leaves in the ASGI scope for a request of path `raw`."""
    app = SimpleNamespace(state=SimpleNamespace(route_templates=TEMPLATES))
    matched = {} if route is None else {"route": SimpleNamespace(path_format=route)}
    return {"path": raw, "app": app, "path_params": params, **matched}


def test_query_values_are_shown_for_plain_parameters_only() -> None:
    assert redact_query(b"access_token=a&refresh_token=b&limit=5") == (
        "access_token=REDACTED&refresh_token=REDACTED&limit=5"
    )
    assert redact_query(b"code=c&session_id=s&filter=name%3A%3Dx") == (
        "code=REDACTED&session_id=REDACTED&filter=name%3A%3Dx"
    )
    # A misspelt name keeps its value hidden; a name that could be a token is hidden too.
    assert redact_query(b"acess_token=Ag1&Agx9Token&offset=2") == (
        "acess_token=REDACTED&REDACTED=REDACTED&offset=2"
    )
    assert redact_query(b"") == ""


def test_a_matched_route_shows_its_ids_and_path_but_never_the_login_secrets() -> None:
    tokens = "/v3/globus-proxy/auth/tokens/{client_id}/{session_id}/{auth_code}"
    sent = {"client_id": CLIENT, "session_id": "sess", "auth_code": "code"}
    assert redacted_path(
        scope(f"/v3/globus-proxy/auth/tokens/{CLIENT}/sess/code", tokens, **sent)
    ) == (f"/v3/globus-proxy/auth/tokens/{CLIENT}/REDACTED/REDACTED")
    # An id that is no UUID could be anything the caller misplaced.
    sent["client_id"] = "Ag9token"
    assert redacted_path(scope("/v3/globus-proxy/auth/tokens/Ag9token/s/c", tokens, **sent)) == (
        "/v3/globus-proxy/auth/tokens/*/REDACTED/REDACTED"
    )
    ops = "/v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}"
    path = f"/v3/globus-proxy/ops/{CLIENT}/{CLIENT}/p/q"
    assert redacted_path(scope(path, ops, client_id=CLIENT, endpoint_id=CLIENT, path="p/q")) == path


def test_an_unmatched_path_is_shown_as_its_shape() -> None:
    assert redacted_path(scope("/v3/globus-proxy//auth/tokens/c/sess/code")) == (
        "/v3/globus-proxy//auth/tokens/*/*/*"
    )
    assert route_shape("/v3/globus-proxy/auth/token/c/s/x", TEMPLATES) == (
        "/v3/globus-proxy/auth/*/*/*/*"
    )


def test_the_nearest_route_is_a_template_never_the_path() -> None:
    assert nearest_route("/v3/globus-proxy/auth/token/c/s/x", TEMPLATES) == TEMPLATES[1]
    assert nearest_route("/v3/globus-proxy//auth/tokens/c/s/x", TEMPLATES) == TEMPLATES[1]
    assert nearest_route("/v3/globus-proxy/op/c/e/a/b", TEMPLATES) == TEMPLATES[2]
    assert nearest_route("/v3/globus-proxy/transfer/c", TEMPLATES) == TEMPLATES[3]
    assert nearest_route("/v3/globus-proxy/something/else", TEMPLATES) is None
