"""Masking the secrets that travel in request URLs, before a path or query is written anywhere.

Tokens travel in the query (`access_token`, `refresh_token`) and, during login, in the path
(`auth/tokens/{client}/{session_id}/{auth_code}`).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

SECRET_QUERY_KEYS = frozenset({"access_token", "refresh_token", "code", "session_id"})
TOKENS_SEGMENT = "/auth/tokens/"
REDACTED = "REDACTED"


def redact_path(path: str) -> str:
    """Mask the session id and auth code segments of the token-exchange route.

    Matched anywhere in the path, not only at the canonical prefix: a mistyped request
    (a doubled slash, another prefix) answers 404 but is logged all the same.
    """
    at = path.find(TOKENS_SEGMENT)
    if at < 0:
        return path
    head, tail = path[: at + len(TOKENS_SEGMENT)], path[at + len(TOKENS_SEGMENT) :]
    segments = tail.split("/")
    masked = segments[:1] + [REDACTED if s else s for s in segments[1:]]
    return head + "/".join(masked)


def redact_query(query: bytes) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return "&".join(
        f"{quote(k)}={REDACTED if k in SECRET_QUERY_KEYS else quote(v)}" for k, v in pairs
    )
