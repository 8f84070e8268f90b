"""What a Transfer request carries, read strictly: query parameters and JSON bodies.

Anything malformed is ``ClientError.BadRequest`` with a message naming the field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request

from globus_emulator.transfer import errors

MAX_OFFSET = 2**31 - 1


def int_param(request: Request, name: str, default: int, maximum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise errors.bad_request(f"Invalid {name} '{raw}': must be an integer") from err
    if value < 0 or value > maximum:
        raise errors.bad_request(f"Invalid {name} {value}: must be between 0 and {maximum}")
    return value


def bool_param(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "t", "yes"):
        return True
    if lowered in ("0", "false", "f", "no"):
        return False
    raise errors.bad_request(f"Invalid {name} '{raw}': must be a boolean")


async def json_body(request: Request) -> dict[str, Any]:
    body = await request.body()
    if not body:
        raise errors.bad_request("A JSON request body is required")
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError) as err:
        raise errors.bad_request("Request body is not valid JSON") from err
    if not isinstance(doc, dict):
        raise errors.bad_request("Request body must be a JSON object")
    return doc


def bool_options(doc: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Boolean submission options: absent or null is false, anything else but a bool is a 400."""
    options: dict[str, Any] = {}
    for key in keys:
        value = doc.get(key)
        if value is not None and not isinstance(value, bool):
            raise errors.bad_request(f"'{key}' must be a boolean")
        options[key] = bool(value)
    return options


def optional_str(doc: dict[str, Any], key: str) -> str | None:
    value = doc.get(key)
    if value is not None and not isinstance(value, str):
        raise errors.bad_request(f"'{key}' must be a string")
    return value


def required_str(doc: dict[str, Any], key: str, message: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value:
        raise errors.bad_request(message)
    return value
