"""A Python client generated from the served OpenAPI document (openapi-generator, as Tapis
generates its clients) has the Tapis spec's typed models, and runs a listing and a transfer
through them against the proxy over HTTP.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, Scratch, Tokens
from tests.support.tools import tool_venv

PACKAGE = "tapis_globus_proxy"
# The model classes a client generated from tapipy's spec has (openapi-generator 7.26.0).
TAPIS_MODELS = {
    "auth_tokens",
    "globus_consent_info",
    "globus_file_info",
    "globus_task_cancel_enum",
    "globus_task_status_enum",
    "globus_task_type_enum",
    "globus_transfer_item",
    "globus_transfer_task",
    "globus_transfer_task_fatal_error",
    "req_create_transfer",
    "req_make_dir",
    "req_rename",
    "resp_auth_tokens",
    "resp_basic",
    "resp_cancel_task",
    "resp_consent_required",
    "resp_endpoint_array",
    "resp_file_list",
    "resp_file_list_data",
    "resp_globus_auth_info",
    "resp_transfer_task",
    "resp_url",
    "result_cancel_task",
    "result_endpoint_array",
    "result_globus_auth_info",
    "result_url",
}
# What the generated package needs, pinned (its setup.py asks for these, unpinned).
CLIENT_REQUIREMENTS = (
    "urllib3==2.8.0",
    "pydantic==2.14.4",
    "python-dateutil==2.9.0.post0",
    "typing-extensions==4.16.0",
)
GENERATE_TIMEOUT_SECONDS = 120
RUN_TIMEOUT_SECONDS = 90

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(proxy: ProxyClient, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Python client generated from the document the proxy serves."""
    generator = tool_venv("openapi-generator", "openapi-generator-cli==7.26.0")
    where = tmp_path_factory.mktemp("generated")
    document = where / "openapi.json"
    answer = proxy.http.get(proxy.base + "/openapi.json")
    assert answer.status_code == 200, answer.text
    document.write_text(answer.text)
    out = where / "client"
    ran = subprocess.run(
        [
            str(generator / "openapi-generator-cli"),
            "generate",
            "-i",
            str(document),
            "-g",
            "python",
            "-o",
            str(out),
            "--package-name",
            PACKAGE,
        ],
        capture_output=True,
        text=True,
        timeout=GENERATE_TIMEOUT_SECONDS,
        env={**os.environ, "PATH": f"{generator}:{os.environ.get('PATH', '')}"},
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    return out


def test_generated_client_has_the_tapis_models(generated: Path) -> None:
    models = {p.stem for p in (generated / PACKAGE / "models").glob("*.py")} - {"__init__"}
    assert models == TAPIS_MODELS


def run_typed_client(generated: Path, args: dict[str, Any]) -> dict[str, Any]:
    runtime = tool_venv("openapi-client", *CLIENT_REQUIREMENTS)
    ran = subprocess.run(
        [str(runtime / "python"), str(Path(__file__).with_name("typed_client_run.py"))],
        input=json.dumps(args),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_SECONDS,
        env={**os.environ, "PYTHONPATH": str(generated)},
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    seen: dict[str, Any] = json.loads(ran.stdout)
    return seen


def test_listing_and_transfer_through_the_typed_models(
    generated: Path, proxy: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    path, backing = scratch
    seen = run_typed_client(
        generated,
        {
            "host": proxy.root,
            "client_id": DEFAULT_CLIENT_ID,
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "source": DEFAULT_SOURCE_ID,
            "source_dir": "/data1",
            "source_file": "/data1/1M.dat",
            "destination": DEFAULT_DESTINATION_ID,
            "destination_file": f"{path}/typed.dat",
        },
    )
    listing = seen["listing"]
    assert (listing["answer"], listing["result"]) == ("RespFileList", "RespFileListData")
    assert ["GlobusFileInfo", "1M.dat", 1048576, "file"] in listing["entries"]
    assert seen["created"] == {
        "answer": "RespTransferTask",
        "result": "GlobusTransferTask",
        "code": "Accepted",
    }
    assert seen["task"] == {
        "answer": "RespTransferTask",
        "result": "GlobusTransferTask",
        "status": "SUCCEEDED",
        "label": "Tapisv3",
        "bytes_transferred": 1048576,
    }
    assert (backing / "typed.dat").stat().st_size == 1048576
