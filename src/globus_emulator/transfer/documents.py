"""The documents Transfer answers with: endpoints, results, and paged lists."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from globus_emulator.transfer.errors import new_request_id
from globus_emulator.world import Collection


def result(data_type: str, code: str, message: str, resource: str, **extra: Any) -> dict[str, Any]:
    """The answer of an operation or submission: what happened to ``resource``."""
    return {
        "DATA_TYPE": data_type,
        "code": code,
        "message": message,
        "request_id": new_request_id(),
        "resource": resource,
        **extra,
    }


def page(data_type: str, items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """One limit/offset page of a Transfer list document."""
    chosen = items[offset : offset + limit]
    return {
        "DATA_TYPE": data_type,
        "DATA": chosen,
        "length": len(chosen),
        "limit": limit,
        "offset": offset,
        "total": len(items),
    }


def globus_username(owner_id: str) -> str:
    """The Globus username of an owner: ``u_`` and its UUID's bytes in unpadded base32."""
    encoded = base64.b32encode(uuid.UUID(owner_id).bytes).decode("ascii")
    return "u_" + encoded.rstrip("=").lower()


def gcs_domain(endpoint_id: str) -> str:
    """The DNS name of an emulated GCSv5 endpoint. ``.invalid`` never resolves, so nothing
    reaches for a GCS Manager that is not there."""
    return f"{endpoint_id.split('-')[0]}.gcs.globus-emulator.invalid"


def gcs_endpoint_name(endpoint_id: str) -> str:
    return f"Emulated GCSv5 endpoint {endpoint_id.split('-')[0]}"


def server_document(endpoint_id: str) -> dict[str, Any]:
    """The endpoint's one data server, as it appears in ``DATA`` of endpoint documents."""
    host = gcs_domain(endpoint_id)
    return {
        "DATA_TYPE": "server",
        "id": uuid.UUID(endpoint_id).int % 1_000_000,
        "hostname": host,
        "uri": f"gsiftp://{host}:2811",
        "port": 2811,
        "scheme": "gsiftp",
        "subject": None,
        "is_connected": True,
        "is_paused": False,
        "incoming_data_port_start": None,
        "incoming_data_port_end": None,
        "outgoing_data_port_start": None,
        "outgoing_data_port_end": None,
    }


def endpoint_document(c: Collection) -> dict[str, Any]:
    """A collection as ``GET /endpoint/{id}`` returns it. A GCSv5 collection is owned by its
    endpoint and names its GCS Manager; like every GCSv5 collection it needs no activation
    (``activated`` false, ``expires_in`` -1: never expires)."""
    gcs = c.entity_type.startswith("GCSv5")
    username = globus_username(c.endpoint_id)
    return {
        "DATA_TYPE": "endpoint",
        "id": c.id,
        "display_name": c.display_name,
        "canonical_name": f"{username}#{c.id}",
        "name": c.id,
        "organization": "Globus Emulator",
        "department": None,
        "username": username,
        "owner_id": c.endpoint_id,
        "owner_string": f"{c.endpoint_id}@clients.auth.globus.org",
        "description": f"Emulated {c.entity_type}",
        "contact_email": None,
        "contact_info": None,
        "info_link": None,
        "keywords": None,
        "entity_type": c.entity_type,
        "gcs_version": "5.4.70" if c.entity_type.startswith("GCSv5") else None,
        "public": True,
        "french_english_bilingual": False,
        "is_globus_connect": c.entity_type.startswith("GCP"),
        "globus_connect_setup_key": None,
        "gcp_connected": True if c.entity_type.startswith("GCP") else None,
        "gcp_paused": False if c.entity_type.startswith("GCP") else None,
        "s3_url": None,
        "s3_owner_activated": False,
        "host_endpoint_id": None,
        "host_endpoint": None,
        "host_endpoint_display_name": None,
        "host_path": None,
        "disable_verify": False,
        "disable_anonymous_writes": False,
        "force_verify": False,
        "force_encryption": False,
        "mfa_required": False,
        "high_assurance": False,
        "authentication_assurance_timeout": None,
        "myproxy_server": None,
        "myproxy_dn": None,
        "non_functional": False,
        "non_functional_endpoint_display_name": gcs_endpoint_name(c.endpoint_id) if gcs else None,
        "non_functional_endpoint_id": c.endpoint_id if gcs else None,
        "oauth_server": None,
        "default_directory": c.home if c.home != "/" else None,
        "activated": False,
        "expires_in": -1,
        "expire_time": None,
        "shareable": False,
        "acl_available": False,
        "acl_editable": False,
        "in_use": False,
        "subscription_id": None,
        "location": "Automatic",
        "network_use": "normal",
        "gcs_manager_url": f"https://{gcs_domain(c.endpoint_id)}" if gcs else None,
        "tlsftp_server": f"tlsftp://m-{c.id.split('-')[0]}.{gcs_domain(c.endpoint_id)}:443"
        if gcs
        else None,
        "https_server": None,
        "max_concurrency": 4,
        "max_parallelism": 8,
        "preferred_concurrency": 2,
        "preferred_parallelism": 4,
        "my_effective_roles": [],
        "authentication_timeout_mins": 15840,
        "requester_pays": False,
        "acl_max_expiration_period_mins": None,
        "authentication_policy_id": None,
        "last_accessed_time": None,
        "local_user_info_available": None,
        "mapped_collection_display_name": None,
        "mapped_collection_id": None,
        "sharing_target_endpoint": None,
        "sharing_target_root_path": None,
        "storage_type": None,
        "user_message": None,
        "user_message_link": None,
        "DATA": [server_document(c.endpoint_id)] if gcs else [],
    }


def gcs_endpoint_document(endpoint_id: str, hosted: Collection) -> dict[str, Any]:
    """The GCSv5 endpoint hosting ``hosted`` (and maybe more collections): the fields of its
    collections' documents, as an endpoint states them. It holds no data (non-functional)."""
    doc = endpoint_document(hosted)
    username = globus_username(endpoint_id)
    doc.update(
        id=endpoint_id,
        name=endpoint_id,
        display_name=gcs_endpoint_name(endpoint_id),
        canonical_name=f"{username}#{endpoint_id}",
        description="Emulated GCSv5_endpoint",
        entity_type="GCSv5_endpoint",
        non_functional=True,
        non_functional_endpoint_display_name=None,
        non_functional_endpoint_id=None,
        expires_in=0,
        default_directory=None,
        tlsftp_server=None,
    )
    return doc
