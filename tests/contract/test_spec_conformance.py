"""Every operation's success and error answers, checked against the Tapis spec's schemas.

One representative request per operation and status is issued over HTTP (proxy -> emulator)
and its body validated against the schema the spec names for that path, method and status
(RespBasic when the spec lists no such status). Also: the service's own OpenAPI document keeps
every Tapis path and operationId.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from globus_emulator.world import (
    DEFAULT_CLIENT_ID,
    DEFAULT_DESTINATION_ID,
    DEFAULT_IDENTITY_ID,
    DEFAULT_SOURCE_ID,
    world_from_document,
)
from tests.contract.spec import operations, validate_against, validate_answer
from tests.proxy.support import (
    API_PREFIX,
    EmulatedGlobus,
    ProxyClient,
    ProxyFactory,
    Scratch,
    Tokens,
    encoded_segment,
)

P = API_PREFIX
OPS = f"{P}/ops/{{client_id}}/{{endpoint_id}}/{{path}}"
TRANSFERS = f"{P}/transfers/{{client_id}}"
TASK = f"{P}/transfers/{{client_id}}/{{task_id}}"
AUTH_URL = f"{P}/auth/url/{{client_id}}/{{endpoint_id}}"
AUTH_TOKENS = f"{P}/auth/tokens/{{client_id}}/{{session_id}}/{{auth_code}}"
CHECK_TOKENS = f"{P}/auth/check_tokens/{{client_id}}/{{endpoint_id}}"
HEALTH = f"{P}/healthcheck"

Case = Callable[[ProxyClient, Tokens, Scratch], httpx.Response]


def transfer_body(source: str = "/data1/1M.dat", destination: str = "/x.dat") -> dict[str, Any]:
    return {
        "source_endpoint": DEFAULT_SOURCE_ID,
        "destination_endpoint": DEFAULT_DESTINATION_ID,
        "transfer_items": [
            {"source_path": source, "destination_path": destination, "recursive": False}
        ],
    }


def submitted_task(p: ProxyClient, t: Tokens, s: Scratch) -> str:
    answer = p.transfer(t, transfer_body("/data1/tree/README.txt", f"{s[0]}/t.txt"))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["result"]["task_id"])


def exchanged(p: ProxyClient, t: Tokens, s: Scratch) -> httpx.Response:
    url, session_id = p.start_login()
    return p.exchange(session_id, p.log_in_at_globus(url))


def renamed(p: ProxyClient, t: Tokens, s: Scratch) -> httpx.Response:
    (s[1] / "from.txt").write_text("x")
    return p.ops(
        "PUT",
        DEFAULT_DESTINATION_ID,
        f"{s[0]}/from.txt",
        t,
        json_body={"destination": f"{s[0]}/to.txt"},
    )


def existing_dir(p: ProxyClient, t: Tokens, s: Scratch) -> httpx.Response:
    (s[1] / "there").mkdir()
    return p.ops("POST", DEFAULT_DESTINATION_ID, f"{s[0]}/there", t)


def upstream_failure(p: ProxyClient, t: Tokens, s: Scratch) -> httpx.Response:
    """An error Globus has no row for: the proxy's 502, which the spec does not list."""
    p.globus.fault(
        match="/ls",
        status=418,
        times=1,
        body={"code": "Teapot", "message": "no", "request_id": "x", "resource": "/ls"},
    )
    try:
        return p.ls(DEFAULT_SOURCE_ID, "/data1", t)
    finally:
        p.globus.clear_faults()


RANDOM_TASK = "9d3c1c1e-0000-4000-8000-00000000beef"

