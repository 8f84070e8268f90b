"""Property-based: nothing the service's own OpenAPI allows ever answers a 500.

schemathesis generates requests from `/v3/globus-proxy/openapi.json`, one hypothesis run per
operation, sent over HTTP to a proxy with an emulator of its own (fuzzed deletes must not
touch other tests' files). Run twice: with a real token pair and client/collection ids
fixed, so that requests get past the input checks and reach Globus with fuzzed paths, filters,
limits and bodies; and with everything generated, which found the 500 on a non-ASCII token
that `test_errors.py` now pins.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, default_world
from tests.proxy.support import ProxyClient, ProxyFactory

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def fuzzed_proxy(
    tmp_path_factory: pytest.TempPathFactory, proxy_factory: ProxyFactory
) -> ProxyClient:
    return proxy_factory.start_world(default_world(tmp_path_factory.mktemp("fuzz")))


@pytest.mark.parametrize(
    "credentials",
    ["fixed", "generated"],
    ids=["deep: real tokens and ids, fuzzed paths and bodies", "open: everything generated"],
)
def test_no_request_answers_a_server_error(fuzzed_proxy: ProxyClient, credentials: str) -> None:
    tokens = fuzzed_proxy.login()
    fixed = {
        "client_id": DEFAULT_CLIENT_ID,
        "endpoint_id": DEFAULT_DESTINATION_ID,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
    }
    schema = schemathesis.openapi.from_url(fuzzed_proxy.base + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14, "every Tapis operation is published"

    for operation in operations:
        path = operation.path
        declared = " ".join(parameter.name for parameter in operation.query)

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            case=operation.as_strategy(
                path_parameters={
                    name: fixed[name]
                    for name in ("client_id", "endpoint_id")
                    if name in path and credentials == "fixed"
                },
                query={name: fixed[name] for name in ("access_token", "refresh_token")}
                if "token" in declared and credentials == "fixed"
                else None,
            )
        )
        def never_a_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(
                base_url=fuzzed_proxy.root, checks=[not_a_server_error], timeout=15
            )

        never_a_server_error()
