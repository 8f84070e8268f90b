"""The one way to Globus: assembles the pieces every call shares, for the life of the process.

One transport (one connection pool), the globus-sdk clients built on it (clients), the token
cache and its refresher, the record of lost submissions, the login session sealer, and the
runner that puts every call in a worker thread under a deadline (runner). With a Redis URL,
the token cache and the lost submissions are shared by the replicas (shared_state). Routes
use `gateway.transfer` (Transfer with the caller's tokens) and `gateway.login` (Globus Auth);
nothing is built per request but the `Call` record.
"""

from __future__ import annotations

from collections.abc import Sized

from globus_sdk.gare import GARE

from globus_proxy.errors import ProxyError
from globus_proxy.gateway import login
from globus_proxy.gateway.call import Answer, Call, CallAuthorizer, TokenPair
from globus_proxy.gateway.clients import Clients
from globus_proxy.gateway.runner import CallRunner
from globus_proxy.gateway.transfer import TransferOperations
from globus_proxy.gateway.transport import DeadlineTransport
from globus_proxy.metrics import Metrics
from globus_proxy.sessions import SessionSealer
from globus_proxy.settings import Settings
from globus_proxy.shared_state import SharedState
from globus_proxy.shared_tokens import SharedTokenCache
from globus_proxy.submissions import LostSubmissions
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
        # One key for the session sealer and the shared state: a random one is drawn per call.
        session_key = settings.session_key_bytes()
        refresher = login.refresher(self.clients, self.metrics.token_refreshes)
        self.shared = SharedState(settings.redis_url, session_key) if settings.redis_url else None
        self.tokens: TokenCache
        if self.shared is None:
            self.tokens = MemoryTokenCache(settings.token_cache_size, refresher)
        else:
            self.tokens = SharedTokenCache(settings.token_cache_size, refresher, self.shared)
        self.lost_submissions = LostSubmissions(self.shared)
        self._observe_state()
        self.runner = CallRunner(
            settings.worker_threads,
            settings.globus_timeout_seconds,
            self.tokens,
            login_for=self._login_for,
            metrics=self.metrics,
        )
        sessions = SessionSealer(session_key, settings.session_ttl_seconds)
        self.login = login.Login(settings, self.clients, sessions, self.tokens, self.runner)
        self.transfer = TransferOperations(
            self.clients.transfer(CallAuthorizer(self.tokens)), self.runner, self.lost_submissions
        )

    def _observe_state(self) -> None:
        """Gauges and counters read from the token cache, the lost submissions and Redis."""
        tokens, lost, shared = self.tokens, self.lost_submissions, self.shared
        if isinstance(tokens, Sized):
            self.metrics.token_cache_size.set_function(lambda: len(tokens))
        self.metrics.count_read(
            "lost_submissions_remembered",
            "Submissions whose answer was lost after they were sent (502/504): their ids are "
            "kept for the caller's identical retry.",
            lambda: lost.remembered,
        )
        self.metrics.count_read(
            "lost_submissions_recalled",
            "Retries that reused a lost submission's id (Globus then answers with its task).",
            lambda: lost.recalled,
        )
        if shared is None:
            return
        self.metrics.count_read(
            "redis_fallbacks",
            "Calls to the shared Redis answered from this process's memory instead (Redis "
            "down, slow or skipped after a failure).",
            lambda: shared.fallbacks,
        )
        self.metrics.gauge(
            "redis_available", "1 while the shared Redis answers, 0 while this replica skips it."
        ).set_function(lambda: 1.0 if shared.available else 0.0)

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
