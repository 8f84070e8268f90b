"""A token pair straight from the emulator with globus-sdk, for figures that skip the proxy."""

from __future__ import annotations

from globus_sdk import NativeAppAuthClient

from bench.proxy_api import TokenPair, authorize
from bench.world_seed import CLIENT_ID

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"


def direct_login() -> TokenPair:
    """Reads GLOBUS_SDK_SERVICE_URL_AUTH, so the caller points it at the emulator first."""
    auth = NativeAppAuthClient(client_id=CLIENT_ID)
    auth.oauth2_start_flow(requested_scopes=TRANSFER_SCOPE, refresh_tokens=True)
    code = authorize(auth.oauth2_get_authorize_url())
    tokens = auth.oauth2_exchange_code_for_tokens(code).by_resource_server[
        "transfer.api.globus.org"
    ]
    return TokenPair(tokens["access_token"], tokens["refresh_token"])
