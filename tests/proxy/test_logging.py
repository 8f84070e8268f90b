"""No token, auth code or session id in any log line; the access log redacts token queries."""

from __future__ import annotations

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, Scratch, Tokens, encoded_segment


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
