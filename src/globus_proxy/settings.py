"""Every setting of the service, in one table, read from `GLOBUS_PROXY_*` environment variables."""

from __future__ import annotations

import base64
import binascii
import logging
import os
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

log = logging.getLogger("globus_proxy.settings")


class Settings(BaseSettings):
    """The service's configuration; every field has a default so `Settings()` always works."""

    # Errors never echo values: the session key and client secret are among them.
    model_config = SettingsConfigDict(
        env_prefix="GLOBUS_PROXY_", extra="ignore", hide_input_in_errors=True
    )

    session_key: str = Field(
        default="",
        description=(
            "Base64 of 32 random bytes: the AES-GCM key that seals login session ids. "
            "Every replica must share the same key so any replica can finish a login another "
            "began. When unset, a random key is generated at start (single replica only)."
        ),
    )
    session_ttl_seconds: int = Field(
        default=900, ge=30, description="How long a login session id from auth/url stays valid."
    )
    globus_timeout_seconds: float = Field(
        default=8.0,
        gt=0,
        description=(
            "Deadline for one operation toward Globus, retries and token refresh included. "
            "Past it the answer is 504. Keep it below the callers' own timeout (Java: 10 s)."
        ),
    )
    confidential_client_id: str | None = Field(
        default=None,
        description=(
            "Optional Globus confidential client id. When set (with its secret), auth/url asks "
            "Globus whether a collection needs a data_access consent."
        ),
    )
    confidential_client_secret: str | None = Field(
        default=None, description="Secret of the confidential client above."
    )
    data_access_default: bool = Field(
        default=False,
        description=(
            "Whether auth/url/{client}/{endpoint} asks for the collection's data_access scope "
            "when no confidential client is configured and the caller gives no "
            "`?data_access=true|false`."
        ),
    )
    token_cache_size: int = Field(
        default=10_000,
        ge=1,
        description=(
            "How many refreshed access tokens are kept in memory (LRU), one per refresh token."
        ),
    )
    collection_cache_size: int = Field(
        default=1_000,
        ge=1,
        description=(
            "How many data_access decisions (one per collection) the confidential client caches."
        ),
    )
    worker_threads: int = Field(
        default=64,
        ge=1,
        description=(
            "Threads that run globus-sdk calls; also the size of the connection pool to Globus."
        ),
    )
    version: str = Field(default="dev", description="Version reported in every response envelope.")
    log_level: str = Field(
        default="INFO",
        description="Log level of the service (globus-sdk's own loggers never go below INFO).",
    )
    task_label: str = Field(
        default="Tapisv3",
        max_length=128,
        description=(
            "The Globus label of a transfer whose request names none (the original service "
            "labelled every transfer Tapisv3, and operators find Tapis tasks by it). Empty: "
            "no label."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Optional `redis://` or `rediss://` URL of a Redis shared by the replicas: the token "
            "cache and the record of lost submissions, sealed with a key derived from "
            "session_key. Unset: each process keeps them in its own memory."
        ),
    )
    drain_seconds: float = Field(
        default=5.0,
        ge=0,
        description=(
            "After SIGTERM, how long `ready` answers 503 while the service still serves, so "
            "that load balancers stop sending it requests."
        ),
    )
    shutdown_grace_seconds: int = Field(
        default=20,
        ge=0,
        description=(
            "After draining, how long requests in flight get to finish before the process exits."
        ),
    )
    max_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description=(
            "Largest request body accepted (413 above it). The default takes a transfer of "
            "60,000 items with paths of up to ~500 bytes each."
        ),
    )
    max_url_bytes: int = Field(
        default=32 * 1024,
        ge=1024,
        le=65_000,  # httptools cannot parse a longer URL
        description="Longest request URL accepted, path and query (414 above it).",
    )
    max_header_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest total of a request's header fields accepted (431 above it).",
    )
    header_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        description=(
            "Time a connection has to send a request's head (line and headers): past it the "
            "connection is closed (with a 408 when part of a head came)."
        ),
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description=(
            "`text`: readable lines on stderr. `json`: one JSON object per line on stdout "
            "(time, level, logger, message, request_id; the access line's fields)."
        ),
    )

    @field_validator("session_key")
    @classmethod
    def _check_session_key(cls, value: str) -> str:
        if value and len(decode_key(value)) != 32:
            raise ValueError("session_key must be base64 of exactly 32 bytes")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not value.startswith(("redis://", "rediss://")):
            raise ValueError("redis_url must start with redis:// or rediss://")
        return value

    def session_key_bytes(self) -> bytes:
        """The configured key, or a fresh random one (with a warning: replicas must share one)."""
        if self.session_key:
            return decode_key(self.session_key)
        log.warning(
            "GLOBUS_PROXY_SESSION_KEY is not set: using a random key. Logins can only be "
            "finished by this process; set the same key on every replica."
        )
        return os.urandom(32)


def decode_key(value: str) -> bytes:
    """Accept standard or URL-safe base64, with or without padding."""
    text = value.strip().replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError("session_key is not valid base64") from err


class SettingsError(ValueError):
    """Settings the service cannot start with; the message names the variables, never values."""


def load_settings() -> Settings:
    """Settings from the environment, or a SettingsError that says which variable to fix."""
    try:
        return Settings()
    except ValidationError as err:
        problems = [
            f"GLOBUS_PROXY_{'_'.join(str(p) for p in e['loc']).upper()}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in err.errors(include_input=False, include_url=False)
        ]
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
