"""Everything asked of Globus Auth: login URLs, the code exchange, refreshes and consent, and
whether a login should ask for a collection's data_access consent.

A login is stateless on this side: the PKCE verifier travels sealed inside the session id
(see sessions), so any replica can finish a login another began.
"""

from __future__ import annotations

import logging
import secrets

import globus_sdk
from prometheus_client import Counter

from globus_proxy.errors import ProxyError, inputs
from globus_proxy.errors import globus as globus_errors
from globus_proxy.gateway.call import TokenPair
from globus_proxy.gateway.clients import TRANSFER_SCOPE, Clients
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.lru import LRU
from globus_proxy.sessions import SessionError, SessionSealer
from globus_proxy.settings import Settings
from globus_proxy.token_cache import Refresher, RefreshRejected, TokenCache

log = logging.getLogger("globus_proxy.gateway")

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
IDENTITY_SCOPES = "openid profile email"


def refresher(clients: Clients, results: Counter) -> Refresher:
    """How the token cache refreshes: Globus Auth's refresh grant for the transfer token.

    `results` counts each refresh by result: ok, rejected (log in again) or failed.
    """

    def refresh(client_id: str, refresh_token: str) -> tuple[str, float]:
        try:
            response = clients.for_refresh(client_id).oauth2_refresh_token(refresh_token)
        except globus_sdk.AuthAPIError as err:
            if err.http_status in (400, 401, 403):
                raise RefreshRejected() from None
            raise
        tokens = response.by_resource_server.get(TRANSFER_RESOURCE_SERVER)
        if tokens is None:
            raise RefreshRejected()
        return tokens["access_token"], float(tokens["expires_at_seconds"])

    def counted(client_id: str, refresh_token: str) -> tuple[str, float]:
        try:
            refreshed = refresh(client_id, refresh_token)
        except RefreshRejected:
            results.labels("rejected").inc()
            raise
        except Exception:
            results.labels("failed").inc()
            raise
        results.labels("ok").inc()
        return refreshed

    return counted


class DataAccessOracle:
    """Asks Globus, with the service's confidential client, whether a collection needs a
    data_access consent (a GCSv5 mapped collection that is not high assurance)."""

    def __init__(self, clients: Clients, cache_size: int) -> None:
        self._clients = clients
        self._known: LRU[str, bool] = LRU(cache_size)

    def needs(self, endpoint_id: str) -> bool:
        known = self._known.get(endpoint_id)
        if known is not None:
            return known
        document = self._clients.confidential_transfer().get_endpoint(endpoint_id)
        needed = document.get("entity_type") == "GCSv5_mapped_collection" and not document.get(
            "high_assurance", False
        )
        self._known.put(endpoint_id, needed)
        return needed


class Login:
    def __init__(
        self,
        settings: Settings,
        clients: Clients,
        sessions: SessionSealer,
        tokens: TokenCache,
        runner: CallRunner,
    ) -> None:
        self._settings = settings
        self._clients = clients
        self._sessions = sessions
        self._tokens = tokens
        self._runner = runner
        self._oracle = (
            DataAccessOracle(clients, settings.collection_cache_size)
            if settings.confidential_client_id
            else None
        )

    def start(self, client_id: str, scopes: str) -> dict[str, str]:
        """{url, session_id}: the PKCE verifier travels sealed inside the session id."""
        verifier = secrets.token_urlsafe(48)
        flow = self._clients.login(client_id).oauth2_start_flow(
            scopes, verifier=verifier, refresh_tokens=True
        )
        return {
            "url": flow.get_authorize_url(),
            "session_id": self._sessions.seal(client_id, verifier, scopes),
        }

    def start_consent(self, client_id: str, scopes: list[str]) -> dict[str, str]:
        """A login that asks for the scopes Globus said were missing."""
        return self.start(client_id, " ".join([IDENTITY_SCOPES, *scopes]))

    async def scopes(
        self, client_id: str, endpoint_id: str | None, data_access: bool | None
    ) -> str:
        """The scopes a login for this collection asks for; data_access when it is needed:
        as the caller says, else as the confidential client finds, else the setting."""
        transfer = TRANSFER_SCOPE
        if endpoint_id is not None:
            needed = data_access
            oracle = self._oracle
            if needed is None and oracle is not None:
                try:
                    needed = await self._runner.run(
                        self._runner.new_call(client_id), lambda: oracle.needs(endpoint_id)
                    )
                except ProxyError as err:
                    # A login must not fail because the service's own client could not ask.
                    log.warning(
                        "data_access decision for collection %s failed (%d); using the default",
                        endpoint_id,
                        err.status,
                    )
            if needed is None:
                needed = self._settings.data_access_default
            if needed:
                transfer += f"[*https://auth.globus.org/scopes/{endpoint_id}/data_access]"
        return f"{IDENTITY_SCOPES} {transfer}"

    async def exchange_code(self, client_id: str, session_id: str, auth_code: str) -> TokenPair:
        try:
            session = self._sessions.open(client_id, session_id)
        except SessionError as err:
            raise inputs.bad_session(err.problem) from None
        call = self._runner.new_call(client_id)
        call.other_secrets = (session_id, auth_code, session.verifier)

        def work() -> TokenPair:
            client = self._clients.login(client_id)
            client.oauth2_start_flow(session.scopes, verifier=session.verifier, refresh_tokens=True)
            response = client.oauth2_exchange_code_for_tokens(auth_code)
            tokens = response.by_resource_server.get(TRANSFER_RESOURCE_SERVER)
            if tokens is None or not tokens.get("refresh_token"):
                raise globus_errors.no_refresh_token()
            self._tokens.put(
                tokens["refresh_token"], tokens["access_token"], float(tokens["expires_at_seconds"])
            )
            return TokenPair(tokens["access_token"], tokens["refresh_token"])

        return await self._runner.run(call, work)
