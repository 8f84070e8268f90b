"""Login (auth/url -> Globus login page -> auth/tokens) and checkTokens."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from globus_proxy import envelope
from globus_proxy.routes import PREFIX
from globus_proxy.routes.common import Context, Plain, WithTokens
from globus_proxy.routes.parameters import AuthCode, ClientId, DataAccess, EndpointId, SessionId

router = APIRouter(prefix=f"{PREFIX}/auth", tags=["Auth"])


async def _auth_url(
    ctx: Context,
    client_id: UUID,
    endpoint_id: UUID | None,
    data_access: bool | None,
) -> Response:
    client = str(client_id)
    scopes = await ctx.gateway.login.scopes(
        client, [str(endpoint_id)] if endpoint_id else [], data_access
    )
    login = ctx.gateway.login.start(client, scopes)
    return envelope.success(f"Please go to this URL and login: {login['url']}", login, ctx.version)


@router.get(
    "/url/{client_id}/{endpoint_id}",
    operation_id="getAuthInfo",
    summary="Return authorization URL given client Id",
)
async def get_auth_info(
    client_id: ClientId,
    endpoint_id: EndpointId,
    ctx: Plain,
    data_access: DataAccess = None,
) -> Response:
    return await _auth_url(ctx, client_id, endpoint_id, data_access)


@router.get(
    "/url/{client_id}",
    operation_id="getAuthInfoWithoutEndpoint",
    summary="Return authorization URL for the transfer scope only",
)
async def get_auth_info_without_endpoint(client_id: ClientId, ctx: Plain) -> Response:
    return await _auth_url(ctx, client_id, None, False)


@router.get(
    "/tokens/{client_id}/{session_id}/{auth_code}",
    operation_id="getTokens",
    summary="Exchange authorization code for access and refresh tokens",
)
async def get_tokens(
    client_id: ClientId,
    session_id: SessionId,
    auth_code: AuthCode,
    ctx: Plain,
) -> Response:
    pair = await ctx.gateway.login.exchange_code(str(client_id), session_id, auth_code.strip())
    return envelope.success("successfully authorized globus client", pair.as_result(), ctx.version)


@router.get(
    "/check_tokens/{client_id}/{endpoint_id}",
    operation_id="checkTokens",
    summary="Check token pair and refresh as needed",
)
async def check_tokens(
    client_id: ClientId,
    endpoint_id: EndpointId,
    ctx: WithTokens,
) -> Response:
    pair = await ctx.gateway.transfer.check_tokens(str(client_id), ctx.tokens, str(endpoint_id))
    return envelope.success("successfully checked tokens", pair.as_result(), ctx.version)
