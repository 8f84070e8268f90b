"""One access-log line per request, with every token redacted (see redaction).

The message is the redacted method, path and query, status, time, operation and number of
Globus calls; the same facts go in structured fields for JSON lines, with the route template
instead of the path.
"""

from __future__ import annotations

import logging

from starlette.types import Scope

from globus_proxy.redaction import redact_query, redacted_path

log = logging.getLogger("globus_proxy.access")


def write(
    scope: Scope, status: int, seconds: float, operation: str, route: str, globus_calls: int
) -> None:
    if not log.isEnabledFor(logging.INFO):
        return
    query = redact_query(scope.get("query_string", b""))
    milliseconds = round(seconds * 1000, 1)
    log.info(
        "%s %s%s %d %.1fms %s globus_calls=%d",
        scope["method"],
        redacted_path(scope),
        f"?{query}" if query else "",
        status,
        milliseconds,
        operation,
        globus_calls,
        extra={
            "method": scope["method"],
            "route": route,
            "operation": operation,
            "status": status,
            "duration_ms": milliseconds,
            "globus_calls": globus_calls,
        },
    )
