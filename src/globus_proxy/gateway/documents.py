"""Globus's documents as the proxy passes them on: raw bytes wherever possible, and only once
they are known to be whole.

A success answer is passed on only when its body is one well-formed JSON object of the kind
asked for (its `DATA_TYPE`): a truncated body, an HTML page from something in front of
Globus, or another document is a BrokenAnswer (a 502), never a success with a broken or empty
`result`. The check walks the bytes without building the document (msgspec), so big listings
still go out unparsed.
"""

from __future__ import annotations

from typing import Any

import globus_sdk
import msgspec
import orjson

from globus_proxy.errors.globus import BrokenAnswer
from globus_proxy.gateway.call import CURRENT_CALL


class Kind(msgspec.Struct):
    """The one field read; every other is skipped, but still checked to be well-formed."""

    DATA_TYPE: str | None = None


KIND = msgspec.json.Decoder(Kind)
LOOKS_LIKE_HTML = (b"<!doctype", b"<html", b"<?xml", b"<head", b"<body")


def checked_kind(body: bytes, http_status: int) -> str | None:
    """The `DATA_TYPE` of a body that is one well-formed JSON object; BrokenAnswer if not."""
    try:
        return KIND.decode(body).DATA_TYPE
    except msgspec.DecodeError as err:
        raise BrokenAnswer(http_status, describe(body, err)) from None


def describe(body: bytes, err: msgspec.DecodeError) -> str:
    """What the body was instead, in words that quote none of it."""
    start = body.lstrip()[:16].lower()
    if not start:
        return "an empty body"
    if start.startswith(LOOKS_LIKE_HTML):
        return "an HTML page instead of a JSON document"
    if "truncated" in str(err):
        return f"a JSON document cut short after {len(body)} bytes"
    if "Expected `object`" in str(err):
        return "JSON that is not an object"
    return "a body that is not well-formed JSON"


def checked(response: globus_sdk.GlobusHTTPResponse, kind: str) -> bytes:
    """Globus's body as sent, once it is a whole JSON document of `kind`."""
    body = response.binary_content
    call = CURRENT_CALL.get()
    if call is not None and call.checked_body is not None and call.checked_body[0] is body:
        found = call.checked_body[1]  # the transport has checked this very body
    else:
        found = checked_kind(body, response.http_status)
    if found != kind:
        what = f"a {found!r} document" if found else "a JSON object without a DATA_TYPE"
        raise BrokenAnswer(response.http_status, f"{what} where a {kind!r} was expected")
    return body


def checked_data(response: globus_sdk.GlobusHTTPResponse, kind: str) -> dict[str, Any]:
    """The parsed document, once it is a whole JSON document of `kind` (small documents)."""
    document: dict[str, Any] = orjson.loads(checked(response, kind))  # an object: see Kind
    return document


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
