"""Logging in to the emulator as a native app does, through globus-sdk and the login page."""

from __future__ import annotations

from typing import Any

import globus_sdk

from globus_emulator.login import headless_login
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import DEFAULT_CLIENT_ID


def data_access(*collection_ids: str) -> str:
    """The transfer scope with a data_access dependency per collection."""
    deps = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in collection_ids)
    return f"{TRANSFER_SCOPE}[{deps}]"


def native_login(
    scopes: str | list[str] = TRANSFER_SCOPE,
    *,
    client_id: str = DEFAULT_CLIENT_ID,
    refresh_tokens: bool = True,
    identity: str | None = None,
    **flow: Any,
) -> tuple[globus_sdk.NativeAppAuthClient, globus_sdk.OAuthTokenResponse]:
    """The whole native-app flow; ``identity`` picks one on the login page."""
    client = globus_sdk.NativeAppAuthClient(client_id)
    client.oauth2_start_flow(scopes, refresh_tokens=refresh_tokens, **flow)
    code = headless_login(client.oauth2_get_authorize_url(), identity=identity)
    return client, client.oauth2_exchange_code_for_tokens(code)
