"""The one way to Globus: assembles the pieces every call shares, for the life of the process.

One transport (one connection pool), the globus-sdk clients built on it (clients), the token
cache and its refresher, the login session sealer, and the runner that puts every call in a
worker thread under a deadline (runner). Routes use `gateway.transfer` (Transfer with the
caller's tokens) and `gateway.login` (Globus Auth); nothing is built per request but the
`Call` record.
"""

from __future__ import annotations

from collections.abc import Sized

from globus_proxy.gateway import login
from globus_proxy.gateway.call import Answer, CallAuthorizer, TokenPair
from globus_proxy.gateway.clients import Clients
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.gateway.transfer import TransferOperations
from globus_proxy.gateway.transport import DeadlineTransport
from globus_proxy.metrics import Metrics
from globus_proxy.sessions import SessionSealer
from globus_proxy.settings import Settings
from globus_proxy.token_cache import MemoryTokenCache, TokenCache

__all__ = ["Answer", "Gateway", "TokenPair"]


class Gateway:
    def __init__(self, settings: Settings, metrics: Metrics | None = None) -> None:
        self.metrics = metrics or Metrics()
        self.transport = DeadlineTransport(
            settings.globus_timeout_seconds,
            settings.worker_threads,
            observe=self.metrics.count_globus_call,
        )
        self.clients = Clients(self.transport, settings)
        self.tokens: TokenCache = MemoryTokenCache(
            settings.token_cache_size,
            login.refresher(self.clients, self.metrics.token_refreshes),
        )
        tokens = self.tokens
        if isinstance(tokens, Sized):
            self.metrics.token_cache_size.set_function(lambda: len(tokens))
        self.runner = CallRunner(
            settings.worker_threads,
            settings.globus_timeout_seconds,
            self.tokens,
            consent_login=self._consent_login,
            metrics=self.metrics,
        )
        sessions = SessionSealer(settings.session_key_bytes(), settings.session_ttl_seconds)
        self.login = login.Login(settings, self.clients, sessions, self.tokens, self.runner)
        self.transfer = TransferOperations(
            self.clients.transfer(CallAuthorizer(self.tokens)), self.runner
        )

    def _consent_login(self, client_id: str, scopes: list[str]) -> dict[str, str]:
        """Bound late: the runner is built before the Login that needs it."""
        return self.login.start_consent(client_id, scopes)

    def close(self) -> None:
        self.runner.close()
        self.transport.close()
