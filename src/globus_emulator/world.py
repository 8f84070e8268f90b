"""The emulated world: clients, identities and collections, from a seed file or defaults."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from globus_emulator.sessions import NO_POLICY, SessionPolicy, SessionPolicyError

ENTITY_TYPES = ("GCSv5_mapped_collection", "GCSv5_guest_collection", "GCP_mapped_collection")

# Fixed ids, so that the demo and the README can name them.
DEFAULT_CLIENT_ID = "6d8a1b4e-0f3c-4c55-9a57-3c0e0e8f7a11"
DEFAULT_IDENTITY_ID = "b7c1f1de-2f34-4c7e-9d1a-5d4b2f8e9c01"
DEFAULT_SOURCE_ID = "57218f41-3200-11e8-b907-0ac6873fc732"
DEFAULT_DESTINATION_ID = "2f9c0a7e-5b6d-4e1f-8a3c-9d0b1c2e3f40"
# The Globus Connect Server v5 endpoint that hosts a collection unless its seed names another.
DEFAULT_ENDPOINT_ID = "c3e4a5f0-7b1d-4e2a-9c6f-0d8e1b2a3c4d"
# globus-cli's own native app, hard-coded in the CLI: its login first makes a client of its
# own from this template (POST /v2/api/clients), so every world has it.
GLOBUS_CLI_TEMPLATE_ID = "95fdeba8-fac2-42bd-a357-e068d82ff78e"


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    # A client with a secret is confidential: it authenticates to Auth with HTTP Basic.
    secret: str | None = None
    # The native app this client is an instance of (made by POST /v2/api/clients).
    parent_client: str | None = None


@dataclass(frozen=True)
class Identity:
    id: str
    username: str
    name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Collection:
    id: str
    display_name: str
    entity_type: str
    root: Path
    read_only: bool = False
    requires_data_access_consent: bool = False
    # The collection's home directory ("/~/"), as a path inside the collection.
    home: str = "/"
    # The GCSv5 endpoint hosting it, which owns it (its owner_id in Transfer's documents).
    endpoint_id: str = DEFAULT_ENDPOINT_ID
    # What the login session must hold to use the collection (a domain, an identity, MFA).
    session_policy: SessionPolicy = NO_POLICY

    @property
    def data_access_scope(self) -> str:
        return f"https://auth.globus.org/scopes/{self.id}/data_access"


@dataclass
class World:
    clients: dict[str, Client]
    identities: dict[str, Identity]
    collections: dict[str, Collection]
    access_token_lifetime_seconds: int = 7200
    # Bytes per second for each task's copying; None moves data at disk speed.
    transfer_rate_limit: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class SeedError(ValueError):
    """A seed that cannot describe a world; the message says what to fix."""


def _uuid(value: Any, what: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as err:
        raise SeedError(f"seed: {what} id {value!r} is not a UUID") from err


def world_from_document(doc: dict[str, Any]) -> World:
    """Build a world from a parsed seed document, checking what it says."""
    try:
        return _world(doc)
    except KeyError as err:
        raise SeedError(f"seed: an entry is missing the field {err.args[0]!r}") from None
    except (TypeError, AttributeError) as err:
        raise SeedError(f"seed: an entry has the wrong shape ({err})") from None


def _world(doc: dict[str, Any]) -> World:
    clients = {}
    for c in doc.get("clients", []):
        cid = _uuid(c["id"], "client")
        clients[cid] = Client(
            id=cid, name=c.get("name", "Emulated native app"), secret=c.get("secret") or None
        )
    identities = {}
    for i in doc.get("identities", []):
        iid = _uuid(i["id"], "identity")
        username = i["username"]
        identities[iid] = Identity(
            id=iid,
            username=username,
            name=i.get("name", username.split("@")[0].title()),
            email=i.get("email", username),
        )
    collections = {}
    for c in doc.get("collections", []):
        cid = _uuid(c["id"], "collection")
        entity_type = c.get("entity_type", "GCSv5_mapped_collection")
        if entity_type not in ENTITY_TYPES:
            raise SeedError(
                f"seed: collection {cid} has entity_type {entity_type!r}; use one of "
                + ", ".join(ENTITY_TYPES)
            )
        root = Path(c["root"])
        if not root.is_absolute():
            raise SeedError(f"seed: collection {cid} root {root} must be an absolute path")
        root.mkdir(parents=True, exist_ok=True)
        try:
            policy = SessionPolicy.read(c)
        except SessionPolicyError as err:
            raise SeedError(f"seed: collection {cid}: {err}") from None
        for identity_id in policy.identities:
            _uuid(identity_id, f"collection {cid} session_required_identities")
        collections[cid] = Collection(
            id=cid,
            display_name=c.get("display_name", cid),
            entity_type=entity_type,
            root=root.resolve(),
            read_only=bool(c.get("read_only", False)),
            requires_data_access_consent=bool(c.get("requires_data_access_consent", False)),
            home=c.get("home", "/"),
            endpoint_id=_uuid(c.get("endpoint_id", DEFAULT_ENDPOINT_ID), "endpoint"),
            session_policy=policy,
        )
    for c in collections.values():
        if c.endpoint_id in collections:
            raise SeedError(f"seed: collection {c.id} names a collection as its endpoint_id")
    if not clients or not identities:
        raise SeedError("seed: at least one client and one identity are needed")
    clients.setdefault(GLOBUS_CLI_TEMPLATE_ID, Client(id=GLOBUS_CLI_TEMPLATE_ID, name="Globus CLI"))
    rate = doc.get("transfer_rate_limit")
    env_rate = os.environ.get("GLOBUS_EMULATOR_TRANSFER_RATE_LIMIT")
    if env_rate:
        rate = int(env_rate)
    return World(
        clients=clients,
        identities=identities,
        collections=collections,
        access_token_lifetime_seconds=int(doc.get("access_token_lifetime_seconds", 7200)),
        transfer_rate_limit=int(rate) if rate else None,
    )


def load_world(seed: Path) -> World:
    try:
        text = seed.read_text()
    except OSError as err:
        raise SeedError(f"seed: cannot read {seed}: {err.strerror}") from None
    as_yaml = seed.suffix in (".yml", ".yaml")
    try:
        doc = yaml.safe_load(text) if as_yaml else json.loads(text)
    except (ValueError, yaml.YAMLError) as err:
        kind = "YAML" if as_yaml else "JSON (name it .yml for YAML)"
        raise SeedError(f"seed: {seed} is not valid {kind}: {err}") from None
    if not isinstance(doc, dict):
        raise SeedError(f"seed: {seed} must hold an object with clients, identities, collections")
    return world_from_document(doc)


def _write_sample(path: Path, size: int) -> None:
    """Deterministic, incompressible-looking content, written once."""
    if path.exists() and path.stat().st_size == size:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    block = bytes((i * 131 + 7) % 251 for i in range(65536))
    with path.open("wb") as f:
        remaining = size
        while remaining:
            chunk = block[: min(remaining, len(block))]
            f.write(chunk)
            remaining -= len(chunk)


def default_world(data_dir: Path) -> World:
    """One native-app client, one identity, a read-only source and a writable destination."""
    source = data_dir / "esnet-test-dtn"
    _write_sample(source / "data1" / "1M.dat", 1024 * 1024)
    _write_sample(source / "data1" / "10M.dat", 10 * 1024 * 1024)
    for rel, size in [
        ("data1/tree/README.txt", 120),
        ("data1/tree/a/one.txt", 1000),
        ("data1/tree/a/two.txt", 2000),
        ("data1/tree/b/three.dat", 3000),
    ]:
        _write_sample(source / rel, size)
    destination = data_dir / "destination"
    destination.mkdir(parents=True, exist_ok=True)
    return world_from_document(
        {
            "clients": [{"id": DEFAULT_CLIENT_ID, "name": "Emulated Tapis native app"}],
            "identities": [
                {"id": DEFAULT_IDENTITY_ID, "username": "alice@example.org", "name": "Alice"}
            ],
            "collections": [
                {
                    "id": DEFAULT_SOURCE_ID,
                    "display_name": "ESnet Read-Only Test DTN at Starlight (emulated)",
                    "entity_type": "GCSv5_mapped_collection",
                    "root": str(source),
                    "read_only": True,
                },
                {
                    "id": DEFAULT_DESTINATION_ID,
                    "display_name": "Emulated destination collection",
                    "entity_type": "GCSv5_mapped_collection",
                    "root": str(destination),
                },
            ],
        }
    )
