"""Globus's documents as the proxy passes them on: raw bytes wherever possible."""

from __future__ import annotations

from typing import Any

import globus_sdk
import orjson


def raw_document(response: globus_sdk.GlobusHTTPResponse) -> bytes:
    """Globus's JSON body as sent, so big listings are not parsed and dumped again."""
    body = response.binary_content
    if body[:1] == b"{":
        return body
    return orjson.dumps(response.data if isinstance(response.data, dict) else {})


def single_file_listing(endpoint_id: str, path: str, entry: dict[str, Any], offset: int) -> bytes:
    """A listing of one file, in the shape of an ls document, for callers that ls a file."""
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    data = [entry] if offset == 0 else []
    return orjson.dumps(
        {
            "DATA_TYPE": "file_list",
            "DATA": data,
            "endpoint": endpoint_id,
            "path": parent,
            "length": len(data),
            "total": 1,
        }
    )
