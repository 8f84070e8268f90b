"""Everything asked of Globus Auth: login URLs, the code exchange, refreshes, the new login a
407 carries (a consent, or a session a collection requires), and whether a login should ask
for a collection's data_access consent.

A login is stateless on this side: the PKCE verifier travels sealed inside the session id
(see sessions), so any replica can finish a login another began.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from typing import Any

import globus_sdk
from globus_sdk.gare import GARE, GlobusAuthorizationParameters
from prometheus_client import Counter

from globus_proxy.errors import ProxyError, inputs, scrub
from globus_proxy.errors import globus as globus_errors
from globus_proxy.errors import login as login_errors
from globus_proxy.gateway.call import TokenPair
from globus_proxy.gateway.clients import TRANSFER_SCOPE, Clients
from globus_proxy.gateway.documents import checked_data
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
            tokens = transfer_tokens(
                lambda: clients.for_refresh(client_id).oauth2_refresh_token(refresh_token)
            )
        except globus_sdk.AuthAPIError as err:
            if err.http_status in (400, 401, 403):
                raise RefreshRejected() from None
            raise
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


def transfer_tokens(
    token_request: Callable[[], globus_sdk.OAuthTokenResponse],
) -> dict[str, Any] | None:
    """The transfer service's tokens in the answer to `token_request` (None: none for it).

    globus-sdk reads a token answer as it receives it: one without what every token answer
    carries fails there, and is a BrokenAnswer (Globus Auth answers tokens with a 200).
    """
    try:
        tokens = token_request().by_resource_server.get(TRANSFER_RESOURCE_SERVER)
        if tokens is not None:
            float(tokens["expires_at_seconds"])
            str(tokens["access_token"])
    except (KeyError, TypeError, ValueError):
        raise globus_errors.BrokenAnswer(200, "a token answer without its tokens") from None
    return tokens


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
        document = checked_data(
            self._clients.confidential_transfer().get_endpoint(endpoint_id), "endpoint"
        )
        needed = document.get("entity_type") == "GCSv5_mapped_collection" and not document.get(
            "high_assurance", False
        )
        self._known.put(endpoint_id, needed)
        return needed


def session_parameters(
    params: GlobusAuthorizationParameters | None, call_secrets: tuple[str, ...] = ()
) -> dict[str, Any]:
    """oauth2_get_authorize_url's session arguments asking Globus Auth for what `params` says
    the session lacks. A session requirement also asks for a fresh login (prompt=login), so
    an existing browser session cannot stand in for it. Globus's message is passed on
    without the call's secrets."""
    if params is None:
        return {}
    chosen: dict[str, Any] = {
        "session_required_identities": params.session_required_identities,
        "session_required_single_domain": params.session_required_single_domain,
        "session_required_policies": params.session_required_policies,
        "session_required_mfa": True if params.session_required_mfa else None,
    }
    found = {name: value for name, value in chosen.items() if value}
    if found or params.prompt == "login":
        found["prompt"] = "login"
    if params.session_message:
        found["session_message"] = scrub(params.session_message, call_secrets)
    return found


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

    def start(
        self,
        client_id: str,
        scopes: str,
        session: GlobusAuthorizationParameters | None = None,
        call_secrets: tuple[str, ...] = (),
    ) -> dict[str, str]:
        """{url, session_id}: the PKCE verifier travels sealed inside the session id. The
        session requirements are only in the URL: finishing the login needs none of them."""
        verifier = secrets.token_urlsafe(48)
        client = self._clients.login(client_id)
        client.oauth2_start_flow(scopes, verifier=verifier, refresh_tokens=True)
        return {
            "url": client.oauth2_get_authorize_url(**session_parameters(session, call_secrets)),
            "session_id": self._sessions.seal(client_id, verifier, scopes),
        }

    async def for_requirement(
        self,
        client_id: str,
        collections: Sequence[str],
        requirement: GARE,
        call_secrets: tuple[str, ...],
    ) -> ProxyError:
        """The 407 for a call whose login Globus said lacks something: a login asking for the
        scopes Globus named, else for those a login for the call's collections asks for, with
        the session Globus requires."""
        params = requirement.authorization_parameters
        if params.required_scopes:
            scopes = " ".join([IDENTITY_SCOPES, *params.required_scopes])
        else:
            scopes = await self.scopes(client_id, collections, None)
        login = self.start(client_id, scopes, params, call_secrets)
        return login_errors.login_required(
            requirement, login, scopes, tuple(collections), call_secrets
        )

    async def scopes(
        self, client_id: str, collections: Sequence[str], data_access: bool | None
    ) -> str:
        """The scopes a login for these collections asks for; each one's data_access when it
        is needed: as the caller says, else as the confidential client finds, else the
        setting."""
        needing = [
            c
            for c in dict.fromkeys(collections)
            if await self._needs_data_access(client_id, c, data_access)
        ]
        dependencies = " ".join(f"*https://auth.globus.org/scopes/{c}/data_access" for c in needing)
        transfer = f"{TRANSFER_SCOPE}[{dependencies}]" if dependencies else TRANSFER_SCOPE
        return f"{IDENTITY_SCOPES} {transfer}"

    async def _needs_data_access(
        self, client_id: str, endpoint_id: str, data_access: bool | None
    ) -> bool:
        if data_access is not None:
            return data_access
        oracle = self._oracle
        if oracle is not None:
            try:
                return await self._runner.run(
                    self._runner.new_call(client_id), lambda: oracle.needs(endpoint_id)
                )
            except ProxyError as err:
                # A login must not fail because the service's own client could not ask.
                log.warning(
                    "data_access decision for collection %s failed (%d); using the default",
                    endpoint_id,
                    err.status,
                )
        return self._settings.data_access_default

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
            tokens = transfer_tokens(lambda: client.oauth2_exchange_code_for_tokens(auth_code))
            if tokens is None or not tokens.get("refresh_token"):
                raise globus_errors.no_refresh_token()
            self._tokens.put(
                tokens["refresh_token"], tokens["access_token"], float(tokens["expires_at_seconds"])
            )
            return TokenPair(tokens["access_token"], tokens["refresh_token"])

        return await self._runner.run(call, work)
