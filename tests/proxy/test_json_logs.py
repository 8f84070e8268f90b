"""GLOBUS_PROXY_LOG_FORMAT=json, in a real server process: every stdout line is one JSON
object with the request's id, the access line carries the route template (never the path),
and no token, code or session id is printed anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from globus_emulator.world import DEFAULT_SOURCE_ID
from tests.proxy.process import proxy_process
from tests.proxy.support import JAVA_HEADERS, EmulatedGlobus, Scratch, full_walkthrough

KEYS = {"time", "level", "logger", "message", "request_id"}
ACCESS_KEYS = KEYS | {"method", "route", "operation", "status", "duration_ms", "globus_calls"}
LIST_FILES_ROUTE = "/v3/globus-proxy/ops/{client_id}/{endpoint_id}/{path}"


def lines_of(path: Path) -> list[dict[str, Any]]:
    documents = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        try:
            documents.append(json.loads(line))
        except ValueError:
            pytest.fail(f"stdout line {number} is not JSON: {line[:200]}")
    return documents


def test_json_lines_parse_carry_the_request_and_no_secret(
    globus: EmulatedGlobus, scratch: Scratch, tmp_path: Path
) -> None:
    settings = {"GLOBUS_PROXY_LOG_FORMAT": "json", "GLOBUS_PROXY_LOG_LEVEL": "DEBUG"}
    with proxy_process(globus, tmp_path, **settings) as proxy:
        secrets = full_walkthrough(proxy, scratch.path)
        tokens = proxy.login()
        secrets += tokens.secrets()
        probe = {**JAVA_HEADERS, "X-Request-Id": "json-probe"}
        assert proxy.ls(DEFAULT_SOURCE_ID, "/data1", tokens, headers=probe).status_code == 200
    documents = lines_of(tmp_path / "stdout")
    assert len(documents) > 20, "too few lines to prove anything"
    for document in documents:
        assert set(document) >= KEYS, document
    access = [d for d in documents if d["logger"] == "globus_proxy.access"]
    assert all(set(d) == ACCESS_KEYS for d in access), access[0]
    [listing] = [d for d in access if d["request_id"] == "json-probe"]
    assert {k: listing[k] for k in ("method", "route", "operation", "status", "globus_calls")} == {
        "method": "GET",
        "route": LIST_FILES_ROUTE,
        "operation": "listFiles",
        "status": 200,
        "globus_calls": 1,
    }
    assert isinstance(listing["duration_ms"], float)
    [call] = [
        d
        for d in documents
        if d["logger"] == "globus_proxy.gateway.calls" and d["request_id"] == "json-probe"
    ]
    assert (call["call"], call["outcome"]) == ("operation_ls", "ok")
    assert any(d["logger"].startswith("uvicorn") for d in documents), "uvicorn's lines too"
    started = [d for d in documents if d["message"].startswith("Started server process")]
    assert [d["logger"] for d in started] == ["uvicorn.error"], "its first lines too"
    printed = (tmp_path / "stdout").read_text() + (tmp_path / "stderr").read_text()
    for secret in secrets:
        assert secret not in printed, "a token or login secret was printed"


def test_text_lines_carry_the_request_id(globus: EmulatedGlobus, tmp_path: Path) -> None:
    with proxy_process(globus, tmp_path) as proxy:
        probe = {**JAVA_HEADERS, "X-Request-Id": "text-probe"}
        assert proxy.call("GET", "/hello", headers=probe).status_code == 200
    lines = (tmp_path / "stderr").read_text().splitlines()
    [access] = [line for line in lines if "globus_proxy.access" in line and "text-probe" in line]
    assert " [text-probe] GET /v3/globus-proxy/hello 200 " in access, access
    assert access.endswith(" hello globus_calls=0"), access
    assert (tmp_path / "stdout").read_text() == ""
