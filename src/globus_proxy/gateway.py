"""The one module that builds and calls globus-sdk clients.

Shared for the life of the process: one `RequestsTransport` (one connection pool), one
`TransferClient` whose authorizer reads the current operation's tokens from a contextvar,
and a small LRU of `NativeAppAuthClient`s (one per client id) for refreshes. Nothing is
built per request except the `Call` record. Every operation runs in a worker thread under a
deadline: retries stop, sleeps shrink and HTTP timeouts tighten as it nears, and an outer
`asyncio.timeout` guards the whole call.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import secrets
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import globus_sdk
import orjson
import requests
from globus_sdk import MISSING
from globus_sdk.authorizers import GlobusAuthorizer
from globus_sdk.transport import RequestsTransport, RetryConfig
from globus_sdk.transport.retry import RetryCheckResult, RetryContext

from globus_proxy import errors
from globus_proxy.errors import ProxyError
from globus_proxy.sessions import SessionError, SessionSealer
from globus_proxy.settings import Settings
from globus_proxy.token_cache import RefreshRejected, TokenCache

log = logging.getLogger("globus_proxy.gateway")

T = TypeVar("T")

TRANSFER_RESOURCE_SERVER = "transfer.api.globus.org"
TRANSFER_SCOPE = "urn:globus:auth:scope:transfer.api.globus.org:all"
IDENTITY_SCOPES = "openid profile email"
MAX_LS_LIMIT = 100_000
NOT_DIRECTORY = "ExternalError.DirListingFailed.NotDirectory"
# Below this much time left, another attempt toward Globus is not worth starting.
MIN_ATTEMPT_SECONDS = 0.05
# The outer guard fires this long after the deadline, so the inner one normally answers first.
OUTER_GRACE_SECONDS = 0.25
AUTH_CLIENT_CACHE_SIZE = 256


@dataclass
class TokenPair:
    access_token: str
    refresh_token: str


@dataclass
class Call:
    """One operation toward Globus; lives in a contextvar inside its worker thread."""

    client_id: str
    deadline: float  # time.monotonic()
    access_token: str = ""  # the token sent now; changes after a refresh
    caller_access_token: str = ""
    refresh_token: str = ""
    refresh_only: bool = False  # checkTokens: refresh on 401 but do not retry
    refreshed: bool = False
    out_of_time: bool = False
    other_secrets: tuple[str, ...] = ()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def secrets(self) -> tuple[str, ...]:
        return (
            self.access_token,
            self.caller_access_token,
            self.refresh_token,
            *self.other_secrets,
        )

    def token_metadata(self) -> dict[str, str]:
        """The working pair, when it is not the one the caller sent."""
        if self.access_token and self.access_token != self.caller_access_token:
            return {"access_token": self.access_token, "refresh_token": self.refresh_token}
        return {}


CURRENT_CALL: ContextVar[Call | None] = ContextVar("globus_proxy_call", default=None)


def refuse_retry_past_deadline(ctx: RetryContext) -> RetryCheckResult:
    """Runs before globus-sdk's own checks: no retry that would outlast the deadline."""
    call = CURRENT_CALL.get()
    if call is None:
        return RetryCheckResult.no_decision
    if ctx.response is not None and ctx.response.status_code == 401:
        ctx.backoff = 0.0  # the retry after a token refresh should not wait
    if call.remaining() > MIN_ATTEMPT_SECONDS:
        return RetryCheckResult.no_decision
    if ctx.exception is not None or (ctx.response is not None and ctx.response.status_code >= 400):
        call.out_of_time = True
    return RetryCheckResult.do_not_retry


def new_retry_config() -> RetryConfig:
    """Each client gets its own: globus-sdk appends its default checks to the one it is given."""
    config = RetryConfig()
    config.checks.register_check(refuse_retry_past_deadline)
    return config


class DeadlineTransport(RequestsTransport):
    """A shared transport whose timeouts and retry sleeps shrink to the current deadline."""

    def __init__(self, http_timeout: float, pool_size: int) -> None:
        super().__init__(http_timeout=http_timeout)
        adapter = requests.adapters.HTTPAdapter(pool_connections=8, pool_maxsize=pool_size)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        # requests re-reads proxy variables and ~/.netrc from the environment on every request
        # (a scan of os.environ each time); skip that unless a proxy is actually configured.
        self.session.trust_env = bool(urllib.request.getproxies())
        # One session serves every user: a cookie kept from one answer must never ride along
        # with another user's request.
        self.session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))

    @property  # type: ignore[override]
    def http_timeout(self) -> float | None:
        call = CURRENT_CALL.get()
        if call is None:
            return self._base_http_timeout
        left = max(call.remaining(), 0.001)
        return left if self._base_http_timeout is None else min(self._base_http_timeout, left)

    @http_timeout.setter
    def http_timeout(self, value: float | None) -> None:
        self._base_http_timeout = value

    def _retry_sleep(self, retry_config: RetryConfig, ctx: RetryContext) -> None:
        period = min(retry_config.backoff(ctx), retry_config.max_sleep)
        call = CURRENT_CALL.get()
        if call is not None:
            period = min(period, max(call.remaining() - MIN_ATTEMPT_SECONDS, 0.0))
        if period > 0:
            time.sleep(period)


