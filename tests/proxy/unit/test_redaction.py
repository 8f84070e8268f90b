"""Secrets in request URLs are masked before a path or query is written anywhere."""

from __future__ import annotations

from globus_proxy.redaction import redact_path, redact_query


def test_token_query_values_are_masked() -> None:
    assert redact_query(b"access_token=a&refresh_token=b&limit=5") == (
        "access_token=REDACTED&refresh_token=REDACTED&limit=5"
    )
    assert redact_query(b"code=c&session_id=s&filter=name%3A%3Dx") == (
        "code=REDACTED&session_id=REDACTED&filter=name%3A%3Dx"
    )
    assert redact_query(b"") == ""


def test_login_path_segments_are_masked() -> None:
    assert redact_path("/v3/globus-proxy/auth/tokens/c/sess/code") == (
        "/v3/globus-proxy/auth/tokens/c/REDACTED/REDACTED"
    )
    assert redact_path("/v3/globus-proxy/ops/c/e/p") == "/v3/globus-proxy/ops/c/e/p"
    # A mistyped path still has its secrets masked, although it will only get a 404.
    assert redact_path("/v3/globus-proxy//auth/tokens/c/sess/code") == (
        "/v3/globus-proxy//auth/tokens/c/REDACTED/REDACTED"
    )
