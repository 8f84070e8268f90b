"""The Tapis GlobusProxy spec's models, by the spec's own names: request bodies and answers.

Class names are the spec's component names (pydantic names a component after its class, so
every schema class lives here, once). Request models validate bodies. Answer models only
document: answers are Globus's documents spliced into the envelope unparsed (a big listing is
never parsed and dumped again), so nothing here runs per answer. Each answer model holds the
spec's properties with the spec's types, plus the fields this service really returns, each
described, and allows any other field, since Globus adds fields over time.

JSON Schema choices that keep the clients generated from the spec unchanged: ids stay plain
strings (a `format: uuid` turns them into UUID objects), `result` and `metadata` stay a bare
`type: object`, task counters keep the spec's `integer` without a format (32-bit in Java),
arrays are never nullable, and no computed fields or serializers (they split a component into
-Input and -Output).
"""

from __future__ import annotations

import datetime
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic.config import JsonDict

# Exactly `type: object`: dict[str, Any] alone would add `additionalProperties`, which turns the
# generated Java getters from Object into Map<String, Object>.
PlainObject = Annotated[dict[str, Any] | None, WithJsonSchema({"type": "object"})]
# A UUID checked on input, documented as the spec's plain string.
UuidString = Annotated[UUID, WithJsonSchema({"type": "string"})]
INT64: JsonDict = {"format": "int64"}

METADATA = (
    "What this service adds to an answer: `access_token` and `refresh_token`, the working "
    "pair, when the service refreshed the caller's access token (use them from now on); "
    "`exact_counters`, {field: value} of the task counters that were capped to 2^31-1 in "
    "`result`; `request_id`, the id this request is logged under."
)


def loose_bool(value: Any) -> Any:
    """`"True"`/`"False"` as the seed README sends them; anything else is left to pydantic."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value


class Doc(BaseModel):
    """An answer model: documentation only, and open to fields Globus adds."""

    model_config = ConfigDict(extra="allow")


# --- enums ---------------------------------------------------------------------------------


class GlobusTaskCancelEnum(StrEnum):
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    ACCEPTED = "ACCEPTED"


# The next two are in the spec but no operation uses them. The spec's YAML spells one value
# NULL, which YAML 1.1 loaders read as null; the string is what its author meant.
class GlobusTaskTypeEnum(StrEnum):
    TRANSFER = "TRANSFER"
    DELETE = "DELETE"
    NULL = "NULL"
    UNKNOWN = "UNKNOWN"


class GlobusTaskStatusEnum(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    NULL = "NULL"
    UNKNOWN = "UNKNOWN"


# --- request bodies ------------------------------------------------------------------------


def _recursive_is_required(schema: JsonDict) -> None:
    """The spec lists `recursive` as required, so generated clients always send it; the
    service still takes an item without it (as false)."""
    required = schema.get("required")
    properties = schema.get("properties")
    assert isinstance(required, list) and isinstance(properties, dict)
    schema["required"] = [*required, "recursive"]
    recursive = properties["recursive"]
    assert isinstance(recursive, dict)
    recursive.pop("default", None)


class GlobusTransferItem(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_recursive_is_required)

    source_path: str = Field(min_length=1)
    destination_path: str = Field(min_length=1)
    recursive: bool = Field(
        default=False,
        description=(
            "Must be true for a directory path and false for a file. This service also takes "
            '"True"/"False", and false for a directory (Globus then detects it).'
        ),
    )

    _loose = field_validator("recursive", mode="before")(loose_bool)


SyncLevel = Annotated[
    Literal[0, 1, 2, 3, "exists", "size", "mtime", "checksum"] | None,
    WithJsonSchema({"type": "string", "enum": ["exists", "size", "mtime", "checksum"]}),
]


class ReqCreateTransfer(BaseModel):
    """The spec's body, plus Globus TransferData options (each optional)."""

    model_config = ConfigDict(extra="forbid")

    source_endpoint: UuidString = Field(description="Source collection id (a UUID).")
    destination_endpoint: UuidString = Field(description="Destination collection id (a UUID).")
    transfer_items: list[GlobusTransferItem] = Field(min_length=1)
    label: str | None = Field(
        default=None,
        max_length=128,
        description=(
            "Globus task label, shown in Globus's task lists. Default: the service's "
            "GLOBUS_PROXY_TASK_LABEL (Tapisv3, as the original service labelled every task)."
        ),
    )
    sync_level: SyncLevel = Field(
        default=None,
        description="Globus sync level; 0-3 are taken too (exists, size, mtime, checksum).",
    )
    verify_checksum: bool | None = Field(default=None, description="Globus TransferData option.")
    preserve_timestamp: bool | None = Field(default=None, description="Globus TransferData option.")
    encrypt_data: bool | None = Field(default=None, description="Globus TransferData option.")
    deadline: datetime.datetime | None = Field(
        default=None, description="Globus TransferData option: when Globus gives up the task."
    )
    skip_source_errors: bool | None = Field(default=None, description="Globus TransferData option.")
    fail_on_quota_errors: bool | None = Field(
        default=None, description="Globus TransferData option."
    )
    delete_destination_extra: bool | None = Field(
        default=None, description="Globus TransferData option."
    )
    notify_on_succeeded: bool | None = Field(
        default=None, description="Globus TransferData option."
    )
    notify_on_failed: bool | None = Field(default=None, description="Globus TransferData option.")
    notify_on_inactive: bool | None = Field(default=None, description="Globus TransferData option.")

    _loose = field_validator(
        "verify_checksum",
        "preserve_timestamp",
        "encrypt_data",
        "skip_source_errors",
        "fail_on_quota_errors",
        "delete_destination_extra",
        "notify_on_succeeded",
        "notify_on_failed",
        "notify_on_inactive",
        mode="before",
    )(loose_bool)

    def options(self, default_label: str) -> dict[str, Any]:
        """The TransferData options asked for; the label is `default_label` unless given."""
        chosen = self.model_dump(
            exclude={"source_endpoint", "destination_endpoint", "transfer_items"},
            exclude_none=True,
        )
        if self.deadline is not None:
            chosen["deadline"] = self.deadline.isoformat()
        if default_label:
            chosen.setdefault("label", default_label)
        return chosen