class CallAuthorizer(GlobusAuthorizer):
    """Sends the current call's access token; on a 401, refreshes it once through the cache."""

    def __init__(self, cache: TokenCache) -> None:
        self.cache = cache

    def get_authorization_header(self) -> str | None:
        call = CURRENT_CALL.get()
        if call is None or not call.access_token:
            return None
        return f"Bearer {call.access_token}"

    def handle_missing_authorization(self) -> bool:
        call = CURRENT_CALL.get()
        if call is None or not call.refresh_token or call.refreshed:
            return False
        call.access_token = self.cache.refresh_after_failure(
            call.client_id, call.refresh_token, call.access_token
        )
        call.refreshed = True
        return not call.refresh_only


def raw_document(response: globus_sdk.GlobusHTTPResponse) -> bytes:
    """Globus's JSON body as sent, so big listings are not parsed and dumped again."""
    body = response.binary_content
    if body[:1] == b"{":
        return body
    return orjson.dumps(response.data if isinstance(response.data, dict) else {})


def single_file_listing(endpoint_id: str, path: str, entry: dict[str, Any], offset: int) -> bytes:
    """A listing of one file, in the shape of an ls document, for callers that ls a file."""
    parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
    data = [entry] if offset == 0 else []
    return orjson.dumps(
        {
            "DATA_TYPE": "file_list",
            "DATA": data,
            "endpoint": endpoint_id,
            "path": parent,
            "length": len(data),
            "total": 1,
        }
    )


class Gateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.timeout = settings.globus_timeout_seconds
        self.transport = DeadlineTransport(settings.globus_timeout_seconds, settings.worker_threads)
        self.executor = ThreadPoolExecutor(settings.worker_threads, thread_name_prefix="globus")
        self.tokens = TokenCache(settings.token_cache_size, self._refresh)
        self.sessions = SessionSealer(settings.session_key_bytes(), settings.session_ttl_seconds)
        self.transfer = globus_sdk.TransferClient(
            authorizer=CallAuthorizer(self.tokens),
            transport=self.transport,
            retry_config=new_retry_config(),
        )
        self._auth_clients: OrderedDict[str, globus_sdk.NativeAppAuthClient] = OrderedDict()
        self._auth_clients_lock = threading.Lock()
        self._data_access = DataAccessOracle(self) if settings.confidential_client_id else None

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.transport.close()

    # --- clients -------------------------------------------------------------------------

    def auth_client(self, client_id: str) -> globus_sdk.NativeAppAuthClient:
        """A shared client per client id, for refreshes (which keep no state on the client)."""
        with self._auth_clients_lock:
            client = self._auth_clients.get(client_id)
            if client is not None:
                self._auth_clients.move_to_end(client_id)
                return client
        client = self.login_client(client_id)
        with self._auth_clients_lock:
            self._auth_clients[client_id] = client
            while len(self._auth_clients) > AUTH_CLIENT_CACHE_SIZE:
                self._auth_clients.popitem(last=False)
        return client

    def login_client(self, client_id: str) -> globus_sdk.NativeAppAuthClient:
        """A fresh client: a login flow keeps its state on the client, so it is never shared."""
        return globus_sdk.NativeAppAuthClient(
            client_id, transport=self.transport, retry_config=new_retry_config()
        )

    def _refresh(self, client_id: str, refresh_token: str) -> tuple[str, float]:
        try:
            response = self.auth_client(client_id).oauth2_refresh_token(refresh_token)
        except globus_sdk.AuthAPIError as err:
            if err.http_status in (400, 401, 403):
                raise RefreshRejected() from None
            raise
        tokens = response.by_resource_server.get(TRANSFER_RESOURCE_SERVER)
        if tokens is None:
            raise RefreshRejected()
        return tokens["access_token"], float(tokens["expires_at_seconds"])

    # --- running -------------------------------------------------------------------------

    def new_call(self, client_id: str, pair: TokenPair | None = None) -> Call:
        call = Call(client_id=client_id, deadline=time.monotonic() + self.timeout)
        if pair is not None:
            call.caller_access_token = pair.access_token
            call.refresh_token = pair.refresh_token
            call.access_token = self.tokens.access_token_for(pair.refresh_token, pair.access_token)
        return call

    async def run(self, call: Call, work: Callable[[], T]) -> T:
        """Run `work` in a worker thread under the call's deadline; Globus errors -> ProxyError."""

        def in_thread() -> T:
            reset = CURRENT_CALL.set(call)
            try:
                return work()
            except globus_sdk.GlobusAPIError as err:
                raise self.translate(err, call) from None
            except RefreshRejected:
                raise ProxyError(
                    401,
                    "Globus Auth rejected the refresh token (revoked, unused for too long, or "
                    "issued to another client). Log in again: GET auth/url/{client_id}/"
                    "{endpoint_id}, then exchange the code at auth/tokens.",
                ) from None
            except globus_sdk.GlobusTimeoutError:
                raise ProxyError(504, errors.TIMEOUT_MESSAGE.format(seconds=self.timeout)) from None
            except globus_sdk.NetworkError as err:
                if call.out_of_time or call.remaining() <= MIN_ATTEMPT_SECONDS:
                    raise ProxyError(
                        504, errors.TIMEOUT_MESSAGE.format(seconds=self.timeout)
                    ) from None
                reason = type(err.underlying_exception).__name__
                raise ProxyError(502, errors.UNREACHABLE_MESSAGE.format(reason=reason)) from None
            finally:
                CURRENT_CALL.reset(reset)

        future = asyncio.get_running_loop().run_in_executor(self.executor, in_thread)
        try:
            async with asyncio.timeout(max(call.remaining(), 0.0) + OUTER_GRACE_SECONDS):
                return await future
        except TimeoutError:
            raise ProxyError(504, errors.TIMEOUT_MESSAGE.format(seconds=self.timeout)) from None

    def translate(self, err: globus_sdk.GlobusAPIError, call: Call) -> ProxyError:
        """Globus answered, so this is never a 504, even when retries ran out of time."""
        scopes = errors.consent_scopes(err)
        if scopes:
            return self.consent_required(call.client_id, scopes)
        return errors.from_globus(err, call.secrets())

    def consent_required(self, client_id: str, scopes: list[str]) -> ProxyError:
        login = self.start_login(client_id, " ".join([IDENTITY_SCOPES, *scopes]))
        return ProxyError(
            407,
            "Globus needs the user's consent before this collection can be used. Send the user "
            f"to this URL and login: {login['url']} then exchange the code at "
            "auth/tokens/{client_id}/{session_id}/{auth_code} with result.session_id, and use "
            "the new token pair.",
            result={"scopes": " ".join(scopes), "required_scopes": scopes, **login},
        )

    # --- login ---------------------------------------------------------------------------

    def start_login(self, client_id: str, scopes: str) -> dict[str, str]:
        """{url, session_id}: the PKCE verifier travels sealed inside the session id."""
        verifier = secrets.token_urlsafe(48)
        flow = self.login_client(client_id).oauth2_start_flow(
            scopes, verifier=verifier, refresh_tokens=True
        )
        return {
            "url": flow.get_authorize_url(),
            "session_id": self.sessions.seal(client_id, verifier, scopes),
        }

    async def login_scopes(
        self, client_id: str, endpoint_id: str | None, data_access: bool | None
    ) -> str:
        transfer = TRANSFER_SCOPE
        if endpoint_id is not None:
            needed = data_access
            oracle = self._data_access
            if needed is None and oracle is not None:
                try:
                    needed = await self.run(
                        self.new_call(client_id), lambda: oracle.needs(endpoint_id)
                    )
                except ProxyError as err:
                    # A login must not fail because the service's own client could not ask.
                    log.warning(
                        "data_access decision for collection %s failed (%d); using the default",
                        endpoint_id,
                        err.status,
                    )
            if needed is None:
                needed = self.settings.data_access_default
            if needed:
                transfer += f"[*https://auth.globus.org/scopes/{endpoint_id}/data_access]"
        return f"{IDENTITY_SCOPES} {transfer}"

    async def exchange_code(
        self, client_id: str, session_id: str, auth_code: str
    ) -> dict[str, str]:
        try:
            session = self.sessions.open(client_id, session_id)
        except SessionError as err:
            raise ProxyError(400, str(err)) from None
        call = self.new_call(client_id)
        call.other_secrets = (session_id, auth_code, session.verifier)

        def work() -> dict[str, str]:
            client = self.login_client(client_id)
            client.oauth2_start_flow(session.scopes, verifier=session.verifier, refresh_tokens=True)
            response = client.oauth2_exchange_code_for_tokens(auth_code)
            tokens = response.by_resource_server.get(TRANSFER_RESOURCE_SERVER)
            if tokens is None or not tokens.get("refresh_token"):
                raise ProxyError(
                    502,
                    "Globus Auth answered without a refresh token for the transfer service. "
                    "Start a new login with auth/url.",
                )
            self.tokens.put(
                tokens["refresh_token"], tokens["access_token"], float(tokens["expires_at_seconds"])
            )
            return {
                "access_token": tokens["access_token"],
                "refresh_token": tokens["refresh_token"],
            }

        return await self.run(call, work)

    async def check_tokens(
        self, client_id: str, pair: TokenPair, endpoint_id: str
    ) -> dict[str, str]:
        """A pair that works now: one cheap call with the token, one refresh only if it fails."""
        call = self.new_call(client_id, pair)
        call.refresh_only = True

        def work() -> dict[str, str]:
            try:
                self.transfer.get_endpoint(endpoint_id)
            except globus_sdk.TransferAPIError as err:
                if not (err.http_status == 401 and call.refreshed):
                    raise
            return {"access_token": call.access_token, "refresh_token": call.refresh_token}

        return await self.run(call, work)

    # --- file operations and tasks -------------------------------------------------------

    async def list_files(
        self,
        call: Call,
        endpoint_id: str,
        path: str,
        limit: int,
        offset: int,
        filter_: str | None,
    ) -> bytes:
        def work() -> bytes:
            try:
                response = self.transfer.operation_ls(
                    endpoint_id,
                    path=path,
                    limit=min(limit, MAX_LS_LIMIT),
                    offset=offset,
                    filter=filter_ if filter_ else MISSING,
                )
            except globus_sdk.TransferAPIError as err:
                if err.code != NOT_DIRECTORY:
                    raise
                entry = self.transfer.operation_stat(endpoint_id, path.rstrip("/")).data
                return single_file_listing(endpoint_id, path, entry, offset)
            return raw_document(response)

        return await self.run(call, work)

    async def make_dir(self, call: Call, endpoint_id: str, path: str) -> bytes:
        return await self.run(
            call, lambda: raw_document(self.transfer.operation_mkdir(endpoint_id, path))
        )

    async def rename(self, call: Call, endpoint_id: str, old: str, new: str) -> bytes:
        return await self.run(
            call, lambda: raw_document(self.transfer.operation_rename(endpoint_id, old, new))
        )

    async def delete(self, call: Call, endpoint_id: str, path: str, recursive: bool) -> bytes:
        def work() -> bytes:
            data = globus_sdk.DeleteData(endpoint_id, recursive=recursive)
            data.add_item(path)
            return raw_document(self.transfer.submit_delete(data))

        return await self.run(call, work)

    async def submit_transfer(
        self,
        call: Call,
        source: str,
        destination: str,
        items: list[tuple[str, str, bool]],
        options: dict[str, Any],
    ) -> bytes:
        def work() -> bytes:
            data = globus_sdk.TransferData(source, destination, **options)
            for source_path, destination_path, recursive in items:
                # False means "let Globus detect": Tapis Files sends false even for directories.
                data.add_item(
                    source_path, destination_path, recursive=True if recursive else MISSING
                )
            return raw_document(self.transfer.submit_transfer(data))

        return await self.run(call, work)

    async def get_task(self, call: Call, task_id: str) -> bytes:
        return await self.run(call, lambda: raw_document(self.transfer.get_task(task_id)))

    async def cancel_task(self, call: Call, task_id: str) -> bytes:
        return await self.run(call, lambda: raw_document(self.transfer.cancel_task(task_id)))