# (label, spec path, method, expected status, request)
CASES: list[tuple[str, str, str, int, Case]] = [
    ("healthCheck", HEALTH, "GET", 200, lambda p, t, s: p.call("GET", "/healthcheck")),
    ("getAuthInfo", AUTH_URL, "GET", 200, lambda p, t, s: p.auth_url(DEFAULT_SOURCE_ID)),
    ("getAuthInfo no endpoint", AUTH_URL, "GET", 200, lambda p, t, s: p.auth_url()),
    (
        "getAuthInfo bad client",
        AUTH_URL,
        "GET",
        400,
        lambda p, t, s: p.call("GET", f"/auth/url/nope/{DEFAULT_SOURCE_ID}"),
    ),
    ("getTokens", AUTH_TOKENS, "GET", 200, exchanged),
    (
        "getTokens bad session",
        AUTH_TOKENS,
        "GET",
        400,
        lambda p, t, s: p.exchange("not-a-session", "not-a-code"),
    ),
    ("checkTokens", CHECK_TOKENS, "GET", 200, lambda p, t, s: p.check_tokens(DEFAULT_SOURCE_ID, t)),
    (
        "checkTokens missing",
        CHECK_TOKENS,
        "GET",
        401,
        lambda p, t, s: p.call(
            "GET", f"/auth/check_tokens/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}"
        ),
    ),
    ("listFiles", OPS, "GET", 200, lambda p, t, s: p.ls(DEFAULT_SOURCE_ID, "/data1", t)),
    (
        "listFiles file",
        OPS,
        "GET",
        200,
        lambda p, t, s: p.ls(DEFAULT_SOURCE_ID, "/data1/1M.dat", t),
    ),
    (
        "listFiles empty filter",
        OPS,
        "GET",
        200,
        lambda p, t, s: p.ls(
            DEFAULT_SOURCE_ID,
            "/data1",
            t,
            query={"limit": 1, "offset": 0, "filter": "name:=nothing"},
        ),
    ),
    ("listFiles 404", OPS, "GET", 404, lambda p, t, s: p.ls(DEFAULT_SOURCE_ID, "/nope", t)),
    (
        "listFiles 401",
        OPS,
        "GET",
        401,
        lambda p, t, s: p.call(
            "GET", f"/ops/{DEFAULT_CLIENT_ID}/{DEFAULT_SOURCE_ID}/" + encoded_segment("/data1")
        ),
    ),
    ("listFiles 502", OPS, "GET", 502, upstream_failure),
    (
        "listFiles 400",
        OPS,
        "GET",
        400,
        lambda p, t, s: p.call("GET", f"/ops/{DEFAULT_CLIENT_ID}/bad/%2F", tokens=t),
    ),
    (
        "makeDir",
        OPS,
        "POST",
        200,
        lambda p, t, s: p.ops("POST", DEFAULT_DESTINATION_ID, f"{s[0]}/new", t),
    ),
    ("makeDir 409", OPS, "POST", 409, existing_dir),
    (
        "makeDir 403",
        OPS,
        "POST",
        403,
        lambda p, t, s: p.ops("POST", DEFAULT_SOURCE_ID, "/data1/no", t),
    ),
    ("renamePath", OPS, "PUT", 200, renamed),
    (
        "renamePath 400",
        OPS,
        "PUT",
        400,
        lambda p, t, s: p.ops(
            "PUT", DEFAULT_DESTINATION_ID, f"{s[0]}/a", t, json_body={"destination": "../b"}
        ),
    ),
    (
        "renamePath 404",
        OPS,
        "PUT",
        404,
        lambda p, t, s: p.ops(
            "PUT",
            DEFAULT_DESTINATION_ID,
            f"{s[0]}/absent",
            t,
            json_body={"destination": f"{s[0]}/b"},
        ),
    ),
    (
        "deletePath",
        OPS,
        "DELETE",
        200,
        lambda p, t, s: p.ops("DELETE", DEFAULT_DESTINATION_ID, s[0], t, query={"recurse": "true"}),
    ),
    (
        "deletePath 400",
        OPS,
        "DELETE",
        400,
        lambda p, t, s: p.ops("DELETE", DEFAULT_DESTINATION_ID, s[0], t, query={"recurse": "sure"}),
    ),
    (
        "createTransferTask",
        TRANSFERS,
        "POST",
        200,
        lambda p, t, s: p.transfer(t, transfer_body(destination=f"{s[0]}/c.dat")),
    ),
    (
        "createTransferTask 400",
        TRANSFERS,
        "POST",
        400,
        lambda p, t, s: p.transfer(t, {"source_endpoint": DEFAULT_SOURCE_ID}),
    ),
    (
        "createTransferTask 404",
        TRANSFERS,
        "POST",
        404,
        lambda p, t, s: p.transfer(t, {**transfer_body(), "source_endpoint": str(uuid.uuid4())}),
    ),
    (
        "getTransferTask",
        TASK,
        "GET",
        200,
        lambda p, t, s: p.task("GET", submitted_task(p, t, s), t),
    ),
    ("getTransferTask 404", TASK, "GET", 404, lambda p, t, s: p.task("GET", RANDOM_TASK, t)),
    ("getTransferTask 400", TASK, "GET", 400, lambda p, t, s: p.task("GET", "not-a-task", t)),
    (
        "cancelTransferTask",
        TASK,
        "DELETE",
        200,
        lambda p, t, s: p.task("DELETE", submitted_task(p, t, s), t),
    ),
    (
        "cancelTransferTask 404",
        TASK,
        "DELETE",
        404,
        lambda p, t, s: p.task("DELETE", RANDOM_TASK, t),
    ),
]