class ReqRename(BaseModel):
    # The spec's pattern is documented only: pydantic's regex engine has no look-ahead, and
    # `..` segments are refused when the path is read (paths.collection_path).
    destination: str = Field(
        min_length=1,
        description="New path of the file or directory.",
        json_schema_extra={"pattern": r"^(?!.*\.\.).*", "example": "dirA/file_new.txt"},
    )


class ReqMakeDir(BaseModel):
    not_used: str | None = Field(
        default=None, description="Not used but some request body is required"
    )


# --- what answers carry --------------------------------------------------------------------


class AuthTokens(BaseModel):
    access_token: str
    refresh_token: str


class GlobusConsentInfo(Doc):
    """What a 407 carries: a ready login that satisfies what Globus asked for."""

    scopes: str | None = Field(
        default=None, description="The scopes the login asks for, space-separated."
    )
    required_scopes: list[str] = Field(
        default_factory=list, description="The scopes Globus said were missing, if any."
    )
    url: str | None = Field(
        default=None,
        description="Globus Auth login URL asking for exactly what is missing. Send the user "
        "there.",
    )
    session_id: str | None = Field(
        default=None,
        description="Finishes this login: GET auth/tokens/{client_id}/{session_id}/{auth_code}, "
        "or through Tapis Systems POST /v3/systems/credential/{systemId}/user/{userName}/globus/"
        "tokens/{authCode}/{sessionId}. Expires (GLOBUS_PROXY_SESSION_TTL_SECONDS).",
    )
    names: list[str] = Field(
        default_factory=list, description="The collection ids that asked for the login."
    )
    globus_code: str | None = Field(
        default=None,
        description="Globus's error code (ConsentRequired, AuthPolicyFailed, "
        "ExternalError.DirListingFailed.LoginFailed, ...).",
    )
    session_message: str | None = Field(
        default=None, description="Globus's words on what the session lacks."
    )
    session_required_identities: list[str] = Field(
        default_factory=list, description="Identity ids one of which the session must include."
    )
    session_required_single_domain: list[str] = Field(
        default_factory=list,
        description="Domains one of which an identity in the session must belong to.",
    )
    session_required_policies: list[str] = Field(
        default_factory=list, description="Globus authentication policy ids to satisfy."
    )
    session_required_mfa: bool | None = Field(
        default=None, description="True when the login must use multi-factor authentication."
    )