class DataAccessOracle:
    """Asks Globus, with the service's confidential client, whether a collection needs a
    data_access consent (a GCSv5 mapped collection that is not high assurance)."""

    def __init__(self, gateway: Gateway) -> None:
        self.settings = gateway.settings
        self.transport = gateway.transport
        self._transfer: globus_sdk.TransferClient | None = None
        self._known: OrderedDict[str, bool] = OrderedDict()
        self._lock = threading.Lock()

    def transfer(self) -> globus_sdk.TransferClient:
        """Built on first use: the authorizer fetches a token as it is made, so not at start."""
        with self._lock:
            if self._transfer is None:
                auth = globus_sdk.ConfidentialAppAuthClient(
                    self.settings.confidential_client_id or "",
                    self.settings.confidential_client_secret or "",
                    transport=self.transport,
                    retry_config=new_retry_config(),
                )
                self._transfer = globus_sdk.TransferClient(
                    authorizer=globus_sdk.ClientCredentialsAuthorizer(auth, TRANSFER_SCOPE),
                    transport=self.transport,
                    retry_config=new_retry_config(),
                )
            return self._transfer

    def needs(self, endpoint_id: str) -> bool:
        with self._lock:
            if endpoint_id in self._known:
                return self._known[endpoint_id]
        document = self.transfer().get_endpoint(endpoint_id)
        needed = document.get("entity_type") == "GCSv5_mapped_collection" and not document.get(
            "high_assurance", False
        )
        with self._lock:
            self._known[endpoint_id] = needed
            while len(self._known) > self.settings.collection_cache_size:
                self._known.popitem(last=False)
        return needed
