"""auth/url scopes: the confidential client decides data_access, once per collection.

Globus is mocked with `responses`: the decision needs a confidential client, which the
emulated default world does not have.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import responses

from globus_proxy.gateway import Gateway
from globus_proxy.settings import Settings

CLIENT = "0c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
MAPPED = "5c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
GUEST = "6c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"
HIGH = "7c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_AUTH", "https://auth.test/")
    monkeypatch.setenv("GLOBUS_SDK_SERVICE_URL_TRANSFER", "https://transfer.test/")
    gateway = Gateway(
        Settings(
            confidential_client_id="8c1d2e3f-4a5b-4c6d-8e9f-a0b1c2d3e4f5",
            confidential_client_secret="s3cret",
        )
    )
    yield gateway
    gateway.close()


@responses.activate
def test_confidential_client_decides(gateway: Gateway) -> None:
    responses.post(
        "https://auth.test/v2/oauth2/token",
        json={
            "access_token": "cc",
            "expires_in": 3600,
            "resource_server": "transfer.api.globus.org",
            "scope": "urn:globus:auth:scope:transfer.api.globus.org:all",
            "token_type": "Bearer",
            "other_tokens": [],
        },
    )
    for endpoint, entity_type, high in [
        (MAPPED, "GCSv5_mapped_collection", False),
        (GUEST, "GCSv5_guest_collection", False),
        (HIGH, "GCSv5_mapped_collection", True),
    ]:
        responses.get(
            f"https://transfer.test/v0.10/endpoint/{endpoint}",
            json={
                "DATA_TYPE": "endpoint",
                "id": endpoint,
                "entity_type": entity_type,
                "high_assurance": high,
            },
        )

    async def scopes(endpoint: str) -> str:
        return await gateway.login.scopes(CLIENT, [endpoint], None)

    mapped = asyncio.run(scopes(MAPPED))
    assert f"[*https://auth.globus.org/scopes/{MAPPED}/data_access]" in mapped
    assert "data_access" not in asyncio.run(scopes(GUEST))
    assert "data_access" not in asyncio.run(scopes(HIGH))
    asyncio.run(scopes(MAPPED))
    endpoint_calls = [c for c in responses.calls if "/endpoint/" in c.request.url]
    assert len(endpoint_calls) == 3  # the second MAPPED answer came from the cache


@responses.activate
def test_without_a_confidential_client_the_setting_decides() -> None:
    """No Globus call at all (`responses` refuses any): the query, else the setting."""
    gateway = Gateway(Settings(data_access_default=True))
    try:
        with_default = asyncio.run(gateway.login.scopes(CLIENT, [MAPPED], None))
        assert f"[*https://auth.globus.org/scopes/{MAPPED}/data_access]" in with_default
        assert "data_access" not in asyncio.run(gateway.login.scopes(CLIENT, [MAPPED], False))
        assert "data_access" not in asyncio.run(gateway.login.scopes(CLIENT, [], None))
    finally:
        gateway.close()
    assert len(responses.calls) == 0
