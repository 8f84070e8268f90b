"""No token, auth code or session id in any log line; the access log redacts token queries."""

from __future__ import annotations

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, Scratch, Tokens, encoded_segment, full_walkthrough


def test_no_secret_in_any_log_line(
    proxy: ProxyClient, scratch: Scratch, log_lines: list[str]
) -> None:
    secrets = full_walkthrough(proxy, scratch.path)
    assert len(log_lines) > 10, "the capture saw too little to prove anything"
    assert any("/v3/globus-proxy/" in line for line in log_lines), "no access log captured"
    for secret in secrets:
        leaked = [line for line in log_lines if secret in line]
        assert not leaked, f"a secret appears in {len(leaked)} log lines, e.g. {leaked[0][:300]}"


def test_access_log_redacts_token_query_values(
    proxy: ProxyClient, tokens: Tokens, log_lines: list[str]
) -> None:
    marker = "redaction-probe"
    raw = f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/{encoded_segment('/data1')}"
    proxy.call("GET", raw, tokens=tokens, query={"filter": f"name:={marker}"})
    access = [line for line in log_lines if marker in line and "/v3/globus-proxy/ops/" in line]
    assert access, "no access log line for the request"
    line = access[0]
    assert tokens.access_token not in line and tokens.refresh_token not in line
    assert "access_token=REDACTED" in line, line
    assert "refresh_token=REDACTED" in line, line
    assert "200" in line, line


def test_access_log_redacts_login_segments(proxy: ProxyClient, log_lines: list[str]) -> None:
    url, session_id = proxy.start_login()
    code = proxy.log_in_at_globus(url)
    assert proxy.exchange(session_id, code).status_code == 200
    lines = [line for line in log_lines if "/auth/tokens/" in line]
    assert lines, "no access log line for auth/tokens"
    for line in lines:
        assert code not in line, line
        assert session_id not in line, line
        assert "/auth/tokens/" + DEFAULT_CLIENT_ID + "/REDACTED/REDACTED " in line, line
