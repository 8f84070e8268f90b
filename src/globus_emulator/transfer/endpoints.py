"""Transfer's endpoint (collection) resources: a collection's or GCSv5 endpoint's document,
and activation, which GCSv5 never needs."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.state import emulator_of
from globus_emulator.transfer.access import authorized, collection, uuid_or_none
from globus_emulator.transfer.documents import endpoint_document, gcs_endpoint_document, result
from globus_emulator.world import Collection


def hosted_by(request: Request, endpoint_id: str) -> list[Collection]:
    """The GCSv5 collections a GCSv5 endpoint hosts; none if the id names no such endpoint."""
    key = uuid_or_none(endpoint_id)
    world = emulator_of(request).world
    if key is None or key in world.collections:
        return []
    return [
        c
        for c in world.collections.values()
        if c.endpoint_id == key and c.entity_type.startswith("GCSv5")
    ]


async def get_endpoint(request: Request) -> Response:
    """GET /endpoint/{id}: reads no data, so it needs no data_access consent."""
    authorized(request)
    endpoint_id = request.path_params["endpoint_id"]
    hosted = hosted_by(request, endpoint_id)
    if hosted:
        return JSONResponse(gcs_endpoint_document(hosted[0].endpoint_id, hosted[0]))
    return JSONResponse(endpoint_document(collection(request, endpoint_id)))


async def autoactivate(request: Request) -> Response:
    """POST /endpoint/{id}/autoactivate, which globus-sdk 3 programs call when an endpoint
    document says ``activated: false``. Activation belongs to GCSv4; a GCSv5 collection or
    endpoint is always usable, so the answer is ``AlreadyActivated`` (``if_expires_in`` is
    moot: the activation never expires)."""
    authorized(request)
    endpoint_id = request.path_params["endpoint_id"]
    if not hosted_by(request, endpoint_id):
        collection(request, endpoint_id)  # EndpointNotFound for anything else
    body = result(
        "activation_result",
        "AlreadyActivated",
        "Endpoint is already activated",
        request.url.path,
        activated=True,
        auto_activation_supported=True,
        expires_in=-1,
        expire_time=None,
        oauth_server=None,
        subject=None,
        length=0,
        DATA=[],
    )
    return JSONResponse(body)
