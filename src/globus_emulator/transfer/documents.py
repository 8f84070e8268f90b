"""The documents Transfer answers with: endpoints, results, and paged lists."""

from __future__ import annotations

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


def endpoint_document(c: Collection) -> dict[str, Any]:
    """A GCSv5 collection as ``GET /endpoint/{id}`` returns it."""
    return {
        "DATA_TYPE": "endpoint",
        "id": c.id,
        "display_name": c.display_name,
        "canonical_name": f"u_emulator#{c.id}",
        "name": c.id,
        "organization": "Globus Emulator",
        "department": None,
        "username": "u_emulator",
        "owner_id": "00000000-0000-0000-0000-000000000000",
        "owner_string": "emulator@globus.org",
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
        "non_functional_endpoint_display_name": None,
        "non_functional_endpoint_id": None,
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
        "location": None,
        "network_use": None,
        "DATA": [],
    }
