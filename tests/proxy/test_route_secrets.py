"""No answer and no log line echoes a path segment or query value that could be a secret,
whatever the route, matched or not: a mistyped login route must not leak the session id or
the auth code it carries (see globus_proxy.redaction for the rule)."""

from __future__ import annotations

import secrets

from globus_emulator.world import DEFAULT_CLIENT_ID as CLIENT
from tests.proxy.support import API_PREFIX, ProxyClient


def secret(kind: str) -> str:
    """Looks like what Globus and the proxy issue: mixed case and digits."""
    return f"{kind}{secrets.token_urlsafe(24)}"


SPELLINGS = [
    # (method, path after the host, with {s} the session id, {c} the code, {t} a token;
    #  the status it gets)
    ("GET", API_PREFIX + "/auth/token/" + CLIENT + "/{s}/{c}", 404),
    ("GET", API_PREFIX + "/auth/Tokens/" + CLIENT + "/{s}/{c}", 404),
    ("GET", API_PREFIX + "/auth/tokens/" + CLIENT + "/{s}/{c}/extra", 404),
    ("GET", API_PREFIX + "/auth/tokens/" + CLIENT + "/{s}?code={c}", 404),
    ("GET", API_PREFIX + "/auth/tokens/{s}/{c}", 404),
    ("GET", API_PREFIX + "//auth/tokens/" + CLIENT + "/{s}/{c}", 404),
    ("GET", "/v3/globusproxy/auth/tokens/" + CLIENT + "/{s}/{c}", 404),
    ("GET", "/auth/tokens/" + CLIENT + "/{s}/{c}", 404),
    ("GET", API_PREFIX + "/auth%2Ftokens%2F" + CLIENT + "%2F{s}%2F{c}", 400),
    ("GET", API_PREFIX + "/auth/tokens/not-a-uuid/{s}/{c}", 400),
    ("POST", API_PREFIX + "/auth/tokens/" + CLIENT + "/{s}/{c}", 405),
    ("DELETE", API_PREFIX + "/auth/url/" + CLIENT + "/{s}", 405),
    ("GET", API_PREFIX + "/auth/url/{s}", 400),
    ("GET", API_PREFIX + "/transfers/" + CLIENT + "/{t}?access_token={s}&refresh_token={c}", 400),
    ("GET", API_PREFIX + "/{t}", 404),
    ("GET", API_PREFIX + "/ops/{t}", 404),
    ("GET", API_PREFIX + "/transfer/" + CLIENT + "?acess_token={t}&refresh-token={s}", 404),
    ("GET", API_PREFIX + "/hello?{t}&token={c}", 200),
    ("GET", API_PREFIX + "/healthcheck/{t}?x={s}", 404),
]


def test_no_secret_in_any_answer_or_log_line_whatever_the_spelling(
    proxy: ProxyClient, log_lines: list[str]
) -> None:
    leaks = []
    for method, template, status in SPELLINGS:
        session_id, code, token = secret("Sess"), secret("Code"), secret("AgTok")
        raw = template.format(s=session_id, c=code, t=token)
        answer = proxy.http.request(method, proxy.root + raw)
        assert answer.status_code == status, (template, answer.text)
        for value in (session_id, code, token):
            if value in answer.text:
                leaks.append(f"the answer to {method} {template}")
            leaks += [
                f"a log line of {method} {template}: {line}" for line in log_lines if value in line
            ]
        proxy.check_answer(answer)  # an envelope
    assert not leaks, "\n".join(leaks)


def test_a_mistyped_login_route_says_which_route_was_meant(proxy: ProxyClient) -> None:
    answer = proxy.http.get(proxy.root + f"{API_PREFIX}/auth/token/{CLIENT}/Sess1x/Code1x")
    assert answer.status_code == 404
    assert answer.json()["message"] == (
        f"No such route: GET {API_PREFIX}/auth/*/*/*/* (segments other than the API's own "
        f"words are shown as *). Did you mean {API_PREFIX}/auth/tokens/{{client_id}}/"
        f"{{session_id}}/{{auth_code}}? See {API_PREFIX}/docs."
    )
