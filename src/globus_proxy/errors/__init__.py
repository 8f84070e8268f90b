"""The one exception every answer other than success is raised as.

Where each kind of error is worded: `errors.globus` (Globus's errors, the one table from a
Globus error to an HTTP status), `errors.inputs` (what was wrong in the caller's request);
`errors.handlers` turns every exception into an envelope.
"""

from __future__ import annotations

from typing import Any


class ProxyError(Exception):
    """An answer other than success; `message` is shown to the caller as is."""

    def __init__(
        self,
        status: int,
        message: str,
        result: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.result = result
        self.headers = headers  # e.g. Globus's Retry-After, passed on


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "REDACTED")
    return text
