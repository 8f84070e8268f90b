"""The published OpenAPI document: the Tapis GlobusProxy spec, and what this service adds.

A superset of the spec tapipy ships: OpenAPI 3.0, the spec's component names and shapes (from
`schemas`), the spec's response component for each operation and status, its parameter types
and request bodies, plus this service's extra statuses, fields and operations, described.
So a client generated from this document has the same typed models as one generated from the
spec. FastAPI supplies the paths and operations; everything else is shaped here, once, for
the FastAPI-read routes and the hand-read ones alike.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from globus_proxy import schemas

OPENAPI_VERSION = "3.0.3"
REF = "#/components/schemas/{model}"
TAGS = [
    {"name": "General", "description": "General service health"},
    {"name": "Auth", "description": "Manage Globus authorization related actions."},
    {
        "name": "File Operations",
        "description": "Manage file resources. Operations are list, mkdir, rename and delete",
    },
    {
        "name": "Transfers",
        "description": "Manage file transfers. Initiate, cancel and retrieve status.",
    },
]
CONTACT = {"name": "Tapis Globus Proxy API - CICSupport", "email": "cicsupport@tacc.utexas.edu"}
LICENSE = {"name": "3-Clause BSD License", "url": "https://opensource.org/licenses/BSD-3-Clause"}
EXTERNAL_DOCS = {"description": "Tapis Project", "url": "https://tapis-project.org"}
SECURITY_SCHEMES = {
    "TapisJWT": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Tapis-Token",
        "description": "Checked by the Tapis deployment in front of this service, not by it.",
    }
}

STATUSES = {
    200: "Success.",
    400: "Invalid input; the message names the fields.",
    401: "Missing tokens, or tokens that do not work even after a refresh: log in again.",
    403: "Globus denied permission, or the collection refused this identity.",
    404: "Path, collection, task or client not found.",
    407: "Globus needs a login (a consent, or a session the collection requires): result "
    "carries a ready url and session_id, the collections (names) and what is missing.",
    409: "The path already exists, the submission conflicts, or operations are paused.",
    429: "Globus is rate-limiting: retry after the Retry-After header's seconds.",
    500: "Server error.",
    502: "Globus or the collection failed the request.",
    503: "Globus or the collection is unavailable (maintenance, Globus Connect Personal not "
    "connected): retry later (after Retry-After, when Globus gave one).",
    504: "Globus did not answer within the deadline.",
    507: "The collection is out of space, or over the user's quota.",
}
# Every status an operation toward Globus may answer, and its component (407: the spec's).
GLOBUS_ANSWERS: dict[int, str | None] = {
    **{status: "RespBasic" for status in (400, 401, 403, 404, 409, 429, 500, 502, 503, 504, 507)},
    407: "RespEndpointArray",
}
# Starting a login calls Globus only for the data_access decision, whose failures are not the
# caller's: bad input or a bug.
LOGIN_ERRORS: dict[int, str | None] = {400: "RespBasic", 500: "RespBasic"}
# operationId -> {status: component}. The spec's pairs, as the spec has them, and this
# service's other answers; None: no body documented (as the spec has it for healthCheck).
RESPONSES: dict[str, dict[int, str | None]] = {
    "healthCheck": {200: "RespBasic", 500: None},
    "hello": {200: "RespBasic", 500: "RespBasic"},
    "ready": {200: "RespBasic", 500: "RespBasic"},
    "getAuthInfo": {200: "RespGlobusAuthInfo", **LOGIN_ERRORS, 404: "RespBasic"},
    "getAuthInfoWithoutEndpoint": {200: "RespGlobusAuthInfo", **LOGIN_ERRORS},
    "getTokens": {200: "RespAuthTokens", **GLOBUS_ANSWERS, 407: "RespBasic"},
    "checkTokens": {200: "RespAuthTokens", **GLOBUS_ANSWERS},
    "listFiles": {200: "RespFileList", **GLOBUS_ANSWERS},
    "deletePath": {200: "RespBasic", **GLOBUS_ANSWERS},
    "renamePath": {200: "RespBasic", **GLOBUS_ANSWERS},
    "makeDir": {200: "RespBasic", **GLOBUS_ANSWERS},
    "createTransferTask": {200: "RespTransferTask", **GLOBUS_ANSWERS},
    "getTransferTask": {200: "RespTransferTask", **GLOBUS_ANSWERS},
    "cancelTransferTask": {200: "RespCancelTask", **GLOBUS_ANSWERS},
}
# The operations' descriptions (route docstrings speak of the code, not of the API).
DESCRIPTIONS = {
    "healthCheck": "Health check; answered without calling Globus.",
    "getAuthInfo": "Given a Globus client id (a native app) and a collection, return the Globus "
    "Auth login URL an end user opens to get a Native App Authorization Code, and the "
    "session_id that finishes the login at getTokens.",
    "getTokens": "Exchange a Native App Authorization Code for a pair of access and refresh "
    "tokens, with the session_id of the login (getAuthInfo, or a 407 answer).",
    "checkTokens": "Given a collection and a pair of tokens, return a pair that works now "
    "(refreshed only if needed). The tokens are query parameters.",
    "listFiles": "List a directory (or one file) on a collection; relative paths and `~` are "
    "the collection's home. Hidden files are listed. The tokens are query parameters.",
    "deletePath": "Submit a Globus delete task for a path; a directory needs recurse=true. "
    "The tokens are query parameters.",
    "renamePath": "Rename a file or directory on a collection; the parent of the new path must "
    "exist. The tokens are query parameters.",
    "makeDir": "Create a directory on a collection. The tokens are query parameters.",
    "createTransferTask": "Submit a Globus transfer task between two collections, labelled "
    "Tapisv3 (GLOBUS_PROXY_TASK_LABEL) unless the body names a label. The tokens are query "
    "parameters.",
    "getTransferTask": "Globus's task document. The tokens are query parameters.",
    "cancelTransferTask": "Ask Globus to cancel a task. Even when the answer says cancelled, "
    "the task may have succeeded: check its status. The tokens are query parameters.",
}
REQUEST_BODIES = {
    "renamePath": "ReqRename",
    "makeDir": "ReqMakeDir",
    "createTransferTask": "ReqCreateTransfer",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


# Parameters by name, typed as the spec types them (ids are checked as UUIDs when read). The
# token pair is required in the spec; missing, it is a 401 that says so.
PARAMETER_SCHEMAS: dict[str, dict[str, Any]] = {
    "client_id": ref("ClientIdString"),
    "endpoint_id": ref("EndpointIdString"),
    "task_id": ref("TaskIdString"),
    "auth_code": ref("AuthCodeString"),
    "session_id": {"type": "string"},
    "path": {"type": "string"},
    "access_token": {"type": "string"},
    "refresh_token": {"type": "string"},
    "recurse": {"type": "boolean", "default": False},
}
REQUIRED_PARAMETERS = frozenset({"access_token", "refresh_token"})


def components() -> dict[str, Any]:
    """Every schema component: the spec's 27, from `schemas`."""
    _, found = models_json_schema([(m, "validation") for m in schemas.MODELS], ref_template=REF)
    out: dict[str, Any] = dict(found["$defs"])
    for enum in schemas.ENUMS:
        out[enum.__name__] = TypeAdapter(enum).json_schema()
    out.update(schemas.STRINGS)
    return {name: to_openapi_30(schema) for name, schema in sorted(out.items())}