class ResultEndpointArray(GlobusConsentInfo):
    """The spec's 407 result ({names}); this service fills in the whole login."""


class GlobusFileInfo(Doc):
    type: str | None = None
    user: str | None = None
    group: str | None = None
    permissions: str | None = None
    last_modified: str | None = None
    name: str | None = None
    path: str | None = None
    size: int | None = Field(default=None, description="size in bytes", json_schema_extra=INT64)
    DATA_TYPE: str | None = Field(default=None, description='Globus document type: "file".')
    link_target: str | None = Field(default=None, description="A symlink's target.")
    link_group: str | None = Field(default=None, description="A symlink target's group.")
    link_user: str | None = Field(default=None, description="A symlink target's owner.")
    link_size: int | None = Field(
        default=None, description="A symlink target's size in bytes.", json_schema_extra=INT64
    )
    link_last_modified: str | None = Field(
        default=None, description="A symlink target's modification time."
    )


class RespFileListData(Doc):
    """Globus's ls document, as Globus sent it."""

    DATA: list[GlobusFileInfo] = Field(default_factory=list)
    DATA_TYPE: str | None = Field(default=None, description='Globus document type: "file_list".')
    endpoint: str | None = Field(default=None, description="The collection id.")
    path: str | None = Field(default=None, description="The directory listed.")
    absolute_path: str | None = Field(
        default=None, description="The directory listed, as an absolute path."
    )
    length: int | None = Field(default=None, description="Entries in DATA.")
    total: int | None = Field(default=None, description="Entries in the directory.")
    rename_supported: bool | None = Field(default=None, description="From Globus.")
    symlink_supported: bool | None = Field(default=None, description="From Globus.")


FatalError = Annotated[
    dict[str, Any] | None,
    WithJsonSchema(
        {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
        }
    ),
]


class GlobusTransferTask(Doc):
    """Globus's task document (getTransferTask), or its submission result
    (createTransferTask: code, message, task_id, submission_id, task_link, ...)."""

    bytes_transferred: int | None = None
    completion_time: str | None = None
    deadline: str | None = None
    destination_endpoint_display_name: str | None = Field(
        default=None, examples=["my-connect-personal-laptop"]
    )
    destination_endpoint_id: str | None = Field(
        default=None, examples=["1784148a-8ae0-44b7-80b5-b5999e92de3a"]
    )
    directories: int | None = None
    effective_bytes_per_second: int | None = None
    encrypt_data: bool | None = None
    fail_on_quota_errors: bool | None = None
    fatal_error: FatalError = None
    faults: int | None = None
    files: int | None = None
    files_skipped: int | None = None
    files_transferred: int | None = None
    history_deleted: bool | None = None
    is_ok: bool | None = None
    is_paused: bool | None = None
    label: str | None = Field(
        default=None, description="The task's label (Tapisv3 unless the request gave one)."
    )
    owner_id: str | None = None
    request_time: str | None = None
    skip_source_errors: bool | None = None
    source_endpoint_display_name: str | None = Field(
        default=None, examples=["my-connect-personal-laptop"]
    )
    source_endpoint_id: str | None = Field(
        default=None, examples=["1784148a-8ae0-44b7-80b5-b5999e92de3a"]
    )
    status: str | None = None
    symlinks: int | None = None
    sync_level: int | None = None
    task_id: str | None = Field(default=None, examples=["1784148a-8ae0-44b7-80b5-b5999e92de3a"])
    type: str | None = None
    verify_checksum: bool | None = None
    # What Globus's documents add.
    DATA_TYPE: str | None = Field(
        default=None, description='Globus document type: "task", or "transfer_result".'
    )
    code: str | None = Field(default=None, description="Submission result: Accepted, Duplicate.")
    message: str | None = Field(default=None, description="Submission result: Globus's words.")
    request_id: str | None = Field(default=None, description="Globus's request id.")
    resource: str | None = Field(default=None, description="Globus's resource path.")
    submission_id: str | None = Field(
        default=None, description="Submission result: the submission id (a retry reuses it)."
    )
    task_link: PlainObject = Field(default=None, description="Submission result: the task link.")
    nice_status: str | None = Field(default=None, description="Why an ACTIVE task is waiting.")
    nice_status_short_description: str | None = Field(
        default=None, description="nice_status in words."
    )
    canceled_by_admin: str | None = Field(default=None, description="From Globus.")
    canceled_by_admin_message: str | None = Field(default=None, description="From Globus.")
    bytes_checksummed: int | None = Field(
        default=None, description="Bytes verified by checksum.", json_schema_extra=INT64
    )
    preserve_timestamp: bool | None = Field(default=None, description="TransferData option.")
    delete_destination_extra: bool | None = Field(default=None, description="TransferData option.")
    source_endpoint: str | None = Field(default=None, description="Legacy endpoint name.")
    destination_endpoint: str | None = Field(default=None, description="Legacy endpoint name.")
    username: str | None = Field(default=None, description="Owner's Globus username.")


