"""The control API under ``/_emulator/``: what tests, the demo and benchmarks steer.

Not part of Globus: it reads the world, counts calls, ages tokens and injects faults.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

if TYPE_CHECKING:
    from globus_emulator.app import Emulator


def routes(emulator: Emulator) -> list[Route]:
    from globus_emulator.app import Fault

    async def world(_: Request) -> JSONResponse:
        w = emulator.world
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
                    }
                    for c in w.collections.values()
                ],
                "transfer_rate_limit": w.transfer_rate_limit,
            }
        )

    async def stats(_: Request) -> JSONResponse:
        return JSONResponse(emulator.stats.snapshot())

    async def reset_stats(_: Request) -> JSONResponse:
        emulator.stats.reset()
        return JSONResponse({"total": 0, "calls": {}})

    async def _json(request: Request) -> dict[str, Any]:
        body = await request.body()
        if not body:
            return {}
        try:
            doc = await request.json()
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) else {}

    async def expire_tokens(request: Request) -> JSONResponse:
        doc = await _json(request)
        count = emulator.tokens.expire_access_tokens(doc.get("access_token"))
        return JSONResponse({"expired": count})

    async def add_fault(request: Request) -> JSONResponse:
        doc = await _json(request)
        if not isinstance(doc.get("match"), str):
            return JSONResponse({"error": "'match' (a path substring) is required"}, 400)
        fault = Fault(
            match=doc["match"],
            times=int(doc.get("times", 1)),
            status=doc.get("status"),
            delay_seconds=float(doc.get("delay_seconds", 0.0)),
            body=doc.get("body"),
        )
        with emulator.faults_lock:
            emulator.faults.append(fault)
        return JSONResponse({"faults": len(emulator.faults)})

    async def clear_faults(_: Request) -> JSONResponse:
        with emulator.faults_lock:
            emulator.faults.clear()
        return JSONResponse({"faults": 0})

    async def config(request: Request) -> JSONResponse:
        doc = await _json(request)
        if "transfer_rate_limit" in doc:
            rate = doc["transfer_rate_limit"]
            emulator.world.transfer_rate_limit = int(rate) if rate else None
        return JSONResponse({"transfer_rate_limit": emulator.world.transfer_rate_limit})

    return [
        Route("/_emulator/world", world, methods=["GET"]),
        Route("/_emulator/stats", stats, methods=["GET"]),
        Route("/_emulator/stats/reset", reset_stats, methods=["POST"]),
        Route("/_emulator/tokens/expire", expire_tokens, methods=["POST"]),
        Route("/_emulator/faults", add_fault, methods=["POST"]),
        Route("/_emulator/faults", clear_faults, methods=["DELETE"]),
        Route("/_emulator/config", config, methods=["POST"]),
    ]
