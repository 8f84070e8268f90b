"""The name of an HTTP request to Globus, for metrics and logs: the globus-sdk method that
sends it (`operation_ls`, `submit_transfer`, `oauth2_refresh_token`, ...).

Named from the request itself (method and path template; for Auth's token endpoint, the
grant type), not from the code that started it: a refresh runs inside a listing's retry loop,
`submit_transfer` asks for its submission id on its own, and the client-credentials
authorizer fetches its token inside whichever call needs it; each is named for what it is.
Ids in paths match `[^/]+` and never reach a name.
"""

from __future__ import annotations

import re

import requests

OTHER = "other"
TOKEN_CALL = "oauth2_token"

# (name, "METHOD path-regex"); the path is the part after Globus's base URL's own path.
CALLS = (
    ("operation_ls", r"GET /v0\.10/operation/endpoint/[^/]+/ls"),
    ("operation_stat", r"GET /v0\.10/operation/endpoint/[^/]+/stat"),
    ("operation_mkdir", r"POST /v0\.10/operation/endpoint/[^/]+/mkdir"),
    ("operation_rename", r"POST /v0\.10/operation/endpoint/[^/]+/rename"),
    ("get_endpoint", r"GET /v0\.10/endpoint/[^/]+"),
    ("get_submission_id", r"GET /v0\.10/submission_id"),
    ("submit_transfer", r"POST /v0\.10/transfer"),
    ("submit_delete", r"POST /v0\.10/delete"),
    ("get_task", r"GET /v0\.10/task/[^/]+"),
    ("cancel_task", r"POST /v0\.10/task/[^/]+/cancel"),
    ("task_list", r"GET /v0\.10/task_list"),
    (TOKEN_CALL, r"POST /v2/oauth2/token"),
    ("oauth2_revoke_token", r"POST /v2/oauth2/token/revoke"),
    ("oauth2_token_introspect", r"POST /v2/oauth2/token/introspect"),
    ("oauth2_userinfo", r"GET /v2/oauth2/userinfo"),
)
# One regex for all, matched from the API version on (`/v0.10/`, `/v2/`): a base URL may
# carry a path of its own.
CALL_PATTERN = re.compile("|".join(rf"(?P<{name}>{pattern})" for name, pattern in CALLS))
PATH_START = re.compile(r"/v(?:0\.10|2)/")
GRANTS = {
    b"refresh_token": "oauth2_refresh_token",
    b"authorization_code": "oauth2_exchange_code_for_tokens",
    b"client_credentials": "oauth2_client_credentials_tokens",
}
GRANT_TYPE = re.compile(rb"(?:^|&)grant_type=([a-z_]+)")


def call_name(request: requests.PreparedRequest) -> str:
    """The globus-sdk method name of `request`, or `other`."""
    path = (request.path_url or "").split("?", 1)[0]
    start = PATH_START.search(path)
    if start is None:
        return OTHER
    match = CALL_PATTERN.fullmatch(f"{request.method} {path[start.start() :]}")
    if match is None or match.lastgroup is None:
        return OTHER
    if match.lastgroup == TOKEN_CALL:
        return grant_name(request.body)
    return match.lastgroup


def grant_name(body: object) -> str:
    """Which token grant a form body asks for; only the grant type is read from it."""
    raw = body.encode() if isinstance(body, str) else body if isinstance(body, bytes) else b""
    grant = GRANT_TYPE.search(raw)
    return GRANTS.get(grant.group(1), TOKEN_CALL) if grant else TOKEN_CALL
