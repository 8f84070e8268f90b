"""Transfer's one error style: raise :class:`TransferError`; one handler renders the document
(``code``, ``message``, ``request_id``, ``resource``) for the request's path.

Codes and statuses follow Globus Transfer v0.10 (its documentation and globus-sdk's recorded
responses). Messages never carry tokens.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from globus_emulator.storage import InvalidPath
from globus_emulator.tokens import TRANSFER_SCOPE
from globus_emulator.world import Collection

_ID_ALPHABET = string.ascii_letters + string.digits


def new_request_id() -> str:
    """Globus request ids are short opaque strings like ``GFMQzaP0u``."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(9))


class TransferError(Exception):
    """Raised by a handler; becomes the Globus error document for this request."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra


def _where(collection: Collection) -> str:
    return f"Endpoint: {collection.display_name} ({collection.id})\nServer: emulator:443\n"


def authentication_failed(message: str = "Token is not active") -> TransferError:
    return TransferError(401, "AuthenticationFailed", message)


def bad_request(message: str, code: str = "ClientError.BadRequest") -> TransferError:
    return TransferError(400, code, message)


def conflict(message: str) -> TransferError:
    """The request clashes with the resource's state (a finished task, a name in use)."""
    return TransferError(409, "ClientError.Conflict", message)


def external_error(reason: str) -> TransferError:
    """A filesystem failure with no more specific Globus code."""
    return TransferError(502, "ExternalError", f"Operation failed on the collection: {reason}")


def endpoint_not_found(endpoint_id: str) -> TransferError:
    return TransferError(404, "EndpointNotFound", f"No such endpoint with id '{endpoint_id}'")


def task_not_found(task_id: str) -> TransferError:
    return TransferError(404, "TaskNotFound", f"Task ID '{task_id}' not found")


def bookmark_not_found(bookmark_id: str) -> TransferError:
    return TransferError(404, "BookmarkNotFound", f"No bookmark with id '{bookmark_id}'")


def path_not_found(collection: Collection, path: str, op: str, code: str) -> TransferError:
    """``ClientError.NotFound`` for ls, mkdir, rename; stat answers plain ``NotFound``."""
    return TransferError(
        404,
        code,
        f"Path not found, Error ({op})\n{_where(collection)}Message: No such file or directory\n"
        f"---\nDetails: Error: '{path}' not found\n",
    )


def not_a_directory(collection: Collection, path: str) -> TransferError:
    return TransferError(
        502,
        "ExternalError.DirListingFailed.NotDirectory",
        f"Directory listing failed, Error (list)\n{_where(collection)}"
        f"Message: Fatal FTP Response\n---\nDetails: 500 Command failed : "
        f"'{path}' is not a directory\n",
    )


def already_exists(collection: Collection, path: str, op: str) -> TransferError:
    """``ExternalError.MkdirFailed.Exists`` for mkdir, ``...RenameFailed.Exists`` for rename."""
    verb = "Mkdir" if op == "mkdir" else "Rename"
    return TransferError(
        502,
        f"ExternalError.{verb}Failed.Exists",
        f"{verb} failed, Error ({op})\n{_where(collection)}Message: Path already exists\n"
        f"---\nDetails: 550 '{path}': File exists\n",
    )


def permission_denied(collection: Collection, path: str, op: str, why: str) -> TransferError:
    """What Globus sends when the collection refuses: read-only, or a path outside its root."""
    return TransferError(
        403,
        "EndpointPermissionDenied",
        f"Denied by endpoint, Error ({op})\n{_where(collection)}Command: {op} {path}\n"
        f"Message: Fatal FTP Response\n---\nDetails: 500 Command failed : {why}\n",
    )


def consent_required(collection: Collection) -> TransferError:
    """403 ConsentRequired with the dependent data_access scope, as Transfer sends it."""
    scope = f"{TRANSFER_SCOPE}[*{collection.data_access_scope}]"
    message = "Missing required data_access consent"
    return TransferError(
        403,
        "ConsentRequired",
        message,
        required_scopes=[scope],
        authorization_parameters={"session_message": message, "required_scopes": [scope]},
    )


# The operations that reach the collection's server, as Globus names their failures.
FAILED_OPERATIONS = {
    "ls": "DirListingFailed",
    "stat": "StatFailed",
    "mkdir": "MkdirFailed",
    "rename": "RenameFailed",
}


def session_required(collection: Collection, operation: str) -> TransferError:
    """The session lacks what the collection requires. An operation on the collection's server
    fails its login (502 ExternalError.<op>.LoginFailed); a task submission fails Transfer's own
    policy check (403 AuthPolicyFailed). Both carry the `authorization_parameters` to log in
    with."""
    parameters = collection.session_policy.parameters()
    failed = FAILED_OPERATIONS.get(operation)
    if failed is None:
        return TransferError(
            403,
            "AuthPolicyFailed",
            "Failing collection authentication policy",
            authorization_parameters=parameters,
        )
    return TransferError(
        502,
        f"ExternalError.{failed}.LoginFailed",
        f"Command Failed: Error (login)\n{_where(collection)}Message: Login Failed\n---\n"
        "Details: 530-Login incorrect. : GlobusError: v=1 c=LOGIN_DENIED\n"
        "530-GridFTP-Message: The session does not meet the collection's authentication "
        "policy\n530 End.\n",
        authorization_parameters=parameters,
    )


def filesystem_failure(err: Exception) -> TransferError:
    """What escaped a route from the filesystem: a refused path, or an OS error unmapped."""
    if isinstance(err, InvalidPath):
        return bad_request("Invalid path")
    if isinstance(err, OSError):
        return external_error(err.strerror or type(err).__name__)
    raise TypeError(f"not a filesystem failure: {type(err).__name__}")


async def render_transfer_error(request: Request, exc: Exception) -> Response:
    """The Globus error document; storage failures no route mapped are rendered here too
    (only Transfer touches the filesystem)."""
    error = exc if isinstance(exc, TransferError) else filesystem_failure(exc)
    body = {
        "code": error.code,
        "message": error.message,
        "request_id": new_request_id(),
        "resource": request.url.path,
        **error.extra,
    }
    return JSONResponse(body, status_code=error.status)
