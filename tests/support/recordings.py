"""Ground truth from globus-sdk's recorded Globus responses (``globus_sdk.testing``).

The emulator's documents are compared by shape: every recorded field must be there with the
same JSON type (the emulator may add fields, as Globus does over time).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from globus_sdk.testing import get_response_set


def recorded(source: str | Callable[..., Any], case: str = "default") -> tuple[int, Any]:
    """(status, JSON body) of one recorded response: by set id or by SDK method."""
    response = get_response_set(source).lookup(case)
    return response.status, response.json


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def mismatches(
    recorded: Any,
    ours: Any,
    where: str = "$",
    *,
    recorded_null_is_any: bool = True,
    nullable: Collection[str] = (),
) -> list[str]:
    """Every place where ``ours`` lacks a recorded field or has another JSON type.

    ``recorded_null_is_any``: a recorded null accepts any type (a field Globus fills only
    sometimes). ``nullable``: field names where ours may be null though the recording is not.
    """
    rtype, otype = json_type(recorded), json_type(ours)
    if rtype == "null" and recorded_null_is_any:
        return []
    if otype == "null" and where.rsplit(".", 1)[-1] in nullable:
        return []
    if rtype != otype:
        return [f"{where}: recorded {rtype}, emulator {otype}"]
    found: list[str] = []
    if rtype == "object":
        for key, value in recorded.items():
            if key not in ours:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(
                    value,
                    ours[key],
                    f"{where}.{key}",
                    recorded_null_is_any=recorded_null_is_any,
                    nullable=nullable,
                )
    elif rtype == "array" and recorded:
        for i, item in enumerate(ours):
            found += mismatches(
                recorded[0],
                item,
                f"{where}[{i}]",
                recorded_null_is_any=recorded_null_is_any,
                nullable=nullable,
            )
    return found


def assert_same_shape(recorded: Any, ours: Any, **options: Any) -> None:
    problems = mismatches(recorded, ours, **options)
    assert not problems, problems
