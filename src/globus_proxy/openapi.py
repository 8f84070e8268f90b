"""The published OpenAPI document: FastAPI's, with the Tapis envelope and real error codes.

FastAPI documents a 422 for bad input; this service answers 400, and every answer, errors
included, is the Tapis envelope. The paths and operationIds stay the Tapis ones.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ENVELOPE = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["success", "error"]},
        "message": {"type": "string"},
        "result": {"type": "object"},
        "version": {"type": "string"},
        "metadata": {"type": "object"},
    },
}
ERRORS = {
    "400": "Invalid input; the message names the fields.",
    "401": "Missing tokens, or tokens that do not work even after a refresh.",
    "403": "Globus denied permission.",
    "404": "Path, collection or task not found.",
    "407": "Consent required: result carries scopes, url and session_id.",
    "409": "The path already exists.",
    "502": "Globus failed or could not be reached.",
    "504": "Globus did not answer within the deadline.",
}


def envelope_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Envelope"}}},
    }


def tapis_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            responses["200"] = envelope_response("Success.")
            for status, description in ERRORS.items():
                responses.setdefault(status, envelope_response(description))
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Envelope"] = ENVELOPE
    app.openapi_schema = document
    return document
