"""The Tapis GlobusProxy spec as shipped in tapipy, turned into JSON Schemas for answers.

The spec is OpenAPI 3.0, so its schemas are not quite JSON Schema: `$ref`s point into
`components`, and `nullable` says whether null is allowed. One rule is added on purpose: an
OPTIONAL property may be null. The clients generated from this spec (okhttp-gson, tapipy) read
a null optional property as absent, and Globus's own documents, which the spec embeds (the task
document in the seed README has `"is_ok": null`, `"fatal_error": null`), carry such nulls.
Required properties, types, enums and patterns stay strict.
"""

from __future__ import annotations

import copy
import importlib.resources
from functools import cache
from typing import Any

import jsonschema
import yaml

SPEC_RESOURCE = "resources/openapi_v3-globus-proxy.yml"
FALLBACK_SCHEMA = "RespBasic"


@cache
def load_spec() -> dict[str, Any]:
    text = (importlib.resources.files("tapipy") / SPEC_RESOURCE).read_text()
    return dict(yaml.safe_load(text))


def to_json_schema(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Inline `$ref`s and translate the OpenAPI 3.0 bits jsonschema does not know."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return to_json_schema(spec["components"]["schemas"][name], spec)
    out = copy.deepcopy({k: v for k, v in schema.items() if k not in ("example", "nullable")})
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
        return out
    required = set(schema.get("required", []))
    if "properties" in schema:
        out["properties"] = {}
        for name, prop in schema["properties"].items():
            converted = to_json_schema(prop, spec)
            if name not in required:
                converted = {"anyOf": [converted, {"type": "null"}]}
            out["properties"][name] = converted
    if "items" in schema:
        out["items"] = to_json_schema(schema["items"], spec)
    return out


def schema_name_for(path: str, method: str, status: int) -> str:
    """The spec's response schema for an answer; RespBasic when the spec lists no such status."""
    operation = load_spec()["paths"][path][method.lower()]
    response = operation["responses"].get(str(status), {})
    ref = response.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")
    return str(ref).removeprefix("#/components/schemas/") if ref else FALLBACK_SCHEMA


def validate_answer(path: str, method: str, status: int, body: Any) -> str:
    """Raises jsonschema.ValidationError when `body` does not match; returns the schema name."""
    name = schema_name_for(path, method, status)
    validate_against(name, body)
    return name


def validate_against(name: str, body: Any) -> None:
    spec = load_spec()
    schema = to_json_schema({"$ref": f"#/components/schemas/{name}"}, spec)
    jsonschema.validate(
        body,
        schema,
        cls=jsonschema.Draft7Validator,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )


def operations() -> dict[tuple[str, str], str]:
    """(path, METHOD) -> operationId for every operation of the spec."""
    found = {}
    for path, item in load_spec()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                found[(path, method.upper())] = operation["operationId"]
    return found
