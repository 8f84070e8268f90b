"""The only builder of response envelopes: {status, message, result, version, metadata}.

Every answer, the 500 guard's included, is rendered by `render`, the one place `metadata`
enters a body: whatever every answer should carry there is added once, in `render` (the
request's id, as `metadata.request_id`).
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from globus_proxy.request_context import current_request_id

JSON = "application/json"


def render(
    status: str,
    message: str,
    raw_result: bytes,
    version: str,
    metadata: dict[str, Any] | None,
) -> bytes:
    """The envelope around `raw_result`, a JSON document spliced in as is (never re-parsed)."""
    head = orjson.dumps({"status": status, "message": message})[:-1]
    request_id = current_request_id()
    if request_id is not None:
        metadata = {**(metadata or {}), "request_id": request_id}
    tail = orjson.dumps({"version": version, "metadata": metadata or {}})[1:]
    return b"".join((head, b',"result":', raw_result, b",", tail))


def success(
    message: str,
    result: Any,
    version: str,
    metadata: dict[str, Any] | None = None,
) -> Response:
    body = render("success", message, orjson.dumps(result), version, metadata)
    return Response(body, 200, media_type=JSON)


def success_spliced(
    message: str,
    raw_result: bytes,
    version: str,
    metadata: dict[str, Any] | None = None,
) -> Response:
    """Put a JSON document Globus sent, unparsed, in `result`: no parse+dump of big listings."""
    return Response(render("success", message, raw_result, version, metadata), 200, media_type=JSON)


def error(
    http_status: int,
    message: str,
    version: str,
    result: Any = None,
    metadata: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    # `result` stays an object (never null): the Tapis schemas type it as one.
    raw_result = orjson.dumps({} if result is None else result)
    return Response(
        render("error", message, raw_result, version, metadata),
        http_status,
        headers=headers,
        media_type=JSON,
    )
