"""The published OpenAPI document: the hand-declared parameters of the two hottest routes say
what FastAPI would say for the same signature, and every operation documents the Tapis
envelope and the real error statuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from globus_proxy.app import create_app
from globus_proxy.openapi import ERRORS
from globus_proxy.routes import PREFIX
from globus_proxy.routes.ops import OPS_PATH
from globus_proxy.routes.parameters import (
    LIMIT_DEFAULT,
    OFFSET_DEFAULT,
    AccessToken,
    ClientId,
    CollectionPath,
    EndpointId,
    Filter,
    Limit,
    Offset,
    RefreshToken,
    TaskId,
)
from globus_proxy.settings import Settings


def list_files(
    client_id: ClientId,
    endpoint_id: EndpointId,
    path: CollectionPath,
    access_token: AccessToken = None,
    refresh_token: RefreshToken = None,
    limit: Limit = LIMIT_DEFAULT,
    offset: Offset = OFFSET_DEFAULT,
    filter: Filter = None,
) -> None:
    """listFiles as FastAPI would take it, were its parameters not read by hand."""


def get_transfer_task(
    client_id: ClientId,
    task_id: TaskId,
    access_token: AccessToken = None,
    refresh_token: RefreshToken = None,
) -> None:
    """getTransferTask as FastAPI would take it."""


def fastapi_parameters(path: str, endpoint: Any) -> list[dict[str, Any]]:
    app = FastAPI()
    app.get(path)(endpoint)
    (operation,) = app.openapi()["paths"].values()
    return list(operation["get"]["parameters"])


def as_declared_by_hand(parameter: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's parameter without what the hand-written ones leave out: the schema's title and
    its copy of the description, and `null` among an optional query parameter's types (absence
    is how a query says null)."""
    schema = {k: v for k, v in parameter["schema"].items() if k not in ("title", "description")}
    types = schema.pop("anyOf", None)
    if types is not None:
        (schema_of_value,) = [t for t in types if t != {"type": "null"}]
        schema.update(schema_of_value)
    return {**parameter, "schema": schema}


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    return create_app(Settings()).openapi()


@pytest.mark.parametrize(
    ("route", "operation_id", "endpoint"),
    [
        (f"/ops{OPS_PATH}", "listFiles", list_files),
        ("/transfers/{client_id}/{task_id}", "getTransferTask", get_transfer_task),
    ],
)
def test_hand_declared_parameters_match_fastapis(
    published: dict[str, Any], route: str, operation_id: str, endpoint: Any
) -> None:
    documented = route.replace("{path:path}", "{path}")
    operation = published["paths"][PREFIX + documented]["get"]
    assert operation["operationId"] == operation_id
    expected = [as_declared_by_hand(p) for p in fastapi_parameters(route, endpoint)]
    assert operation["parameters"] == expected


def test_every_operation_documents_the_envelope_and_real_error_statuses(
    published: dict[str, Any],
) -> None:
    operations = [op for item in published["paths"].values() for op in item.values()]
    assert len(operations) == 14
    for operation in operations:
        responses = operation["responses"]
        assert "422" not in responses, operation["operationId"]
        assert set(responses) == {"200", *ERRORS}, operation["operationId"]
        for answer in responses.values():
            schema = answer["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Envelope"}
    assert "HTTPValidationError" not in published["components"]["schemas"]
