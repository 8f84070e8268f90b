"""Whether one OpenAPI document is a structural superset of another: what a client generated
from the smaller one relies on (component names, property types, required lists, enums,
parameters, request bodies, response components per status) is all in the larger one, and
whatever the larger one adds is described and asks nothing more of a caller.
"""

from __future__ import annotations

from typing import Any

SCHEMA_KEYWORDS = ("type", "format", "enum", "pattern", "minLength", "minItems", "$ref")
METHODS = ("get", "put", "post", "delete", "patch")


def _enum(values: list[Any]) -> list[Any]:
    """YAML 1.1 reads the spec's bare NULL enum value as null; its author meant the string."""
    return ["NULL" if v is None else v for v in values]


def schema_differences(where: str, base: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    found = []
    for key in SCHEMA_KEYWORDS:
        if key not in base:
            continue
        want, got = base[key], ours.get(key)
        if key == "enum":
            want = _enum(want)
        if want != got:
            found.append(f"{where}: {key} is {got!r}, the spec says {want!r}")
    if set(base.get("required", [])) != set(ours.get("required", [])):
        found.append(
            f"{where}: required is {sorted(ours.get('required', []))}, "
            f"the spec says {sorted(base.get('required', []))}"
        )
    base_properties = base.get("properties", {})
    our_properties = ours.get("properties", {})
    for name, schema in base_properties.items():
        if name not in our_properties:
            found.append(f"{where}.{name}: missing")
        else:
            found += schema_differences(f"{where}.{name}", schema, our_properties[name])
    for name in sorted(set(our_properties) - set(base_properties)):
        if not our_properties[name].get("description"):
            found.append(f"{where}.{name}: added without a description")
    if "items" in base:
        found += schema_differences(f"{where}[]", base["items"], ours.get("items", {}))
    return found


def resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_ref(operation: dict[str, Any]) -> str | None:
    content = (operation.get("requestBody") or {}).get("content", {})
    return content.get("application/json", {}).get("schema", {}).get("$ref")


def answer_ref(answer: dict[str, Any]) -> str | None:
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref")


def parameter_differences(
    where: str, base: dict[str, Any], ours: dict[str, Any], base_doc: dict[str, Any], doc: Any
) -> list[str]:
    found = []
    base_parameters = {(p["name"], p["in"]): p for p in base.get("parameters", [])}
    our_parameters = {(p["name"], p["in"]): p for p in ours.get("parameters", [])}
    for key, parameter in base_parameters.items():
        mine = our_parameters.get(key)
        if mine is None:
            found.append(f"{where} parameter {key}: missing")
            continue
        if bool(parameter.get("required")) != bool(mine.get("required")):
            found.append(f"{where} parameter {key}: required differs")
        want = resolved(parameter["schema"], base_doc)
        got = resolved(mine["schema"], doc)
        for keyword in ("type", "default"):
            if keyword in want and want[keyword] != got.get(keyword):
                found.append(f"{where} parameter {key}: {keyword} {got.get(keyword)!r}")
    for key in set(our_parameters) - set(base_parameters):
        if our_parameters[key].get("required"):
            found.append(f"{where} parameter {key}: an added parameter must be optional")
        if not our_parameters[key].get("description"):
            found.append(f"{where} parameter {key}: added without a description")
    return found


def operation_differences(
    where: str, base: dict[str, Any], ours: dict[str, Any], base_doc: dict[str, Any], doc: Any
) -> list[str]:
    found = []
    if base.get("operationId") != ours.get("operationId"):
        found.append(f"{where}: operationId {ours.get('operationId')!r}")
    found += parameter_differences(where, base, ours, base_doc, doc)
    if body_ref(base) != body_ref(ours):
        found.append(f"{where}: request body {body_ref(ours)!r}, the spec says {body_ref(base)!r}")
    for status, answer in base.get("responses", {}).items():
        mine = ours.get("responses", {}).get(str(status))
        if mine is None:
            found.append(f"{where} {status}: missing")
        elif answer_ref(answer) != answer_ref(mine):
            found.append(
                f"{where} {status}: {answer_ref(mine)!r}, the spec says {answer_ref(answer)!r}"
            )
    return found


def differences(base: dict[str, Any], ours: dict[str, Any]) -> list[str]:
    """Everything that keeps `ours` from being a structural superset of `base`."""
    found = []
    if not str(ours.get("openapi", "")).startswith("3.0"):
        found.append(f"openapi {ours.get('openapi')!r}: the spec's clients read 3.0")
    our_components = ours.get("components", {}).get("schemas", {})
    for name, schema in base["components"]["schemas"].items():
        if name not in our_components:
            found.append(f"component {name}: missing")
        else:
            found += schema_differences(name, schema, our_components[name])
    for path, item in base["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            mine = ours["paths"].get(path, {}).get(method)
            if mine is None:
                found.append(f"{method.upper()} {path}: missing")
            else:
                where = f"{method.upper()} {path}"
                found += operation_differences(where, item[method], mine, base, ours)
    return found
