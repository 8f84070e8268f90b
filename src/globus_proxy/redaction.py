"""Masking whatever in a request URL could be a secret, before a path or query is written
anywhere (a log line, an error message).

Tokens travel in the query (`access_token`, `refresh_token`) and, during login, in the path
(`auth/tokens/{client}/{session_id}/{auth_code}`); a caller's typo can put them anywhere else.
The rule:
- a path that matched a route (or all but its method) is shown as its template filled in:
  the collection path as sent, the ids when they are UUIDs, the login's secrets REDACTED,
  anything else `*`;
- a path that matched no route is shown as its shape: the API's own words, every other
  segment `*` (a mistyped `auth/token/...` would otherwise echo the session id and code);
- a query shows the values of the known plain parameters only (limit, offset, filter,
  recurse, data_access), and the names of parameters only when they look like names.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.routing import BaseRoute
from starlette.types import Scope

SECRET_PATH_PARAMETERS = frozenset({"session_id", "auth_code"})
PLAIN_QUERY_KEYS = frozenset({"limit", "offset", "filter", "recurse", "data_access"})
# Lower-case words: a token or code always has capitals or digits, or is longer.
NAME_LIKE = re.compile(r"[a-z_]{1,32}")
REDACTED = "REDACTED"
UNKNOWN_SEGMENT = "*"
PARAMETER = re.compile(r"\{[^}]*\}")
COLLECTION_PATH = "path"  # the ops routes' parameter: a path in a collection, never a secret
OPEN_ENDED = "{path}"  # the ops routes' collection path, which may span segments
CLOSE_WORD = 0.75  # difflib's ratio: `token` against `tokens` is 0.91, `url` against `ops` 0


def redacted_path(scope: Scope) -> str:
    """The request's path, safe to write anywhere."""
    route = scope.get("route")
    path: str = scope["path"]
    if route is None or not hasattr(route, "path_format"):
        return route_shape(path, templates_of(scope))
    params: dict[str, Any] = scope.get("path_params", {})
    if all(k == COLLECTION_PATH or is_uuid(v) for k, v in params.items()):
        return path  # the usual case: nothing to hide
    return str(route.path_format.format(**{k: shown(k, v) for k, v in params.items()}))


def shown(name: str, value: Any) -> str:
    if name in SECRET_PATH_PARAMETERS:
        return REDACTED
    if name == COLLECTION_PATH or is_uuid(value):
        return str(value)
    return UNKNOWN_SEGMENT


def is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def route_templates(routes: Iterable[BaseRoute]) -> tuple[str, ...]:
    """The path templates of `routes` (`/v3/globus-proxy/auth/url/{client_id}`, ...)."""
    formats = (getattr(route, "path_format", None) for route in routes)
    return tuple(dict.fromkeys(f for f in formats if isinstance(f, str)))


def templates_of(scope: Scope) -> tuple[str, ...]:
    """The service's route templates, which the app keeps in its state (see app.py)."""
    state = getattr(scope.get("app"), "state", None)
    return tuple(getattr(state, "route_templates", ()))


def route_shape(path: str, templates: Iterable[str]) -> str:
    """`path` with every segment that is not one of the API's own words as `*`."""
    words = {s for t in templates for s in t.split("/") if s and not PARAMETER.search(s)}
    return "/".join(s if not s or s in words else UNKNOWN_SEGMENT for s in path.split("/"))


def nearest_route(path: str, templates: Iterable[str]) -> str | None:
    """The route template a mistyped path most resembles, if one is close: same number of
    segments, and each of the template's words close to the segment in its place.

    Reads the raw path, but answers a template: nothing the caller sent is echoed.
    """
    segments = [s for s in path.split("/") if s]
    best: tuple[float, str | None] = (0.0, None)
    for template in dict.fromkeys(templates):
        parts = [s for s in template.split("/") if s]
        if parts[-1:] == [OPEN_ENDED] and len(segments) > len(parts):
            segments_here = [*segments[: len(parts) - 1], "/".join(segments[len(parts) - 1 :])]
        else:
            segments_here = segments
        if len(parts) != len(segments_here):
            continue
        ratios = [
            difflib.SequenceMatcher(None, part, segment).ratio()
            for part, segment in zip(parts, segments_here, strict=True)
            if not PARAMETER.search(part)
        ]
        if ratios and min(ratios) >= CLOSE_WORD:
            best = max(best, (sum(ratios) / len(ratios), template), key=lambda b: b[0])
    return best[1]


def redact_query(query: bytes) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return "&".join(
        f"{quote(k) if NAME_LIKE.fullmatch(k) else REDACTED}="
        f"{quote(v) if k in PLAIN_QUERY_KEYS else REDACTED}"
        for k, v in pairs
    )
