"""Transfer's endpoint search over the world's collections and their GCSv5 endpoints.

Full text as Globus documents it: punctuation is dropped, every term must match the start of
a word in a searched field (names, description, organization, keywords, owner, domains).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.state import emulator_of
from globus_emulator.tokens import Grant
from globus_emulator.transfer import errors
from globus_emulator.transfer.access import authorized, uuid_or_none
from globus_emulator.transfer.documents import endpoint_document, gcs_endpoint_document
from globus_emulator.transfer.params import bool_param, int_param
from globus_emulator.world import Collection, World

MAX_LIMIT = 100
MAX_RESULTS = 1000
SEARCHED_FIELDS = (
    "display_name",
    "canonical_name",
    "description",
    "organization",
    "department",
    "keywords",
    "owner_string",
)
_WORD = re.compile(r"[^\W_]+")

Document = dict[str, Any]
ScopeCheck = Callable[[Document], bool]


def endpoint_documents(world: World) -> list[Document]:
    """Every collection, then every GCSv5 endpoint hosting one, as ``get_endpoint`` shows them."""
    docs = [endpoint_document(c) for c in world.collections.values()]
    hosts: dict[str, Collection] = {}
    for c in world.collections.values():
        if c.entity_type.startswith("GCSv5"):
            hosts.setdefault(c.endpoint_id, c)
    docs += [gcs_endpoint_document(endpoint_id, c) for endpoint_id, c in hosts.items()]
    return docs


def words_of(doc: Document) -> set[str]:
    texts = [str(doc[name]) for name in SEARCHED_FIELDS if doc.get(name)]
    for url in (doc.get("gcs_manager_url"), doc.get("tlsftp_server")):
        if url:
            texts.append(urlsplit(url).hostname or "")
    return {word.lower() for text in texts for word in _WORD.findall(text)}


def matches_fulltext(doc: Document, terms: list[str]) -> bool:
    words = words_of(doc)
    return all(any(word.startswith(term) for word in words) for term in terms)


def used_in_tasks(request: Request, grant: Grant, active_only: bool) -> ScopeCheck:
    used = set()
    for task in emulator_of(request).tasks.owned_by(grant.identity_id):
        if not active_only or task.status == "ACTIVE":
            used.add(task.source.id)
            if task.destination is not None:
                used.add(task.destination.id)
    return lambda doc: doc["id"] in used


def scope_check(request: Request, grant: Grant, scope: str) -> ScopeCheck:
    """Which entities a ``filter_scope`` keeps for this caller. Owner-based scopes keep what
    the caller owns (collections belong to their endpoints, so usually nothing); nothing is
    shared in the emulator."""

    def mine(doc: Document) -> bool:
        return bool(doc["owner_id"] == grant.identity_id)

    checks: dict[str, ScopeCheck] = {
        "all": lambda doc: True,
        "my-endpoints": mine,
        "administered-by-me": mine,
        "my-gcp-endpoints": lambda doc: mine(doc) and doc["entity_type"].startswith("GCP"),
        "shared-by-me": lambda doc: mine(doc) and doc["entity_type"].endswith("guest_collection"),
        "shared-with-me": lambda doc: False,
    }
    if scope in ("recently-used", "in-use"):
        return used_in_tasks(request, grant, active_only=scope == "in-use")
    if scope not in checks:
        allowed = ", ".join([*checks, "recently-used", "in-use"])
        raise errors.bad_request(f"Invalid filter_scope '{scope}': use one of {allowed}")
    return checks[scope]


def field_filters(request: Request) -> list[ScopeCheck]:
    params = request.query_params
    checks: list[ScopeCheck] = []
    owner = params.get("filter_owner_id")
    if owner:
        key = uuid_or_none(owner)
        checks.append(lambda doc: doc["owner_id"] == key)
    types = [t for t in params.get("filter_entity_type", "").split(",") if t]
    if types:
        checks.append(lambda doc: doc["entity_type"] in types)
    if params.get("filter_non_functional"):
        wanted = bool_param(request, "filter_non_functional", False)
        checks.append(lambda doc: doc["non_functional"] is wanted)
    host = params.get("filter_host_endpoint")
    if host:
        checks.append(lambda doc: doc["host_endpoint_id"] == uuid_or_none(host))
    return checks


async def endpoint_search(request: Request) -> Response:
    """GET /endpoint_search: limit/offset pages of at most 100, 1000 results in all."""
    grant = authorized(request)
    params = request.query_params
    scope = params.get("filter_scope") or "all"
    fulltext = params.get("filter_fulltext", "")
    terms = [w.lower() for w in _WORD.findall(fulltext)]
    if scope == "all" and not terms:
        raise errors.bad_request("filter_fulltext is required when filter_scope is 'all'")
    limit = int_param(request, "limit", 25, MAX_LIMIT)
    offset = int_param(request, "offset", 0, MAX_RESULTS - 1)
    if limit < 1 or offset + limit > MAX_RESULTS:
        raise errors.bad_request(
            f"limit must be 1 to {MAX_LIMIT}, and offset + limit at most {MAX_RESULTS}"
        )
    checks = [scope_check(request, grant, scope), *field_filters(request)]
    found = [
        doc
        for doc in endpoint_documents(emulator_of(request).world)
        if all(check(doc) for check in checks) and matches_fulltext(doc, terms)
    ]
    return JSONResponse(
        {
            "DATA_TYPE": "endpoint_list",
            "DATA": found[offset : offset + limit],
            "limit": limit,
            "offset": offset,
            "has_next_page": offset + limit < len(found),
        }
    )
