"""The one place globus-sdk clients are built.

All share one transport (one connection pool) and one retry policy, and all are pinned to
the Globus service URLs resolved when the service started (globus-sdk's own
GLOBUS_SDK_ENVIRONMENT / GLOBUS_SDK_SERVICE_URL_* settings), so every client of a running
service talks to the same Globus.
"""

from __future__ import annotations

import threading

import globus_sdk
from globus_sdk.authorizers import GlobusAuthorizer

from globus_proxy.gateway.transport import DeadlineTransport, new_retry_config
from globus_proxy.lru import LRU
from globus_proxy.settings import Settings

TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
AUTH_CLIENT_CACHE_SIZE = 256


class Clients:
    def __init__(self, transport: DeadlineTransport, settings: Settings) -> None:
        self.transport = transport
        self.settings = settings
        self.auth_url = globus_sdk.config.get_service_url("auth")
        self.transfer_url = globus_sdk.config.get_service_url("transfer")
        self._for_refresh: LRU[str, globus_sdk.NativeAppAuthClient] = LRU(AUTH_CLIENT_CACHE_SIZE)
        self._confidential: globus_sdk.TransferClient | None = None
        self._confidential_lock = threading.Lock()

    def transfer(self, authorizer: GlobusAuthorizer) -> globus_sdk.TransferClient:
        return globus_sdk.TransferClient(
            base_url=self.transfer_url,
            authorizer=authorizer,
            transport=self.transport,
            retry_config=new_retry_config(),
        )

    def login(self, client_id: str) -> globus_sdk.NativeAppAuthClient:
        """A fresh client: a login flow keeps its state on the client, so it is never shared."""
        return globus_sdk.NativeAppAuthClient(
            client_id,
            base_url=self.auth_url,
            transport=self.transport,
            retry_config=new_retry_config(),
        )

    def for_refresh(self, client_id: str) -> globus_sdk.NativeAppAuthClient:
        """A shared client per client id, for refreshes (which keep no state on the client)."""
        client = self._for_refresh.get(client_id)
        if client is None:
            client = self.login(client_id)
            self._for_refresh.put(client_id, client)
        return client

    def confidential_transfer(self) -> globus_sdk.TransferClient:
        """Transfer as the service's confidential client (settings say which).

        Built on first use: the authorizer fetches a token as it is made, so not at start.
        """
        with self._confidential_lock:
            if self._confidential is None:
                auth = globus_sdk.ConfidentialAppAuthClient(
                    self.settings.confidential_client_id or "",
                    self.settings.confidential_client_secret or "",
                    base_url=self.auth_url,
                    transport=self.transport,
                    retry_config=new_retry_config(),
                )
                self._confidential = self.transfer(
                    globus_sdk.ClientCredentialsAuthorizer(auth, TRANSFER_SCOPE)
                )
            return self._confidential
