"""The one way to Globus: assembles the pieces every call shares, for the life of the process.

One transport (one connection pool), the globus-sdk clients built on it (clients), the token
cache and its refresher, the record of lost submissions, the login session sealer, and the
runner that puts every call in a worker thread under a deadline (runner). With a Redis URL,
the token cache and the lost submissions are shared by the replicas (shared_state). Routes
use `gateway.transfer` (Transfer with the caller's tokens) and `gateway.login` (Globus Auth);
nothing is built per request but the `Call` record.
"""

from __future__ import annotations

from globus_sdk.gare import GARE

from globus_proxy.errors import ProxyError
from globus_proxy.gateway import login
from globus_proxy.gateway.call import Answer, Call, CallAuthorizer, TokenPair
from globus_proxy.gateway.clients import Clients
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.gateway.transfer import TransferOperations
from globus_proxy.gateway.transport import DeadlineTransport
from globus_proxy.sessions import SessionSealer
from globus_proxy.settings import Settings
from globus_proxy.shared_state import SharedState
from globus_proxy.shared_tokens import SharedTokenCache
from globus_proxy.submissions import LostSubmissions
from globus_proxy.token_cache import MemoryTokenCache, TokenCache

__all__ = ["Answer", "Gateway", "TokenPair"]


class Gateway:
    def __init__(self, settings: Settings) -> None:
        self.transport = DeadlineTransport(settings.globus_timeout_seconds, settings.worker_threads)
        self.clients = Clients(self.transport, settings)
        # One key for the session sealer and the shared state: a random one is drawn per call.
        session_key = settings.session_key_bytes()
        refresher = login.refresher(self.clients)
        self.shared = SharedState(settings.redis_url, session_key) if settings.redis_url else None
        self.tokens: TokenCache
        if self.shared is None:
            self.tokens = MemoryTokenCache(settings.token_cache_size, refresher)
        else:
            self.tokens = SharedTokenCache(settings.token_cache_size, refresher, self.shared)
        self.lost_submissions = LostSubmissions(self.shared)
        self.runner = CallRunner(
            settings.worker_threads,
            settings.globus_timeout_seconds,
            self.tokens,
            login_for=self._login_for,
        )
        sessions = SessionSealer(session_key, settings.session_ttl_seconds)
        self.login = login.Login(settings, self.clients, sessions, self.tokens, self.runner)
        self.transfer = TransferOperations(
            self.clients.transfer(CallAuthorizer(self.tokens)), self.runner, self.lost_submissions
        )

    async def _login_for(self, call: Call, requirement: GARE) -> ProxyError:
        """Bound late: the runner is built before the Login that needs it."""
        return await self.login.for_requirement(
            call.client_id, call.collections, requirement, call.secrets()
        )

    def close(self) -> None:
        self.runner.close()
        self.transport.close()
        if self.shared is not None:
            self.shared.close()
