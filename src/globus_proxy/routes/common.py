"""What the routers share: the one dependency each route takes (the gateway, the version, and
the caller's token pair), the token check, and path normalising.

One dependency, not three: FastAPI's dependency solving costs per dependency on every request.
All `async def`: FastAPI runs plain `def` dependencies in the threadpool, a thread hop each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from globus_proxy.errors import inputs
from globus_proxy.gateway import Gateway, TokenPair
from globus_proxy.paths import PathError, collection_path
from globus_proxy.routes.parameters import AccessToken, RefreshToken


@dataclass
class Context:
    gateway: Gateway
    version: str
    tokens: TokenPair
    task_label: str = ""  # the label of a transfer that names none


NO_TOKENS = TokenPair("", "")


def context_for(request: Request, tokens: TokenPair) -> Context:
    state = request.app.state
    settings = state.settings
    return Context(state.gateway, settings.version, tokens, settings.task_label)


async def context(request: Request) -> Context:
    return context_for(request, NO_TOKENS)


async def context_with_tokens(
    request: Request, access_token: AccessToken = None, refresh_token: RefreshToken = None
) -> Context:
    return context_for(request, token_pair(access_token, refresh_token))


def normalised(raw: str, field: str = "path") -> str:
    """A caller's collection path in the one form Globus gets, or a 400 naming the field."""
    try:
        return collection_path(raw)
    except PathError as err:
        raise inputs.bad_path(field, err.problem) from None


def token_pair(access_token: str | None, refresh_token: str | None) -> TokenPair:
    """The caller's pair, checked before it can reach an HTTP header toward Globus.

    Globus tokens are printable ASCII; anything else would fail inside the HTTP client.
    """
    if not access_token or not refresh_token:
        raise inputs.missing_tokens(access_token, refresh_token)
    for name, value in zip(inputs.TOKEN_NAMES, (access_token, refresh_token), strict=True):
        if not (value.isascii() and value.isprintable()) or " " in value:
            raise inputs.not_a_token(name)
    return TokenPair(access_token, refresh_token)


Plain = Annotated[Context, Depends(context)]
WithTokens = Annotated[Context, Depends(context_with_tokens)]
