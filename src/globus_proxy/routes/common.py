"""What the routers share: typed ids, path checking, and the one dependency each route takes
(the gateway, the version, and the caller's token pair).

One dependency, not three: FastAPI's dependency solving costs per dependency on every request.
All `async def`: FastAPI runs plain `def` dependencies in the threadpool, a thread hop each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Query, Request

from globus_proxy.errors import ProxyError, invalid_input
from globus_proxy.gateway import Gateway, TokenPair
from globus_proxy.paths import PathError, collection_path

# Ids are UUIDs, checked before anything goes upstream: globus-sdk puts them unescaped into
# Globus URL paths, so a crafted id could reach another Globus route with the user's token.
ClientId = Annotated[UUID, Path(description="Globus native app client id.")]
EndpointId = Annotated[UUID, Path(description="Globus collection (endpoint) id.")]
TaskId = Annotated[UUID, Path(description="Globus task id.")]


@dataclass
class Context:
    gateway: Gateway
    version: str
    tokens: TokenPair


NO_TOKENS = TokenPair("", "")


async def context(request: Request) -> Context:
    state = request.app.state
    return Context(state.gateway, state.settings.version, NO_TOKENS)


async def context_with_tokens(
    request: Request,
    access_token: Annotated[str | None, Query(description="Globus transfer access token")] = None,
    refresh_token: Annotated[str | None, Query(description="Globus transfer refresh token")] = None,
) -> Context:
    state = request.app.state
    return Context(state.gateway, state.settings.version, token_pair(access_token, refresh_token))


def normalised(raw: str, field: str = "path") -> str:
    """A caller's collection path in the one form Globus gets, or a 400 naming the field."""
    try:
        return collection_path(raw, field)
    except PathError as err:
        raise invalid_input(str(err)) from None


def token_pair(access_token: str | None, refresh_token: str | None) -> TokenPair:
    """The caller's pair, checked before it can reach an HTTP header toward Globus.

    Globus tokens are printable ASCII; anything else would fail inside the HTTP client.
    """
    if not access_token or not refresh_token:
        raise missing_tokens(access_token, refresh_token)
    for name, value in (("access_token", access_token), ("refresh_token", refresh_token)):
        if not (value.isascii() and value.isprintable()) or " " in value:
            raise ProxyError(
                401,
                f"The {name} query parameter is not a Globus token (tokens are printable ASCII "
                "without spaces): send the pair exactly as auth/tokens returned it.",
            )
    return TokenPair(access_token, refresh_token)


def missing_tokens(access_token: str | None, refresh_token: str | None) -> ProxyError:
    missing = [
        name
        for name, value in (("access_token", access_token), ("refresh_token", refresh_token))
        if not value
    ]
    return ProxyError(
        401,
        f"Missing {' and '.join(missing)} query parameter{'s' if len(missing) > 1 else ''}: "
        "send the Globus token pair from auth/tokens as ?access_token=...&refresh_token=...",
    )


Plain = Annotated[Context, Depends(context)]
WithTokens = Annotated[Context, Depends(context_with_tokens)]
