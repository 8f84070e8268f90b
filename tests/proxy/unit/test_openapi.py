"""The published OpenAPI document: the hand-declared parameters of the two hottest routes say
what FastAPI would say for the same signature (and are published shaped the same way), and
every operation documents the answers of the response table, each a component that exists.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from globus_proxy.app import create_app
from globus_proxy.errors.globus import GLOBUS_ERRORS, UPSTREAM_FAILURE
from globus_proxy.openapi import GLOBUS_ANSWERS, RESPONSES, shape_parameter
from globus_proxy.routes import PREFIX, hot_params
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
    ("route", "operation_id", "endpoint", "by_hand"),
    [
        (f"/ops{OPS_PATH}", "listFiles", list_files, hot_params.LIST_FILES_PARAMETERS),
        (
            "/transfers/{client_id}/{task_id}",
            "getTransferTask",
            get_transfer_task,
            hot_params.GET_TASK_PARAMETERS,
        ),
    ],
)
def test_hand_declared_parameters_match_fastapis(
    published: dict[str, Any],
    route: str,
    operation_id: str,
    endpoint: Any,
    by_hand: list[dict[str, Any]],
) -> None:
    fastapis = fastapi_parameters(route, endpoint)
    assert by_hand == [as_declared_by_hand(p) for p in fastapis]
    documented = route.replace("{path:path}", "{path}")
    operation = published["paths"][PREFIX + documented]["get"]
    assert operation["operationId"] == operation_id
    assert operation["parameters"] == [shape_parameter(p) for p in fastapis]


def test_every_operation_documents_its_answers_by_component(
    published: dict[str, Any],
) -> None:
    operations = [op for item in published["paths"].values() for op in item.values()]
    assert len(operations) == 14
    components = published["components"]["schemas"]
    for operation in operations:
        responses = operation["responses"]
        expected = RESPONSES[operation["operationId"]]
        assert set(responses) == {str(status) for status in expected}, operation["operationId"]
        for status, component in expected.items():
            content = responses[str(status)].get("content")
            if component is None:
                assert content is None
                continue
            assert content["application/json"]["schema"] == {
                "$ref": f"#/components/schemas/{component}"
            }
            assert component in components
    assert "HTTPValidationError" not in components
    assert "Envelope" not in components


def test_every_status_the_error_table_answers_is_documented() -> None:
    answered = {rule.status for rule in GLOBUS_ERRORS} | {UPSTREAM_FAILURE.status, 407, 504}
    assert answered <= set(GLOBUS_ANSWERS)
