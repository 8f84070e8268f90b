"""The only builder of response envelopes: {status, message, result, version, metadata}."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

JSON = "application/json"


def _render(
    status: str, message: str, result: Any, version: str, metadata: dict[str, Any]
) -> bytes:
    return orjson.dumps(
        {
            "status": status,
            "message": message,
            "result": result,
            "version": version,
            "metadata": metadata,
        }
    )


def success(
    message: str,
    result: Any,
    version: str,
    metadata: dict[str, Any] | None = None,
) -> Response:
    return Response(
        _render("success", message, result, version, metadata or {}), 200, media_type=JSON
    )


def success_spliced(
    message: str,
    raw_result: bytes,
    version: str,
    metadata: dict[str, Any] | None = None,
) -> Response:
    """Put a JSON document Globus sent, unparsed, in `result`: no parse+dump of big listings."""
    head = orjson.dumps({"status": "success", "message": message})[:-1]
    tail = orjson.dumps({"version": version, "metadata": metadata or {}})[1:]
    body = b"".join((head, b',"result":', raw_result, b",", tail))
    return Response(body, 200, media_type=JSON)


def error(
    http_status: int,
    message: str,
    version: str,
    result: Any = None,
    metadata: dict[str, Any] | None = None,
) -> Response:
    # `result` stays an object (never null): the Tapis schemas type it as one.
    body = _render("error", message, {} if result is None else result, version, metadata or {})
    return Response(body, http_status, media_type=JSON)
