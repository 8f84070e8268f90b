"""Every route parameter, declared once.

FastAPI reads the `Annotated` declarations; the two hottest routes read their parameters by
hand and describe them to the OpenAPI document from the same descriptions, defaults and
minimums (see hot_params). A test holds the two descriptions equal.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path, Query

CLIENT_ID = "Globus native app client id (a UUID)."
ENDPOINT_ID = "Globus collection (endpoint) id (a UUID)."
TASK_ID = "Globus task id (a UUID)."
COLLECTION_PATH = (
    "Path on the collection: one %2F-encoded segment or plain segments. Relative paths "
    "and `~`/`/~/...` are relative to the collection's home directory."
)
ACCESS_TOKEN = "Globus transfer access token (missing: a 401 saying how to log in)."
REFRESH_TOKEN = "Globus transfer refresh token (missing: a 401 saying how to log in)."
LIMIT = "Page size; above 100,000 (Globus's cap) it is clamped."
LIMIT_DEFAULT = 1000
LIMIT_MINIMUM = 1
OFFSET = "Skip."
OFFSET_DEFAULT = 0
OFFSET_MINIMUM = 0
FILTER = "Globus filter, e.g. name:=test1.txt; passed as is."
RECURSE = "Delete directories recursively: true/false/True/False/1/0."
DATA_ACCESS = (
    "Ask for the collection's data_access consent too (GCSv5 mapped collections). "
    "When omitted, the service's confidential client decides if one is configured, "
    "else the GLOBUS_PROXY_DATA_ACCESS_DEFAULT setting."
)
SESSION_ID = "The session_id auth/url returned."
AUTH_CODE = "The code shown after login."

# Ids are UUIDs, checked before anything goes upstream: globus-sdk puts them unescaped into
# Globus URL paths, so a crafted id could reach another Globus route with the user's token.
ClientId = Annotated[UUID, Path(description=CLIENT_ID)]
EndpointId = Annotated[UUID, Path(description=ENDPOINT_ID)]
TaskId = Annotated[UUID, Path(description=TASK_ID)]
CollectionPath = Annotated[str, Path(description=COLLECTION_PATH)]
SessionId = Annotated[str, Path(description=SESSION_ID)]
AuthCode = Annotated[str, Path(description=AUTH_CODE)]
AccessToken = Annotated[str | None, Query(description=ACCESS_TOKEN)]
RefreshToken = Annotated[str | None, Query(description=REFRESH_TOKEN)]
Limit = Annotated[int, Query(ge=LIMIT_MINIMUM, description=LIMIT)]
Offset = Annotated[int, Query(ge=OFFSET_MINIMUM, description=OFFSET)]
Filter = Annotated[str | None, Query(description=FILTER)]
Recurse = Annotated[str | None, Query(description=RECURSE)]
DataAccess = Annotated[bool | None, Query(description=DATA_ACCESS)]
