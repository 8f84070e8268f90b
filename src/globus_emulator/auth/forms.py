"""URL-encoded form bodies, as OAuth clients and the login page's HTML form send them.

Parsed with the stdlib rather than Starlette's parser, which needs python-multipart.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

MAX_FORM_BYTES = 64 * 1024


class FormError(ValueError):
    """A body that is not a usable form; the text says why, for the caller's error."""


async def read_form(request: Request) -> dict[str, str]:
    """The form's fields (the first value of a repeated one); an empty body is no fields."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if not body:
        return {}
    if content_type != "application/x-www-form-urlencoded":
        raise FormError("The body must be application/x-www-form-urlencoded.")
    if len(body) > MAX_FORM_BYTES:
        raise FormError("The request body is too large.")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise FormError("The request body is not a valid form.") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form
