"""The served OpenAPI document is a structural superset of the Tapis spec tapipy ships: the
spec's components with their shapes, parameters, request bodies and the response component of
every operation and status; whatever the service adds is described and optional.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.contract.spec import load_spec
from tests.contract.superset import differences
from tests.proxy.support import ProxyClient


@pytest.fixture(scope="module")
def served(proxy: ProxyClient) -> dict[str, Any]:
    answer = proxy.http.get(proxy.base + "/openapi.json")
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def test_served_document_is_a_superset_of_the_tapis_spec(served: dict[str, Any]) -> None:
    assert differences(load_spec(), served) == []


def test_served_document_has_the_spec_components_and_no_others(served: dict[str, Any]) -> None:
    assert set(served["components"]["schemas"]) == set(load_spec()["components"]["schemas"])


def test_what_the_service_adds_is_documented(served: dict[str, Any]) -> None:
    schemas = served["components"]["schemas"]
    consent = schemas["ResultEndpointArray"]["properties"]
    assert {"url", "session_id", "names", "session_required_mfa"} <= set(consent)
    assert "request_id" in schemas["RespBasic"]["properties"]["metadata"]["description"]
    listing = served["paths"]["/v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}"]["get"]
    assert {"429", "503"} <= set(listing["responses"])


def break_one(document: dict[str, Any], change: str) -> dict[str, Any]:
    broken = copy.deepcopy(document)
    schemas = broken["components"]["schemas"]
    ops = broken["paths"]["/v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}"]
    if change == "component":
        del schemas["GlobusFileInfo"]
    elif change == "type":
        schemas["GlobusFileInfo"]["properties"]["size"]["type"] = "string"
    elif change == "required":
        schemas["ReqRename"]["required"] = []
    elif change == "enum":
        schemas["GlobusTaskCancelEnum"]["enum"] = ["COMPLETE", "CANCELLED"]
    elif change == "answer":
        ops["get"]["responses"]["200"]["content"]["application/json"]["schema"] = {
            "$ref": "#/components/schemas/RespBasic"
        }
    elif change == "parameter":
        ops["delete"]["parameters"] = [
            p for p in ops["delete"]["parameters"] if p["name"] != "recurse"
        ]
    elif change == "body":
        del ops["put"]["requestBody"]
    elif change == "undescribed":
        del schemas["ResultEndpointArray"]["properties"]["url"]["description"]
    elif change == "added required":
        ops["get"]["parameters"].append(
            {"name": "x", "in": "query", "required": True, "description": "x", "schema": {}}
        )
    return broken


@pytest.mark.parametrize(
    "change",
    [
        "component",
        "type",
        "required",
        "enum",
        "answer",
        "parameter",
        "body",
        "undescribed",
        "added required",
    ],
)
def test_the_comparison_can_fail(served: dict[str, Any], change: str) -> None:
    assert differences(load_spec(), break_one(served, change)), change