@pytest.mark.parametrize(
    ("label", "path", "method", "status", "request_it"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_answer_matches_the_spec(
    proxy: ProxyClient,
    tokens: Tokens,
    scratch: Scratch,
    label: str,
    path: str,
    method: str,
    status: int,
    request_it: Case,
) -> None:
    answer = request_it(proxy, tokens, scratch)
    assert answer.status_code == status, (label, answer.text)
    body = answer.json()
    try:
        validate_answer(path, method, answer.status_code, body)
    except jsonschema.ValidationError as err:
        pytest.fail(f"{label}: {err.message} at {list(err.absolute_path)}")


def test_stale_pair_answer_matches_the_spec(
    proxy: ProxyClient, globus: EmulatedGlobus, fresh_tokens: Tokens
) -> None:
    globus.expire(fresh_tokens.access_token)
    answer = proxy.ls(DEFAULT_SOURCE_ID, "/data1", fresh_tokens)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["metadata"]) == {"access_token", "refresh_token", "request_id"}
    proxy.known_secrets.add(answer.json()["metadata"]["access_token"])
    validate_answer(OPS, "GET", 200, answer.json())


def test_unknown_route_answer_is_a_basic_envelope(proxy: ProxyClient) -> None:
    answer = proxy.call("GET", "/no/such/route")
    assert answer.status_code == 404
    validate_against("RespBasic", answer.json())


def test_hello_and_ready_are_basic_envelopes(proxy: ProxyClient) -> None:
    for name in ("hello", "ready"):
        answer = proxy.call("GET", f"/{name}")
        assert answer.status_code == 200, answer.text
        validate_against("RespBasic", answer.json())


def test_consent_answer_matches_the_spec(tmp_path: Path, proxy_factory: ProxyFactory) -> None:
    """407 on ops is RespEndpointArray in the spec; the consent result must still fit it."""
    consent_id = str(uuid.uuid4())
    (tmp_path / "guarded").mkdir()
    world = world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID}],
            "identities": [{"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org"}],
            "collections": [
                {
                    "id": consent_id,
                    "root": str(tmp_path / "guarded"),
                    "requires_data_access_consent": True,
                }
            ],
        }
    )
    consent_proxy = proxy_factory.start_world(world)
    tokens = consent_proxy.login()
    listed = consent_proxy.ls(consent_id, "/", tokens)
    made = consent_proxy.ops("POST", consent_id, "/d", tokens)
    for answer, method in ((listed, "GET"), (made, "POST")):
        assert answer.status_code == 407, answer.text
        validate_answer(OPS, method, 407, answer.json())


def test_validator_can_fail() -> None:
    """The checks above mean something only if a wrong document is refused."""
    good = {
        "status": "success",
        "message": "",
        "version": "1",
        "metadata": {},
        "result": {"DATA": [{"name": "a", "type": "file", "size": 1}]},
    }
    validate_answer(OPS, "GET", 200, good)
    wrong_size = {**good, "result": {"DATA": [{"name": "a", "size": "1"}]}}
    with pytest.raises(jsonschema.ValidationError):
        validate_answer(OPS, "GET", 200, wrong_size)
    with pytest.raises(jsonschema.ValidationError):
        validate_answer(AUTH_TOKENS, "GET", 200, {**good, "result": {"access_token": "a"}})
    with pytest.raises(jsonschema.ValidationError):
        validate_answer(TASK, "DELETE", 200, {**good, "result": {"code": "Whatever"}})
    with pytest.raises(jsonschema.ValidationError):
        validate_answer(HEALTH, "GET", 200, {**good, "result": "a string"})


def test_service_openapi_keeps_every_tapis_path_and_operation(proxy: ProxyClient) -> None:
    answer = proxy.http.get(proxy.base + "/openapi.json")
    assert answer.status_code == 200, answer.text
    published = answer.json()["paths"]
    tapis = operations()
    assert len(tapis) == 11, "every operation of the Tapis spec"
    for (path, method), operation_id in tapis.items():
        assert path in published, f"{path} missing from the service's OpenAPI"
        assert method.lower() in published[path], f"{method} {path} missing"
        assert published[path][method.lower()].get("operationId") == operation_id, (
            path,
            method,
            published[path][method.lower()].get("operationId"),
        )


def test_service_docs_page_is_served(proxy: ProxyClient) -> None:
    answer = proxy.http.get(proxy.base + "/docs")
    assert answer.status_code == 200
    assert "openapi.json" in answer.text


def test_docs_page_needs_no_internet(proxy: ProxyClient) -> None:
    """Swagger UI's script and style come from this service, not from a CDN."""
    page = proxy.http.get(proxy.base + "/docs").text
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets, page
    for asset in assets:
        assert asset.startswith("/v3/globus-proxy/docs/assets/"), asset
        served = proxy.http.get(proxy.root + asset)
        assert served.status_code == 200 and len(served.content) > 1000, asset
