"""Keeps tokens out of what the benchmark prints and writes."""

from __future__ import annotations

import re

TOKEN_PATTERNS = (
    re.compile(r"((?:access_token|refresh_token|code)=)[^&\s\"']+"),
    re.compile(r"(Bearer\s+)\S+"),
)


def redact(text: str) -> str:
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(r"\1REDACTED", text)
    return text


def describe(err: Exception) -> str:
    """An exception as `Type: message`, with any token in it replaced."""
    return redact(f"{type(err).__name__}: {err}")
