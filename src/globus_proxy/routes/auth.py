"""Login (auth/url -> Globus login page -> auth/tokens) and checkTokens."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from globus_proxy import envelope
from globus_proxy.routes import PREFIX
from globus_proxy.routes.common import ClientId, Context, EndpointId, Plain, WithTokens

router = APIRouter(prefix=f"{PREFIX}/auth", tags=["Auth"])

DataAccess = Annotated[
    bool | None,
    Query(
        description=(
            "Ask for the collection's data_access consent too (GCSv5 mapped collections). "
            "When omitted, the service's confidential client decides if one is configured, "
            "else the GLOBUS_PROXY_DATA_ACCESS_DEFAULT setting."
        )
    ),
]


async def _auth_url(
    ctx: Context,
    client_id: UUID,
    endpoint_id: UUID | None,
    data_access: bool | None,
) -> Response:
    client = str(client_id)
    scopes = await ctx.gateway.login_scopes(
        client, str(endpoint_id) if endpoint_id else None, data_access
    )
    login = ctx.gateway.start_login(client, scopes)
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
    session_id: Annotated[str, Path(description="The session_id auth/url returned.")],
    auth_code: Annotated[str, Path(description="The code shown after login.")],
    ctx: Plain,
) -> Response:
    tokens = await ctx.gateway.exchange_code(str(client_id), session_id, auth_code.strip())
    return envelope.success("successfully authorized globus client", tokens, ctx.version)


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
    pair = await ctx.gateway.check_tokens(str(client_id), ctx.tokens, str(endpoint_id))
    return envelope.success("successfully checked tokens", pair, ctx.version)