class ResultCancelTask(Doc):
    code: GlobusTaskCancelEnum | None = None
    globus_code: str | None = Field(
        default=None, description="Globus's own code: Canceled, CancelAccepted, TaskComplete."
    )
    DATA_TYPE: str | None = Field(default=None, description='Globus document type: "result".')
    message: str | None = Field(default=None, description="Globus's words.")
    request_id: str | None = Field(default=None, description="Globus's request id.")
    resource: str | None = Field(default=None, description="Globus's resource path.")


class ResultUrl(Doc):
    url: str | None = None


class ResultGlobusAuthInfo(Doc):
    url: str | None = Field(default=None, description="Globus Auth login URL.")
    session_id: str | None = Field(
        default=None,
        description="Finishes this login at auth/tokens (or Tapis Systems' globus/tokens); "
        "expires after GLOBUS_PROXY_SESSION_TTL_SECONDS.",
    )


# --- envelopes -----------------------------------------------------------------------------


class Envelope(Doc):
    """What every answer shares; never a component itself."""

    # A plain string, as in the spec: an enum would generate a new class.
    status: str | None = Field(default=None, description='"success" or "error".')
    message: str | None = None
    version: str | None = None
    metadata: PlainObject = Field(default=None, description=METADATA)


class RespBasic(Envelope):
    result: PlainObject = None


class RespUrl(Envelope):
    result: ResultUrl | None = None


class RespGlobusAuthInfo(Envelope):
    result: ResultGlobusAuthInfo | None = None


class RespAuthTokens(Envelope):
    result: AuthTokens | None = None


class RespConsentRequired(Envelope):
    result: GlobusConsentInfo | None = None


class RespEndpointArray(Envelope):
    result: ResultEndpointArray | None = None


class RespFileList(Envelope):
    result: RespFileListData | None = None


class RespTransferTask(Envelope):
    result: GlobusTransferTask | None = None


class RespCancelTask(Envelope):
    result: ResultCancelTask | None = None


# Every model the document holds; the rest of the spec's components come through these.
MODELS: tuple[type[BaseModel], ...] = (
    RespBasic,
    RespUrl,
    RespGlobusAuthInfo,
    RespAuthTokens,
    RespConsentRequired,
    RespEndpointArray,
    RespFileList,
    RespTransferTask,
    RespCancelTask,
    ReqMakeDir,
    ReqRename,
    ReqCreateTransfer,
)
ENUMS: tuple[type[Enum], ...] = (GlobusTaskTypeEnum, GlobusTaskStatusEnum, GlobusTaskCancelEnum)
# String components, which pydantic cannot name; ids are checked as UUIDs when read.
UUID_EXAMPLE = "1784148a-8ae0-44b7-80b5-b5999e92de3a"
AUTH_CODE_EXAMPLE = "T0aymuUlUyLaOvvR58xxDCzycq5Cd3"
STRINGS: dict[str, dict[str, Any]] = {
    "ClientIdString": {"type": "string", "minLength": 1, "example": UUID_EXAMPLE},
    "EndpointIdString": {"type": "string", "minLength": 1, "example": UUID_EXAMPLE},
    "AuthCodeString": {"type": "string", "minLength": 1, "example": AUTH_CODE_EXAMPLE},
    "TaskIdString": {"type": "string", "minLength": 1},
}