def to_openapi_30(node: Any) -> Any:
    """A JSON Schema as OpenAPI 3.0 has it: `nullable` instead of a union with null, no
    `title` (it renames generated classes), `example` instead of `examples`."""
    if isinstance(node, list):
        return [to_openapi_30(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = dict(node)
    union = node.get("anyOf")
    if isinstance(union, list) and len(union) == 2 and {"type": "null"} in union:
        (other,) = [s for s in union if s != {"type": "null"}]
        del node["anyOf"]
        node.update(other)
        if "$ref" not in other:  # 3.0 ignores a $ref's siblings: a plain $ref it stays
            node["nullable"] = True
    if "default" in node and node["default"] is None:
        del node["default"]
    examples = node.pop("examples", None)
    if isinstance(examples, list) and examples:
        node["example"] = examples[0]
    node.pop("title", None)
    out = {}
    for key, value in node.items():
        if key == "properties":  # property names are not keywords
            out[key] = {name: to_openapi_30(s) for name, s in value.items()}
        else:
            out[key] = to_openapi_30(value)
    if "$ref" in out:
        return {"$ref": out["$ref"]}
    return out


def shape_parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter as the spec types it; others as JSON Schema 3.0 (a query parameter's
    absence is its null, so no `nullable`)."""
    name = parameter["name"]
    shaped = dict(parameter)
    if name in PARAMETER_SCHEMAS:
        shaped["schema"] = PARAMETER_SCHEMAS[name]
    else:
        schema = to_openapi_30(parameter["schema"])
        schema.pop("nullable", None)
        schema.pop("description", None)  # the parameter's own description says it
        shaped["schema"] = schema
    if name in REQUIRED_PARAMETERS:
        shaped["required"] = True
    return shaped


def response(component: str | None, status: int) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": STATUSES[status]}
    if component is not None:
        answer["content"] = {"application/json": {"schema": ref(component)}}
    return answer


def shape_operation(operation: dict[str, Any]) -> None:
    operation_id = operation["operationId"]
    operation.pop("description", None)
    if operation_id in DESCRIPTIONS:
        operation["description"] = DESCRIPTIONS[operation_id]
    if "parameters" in operation:
        operation["parameters"] = [shape_parameter(p) for p in operation["parameters"]]
    body = REQUEST_BODIES.get(operation_id)
    if body is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": ref(body)}}}
    operation["responses"] = {
        str(status): response(component, status)
        for status, component in sorted(RESPONSES[operation_id].items())
    }


def tapis_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema is not None:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=OPENAPI_VERSION,
        description=app.description,
        routes=app.routes,
        tags=TAGS,
        license_info=LICENSE,
        external_docs=EXTERNAL_DOCS,
    )
    # Set after: FastAPI would check the email with a package this service does not need.
    document["info"]["contact"] = CONTACT
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            shape_operation(operation)
    document["components"] = {"schemas": components(), "securitySchemes": SECURITY_SCHEMES}
    document["security"] = [{"TapisJWT": []}]
    app.openapi_schema = document
    return document
