"""The control API under ``/_emulator/``: what tests, the demo and benchmarks steer.

Not part of Globus: it reads the world, counts calls, ages tokens and injects faults. Its
errors are ``{"error": "..."}`` with a 400, raised as :class:`ControlError`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ExceptionHandler

from globus_emulator.faults import Fault, FaultError
from globus_emulator.state import emulator_of


class ControlError(ValueError):
    """A control request that cannot be done; the text says what to send instead."""


async def render_control_error(_: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc)}, 400)


async def json_of(request: Request) -> dict[str, Any]:
    """The body's JSON object; an empty or unreadable body counts as ``{}``."""
    body = await request.body()
    if not body:
        return {}
    try:
        doc = await request.json()
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


async def world(request: Request) -> Response:
    w = emulator_of(request).world
    return JSONResponse(
        {
            "clients": [{"id": c.id, "name": c.name} for c in w.clients.values()],
            "identities": [{"id": i.id, "username": i.username} for i in w.identities.values()],
            "collections": [
                {
                    "id": c.id,
                    "display_name": c.display_name,
                    "entity_type": c.entity_type,
                    "root": str(c.root),
                    "read_only": c.read_only,
                    "requires_data_access_consent": c.requires_data_access_consent,
                    "session_required_single_domain": list(c.session_policy.single_domain),
                    "session_required_identities": list(c.session_policy.identities),
                    "session_required_mfa": c.session_policy.mfa,
                }
                for c in w.collections.values()
            ],
            "transfer_rate_limit": w.transfer_rate_limit,
        }
    )


async def stats(request: Request) -> Response:
    return JSONResponse(emulator_of(request).stats.snapshot())


async def reset_stats(request: Request) -> Response:
    emulator_of(request).stats.reset()
    return JSONResponse({"total": 0, "calls": {}})


async def expire_tokens(request: Request) -> Response:
    doc = await json_of(request)
    count = emulator_of(request).tokens.expire_access_tokens(doc.get("access_token"))
    return JSONResponse({"expired": count})


async def add_fault(request: Request) -> Response:
    try:
        fault = Fault.from_document(await json_of(request))
    except FaultError as err:
        raise ControlError(str(err)) from None
    return JSONResponse({"faults": emulator_of(request).faults.add(fault)})


async def clear_faults(request: Request) -> Response:
    emulator_of(request).faults.clear()
    return JSONResponse({"faults": 0})


async def config(request: Request) -> Response:
    doc = await json_of(request)
    current = emulator_of(request).world
    if "transfer_rate_limit" in doc:
        rate = doc["transfer_rate_limit"]
        if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool) or rate < 0):
            raise ControlError("'transfer_rate_limit' must be bytes per second, or null")
        current.transfer_rate_limit = rate or None
    return JSONResponse({"transfer_rate_limit": current.transfer_rate_limit})


ROUTES = [
    Route("/_emulator/world", world, methods=["GET"]),
    Route("/_emulator/stats", stats, methods=["GET"]),
    Route("/_emulator/stats/reset", reset_stats, methods=["POST"]),
    Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
    Route("/_emulator/faults", add_fault, methods=["POST"]),
    Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
    Route("/_emulator/config", config, methods=["POST"]),
]

EXCEPTION_HANDLERS: dict[type[Exception], ExceptionHandler] = {ControlError: render_control_error}
