"""A Java client generated from the Tapis spec (openapi-generator, `java` with the `native`
library: java.net.http, which offers h2c on every request) renames, makes a directory and
submits a transfer through `globus-proxy serve`.

Built offline: openapi-generator-cli from PyPI (its wheel carries the generator jar), javac
and jackson from Debian; jackson-datatype-jsr310 is not packaged by Debian, so it is taken
from the generator's own jar. `openApiNullable=false` leaves out jackson-databind-nullable,
which nothing offline provides (the spec has no `nullable`, so the models are the same).
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from globus_emulator.world import DEFAULT_CLIENT_ID, DEFAULT_DESTINATION_ID, DEFAULT_SOURCE_ID
from tests.proxy.support import ProxyClient, ProxyFactory, Scratch, Tokens
from tests.support.tools import tool_venv

pytestmark = pytest.mark.slow

GENERATOR = "openapi-generator-cli==7.26.0"
SPEC = importlib.resources.files("tapipy") / "resources/openapi_v3-globus-proxy.yml"
DEBIAN_JARS = Path("/usr/share/java")
JARS = (
    "jackson-core.jar",
    "jackson-databind.jar",
    "jackson-annotations.jar",
    "jsr305.jar",
    "geronimo-annotation-1.3-spec.jar",
)
JSR310 = "com/fasterxml/jackson/datatype/jsr310/"
PROGRAM = Path(__file__).with_name("java") / "TapisCalls.java"
BUILD_TIMEOUT_SECONDS = 300


WHERE_IS_THE_JAR = (
    "import openapi_generator_cli, os; print(os.path.dirname(openapi_generator_cli.__file__))"
)


def generator_jar(bin_dir: Path) -> Path:
    """The jar the PyPI wheel carries (it runs it with `java -jar`)."""
    found = subprocess.run(
        [str(bin_dir / "python"), "-c", WHERE_IS_THE_JAR],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(found.stdout.strip()) / "openapi-generator.jar"


def jsr310_jar(generator: Path, into: Path) -> Path:
    """jackson-datatype-jsr310, out of the generator's jar into one of its own."""
    with zipfile.ZipFile(generator) as source, zipfile.ZipFile(into, "w") as target:
        for name in source.namelist():
            if name.startswith(JSR310):
                target.writestr(name, source.read(name))
    return into


@pytest.fixture(scope="session")
def java_client(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The command that runs TapisCalls with the generated client, built once a session."""
    missing = [jar for jar in JARS if not (DEBIAN_JARS / jar).exists()]
    if missing or not shutil.which("javac"):
        pytest.fail(f"missing Debian packages for the Java client ({missing}): run make test")
    work = tmp_path_factory.mktemp("java-client")
    tools = tool_venv("openapi-generator", GENERATOR)
    with importlib.resources.as_file(SPEC) as spec:
        subprocess.run(
            [
                str(tools / "openapi-generator-cli"),
                "generate",
                "-i",
                str(spec),
                "-g",
                "java",
                "--library",
                "native",
                "-o",
                str(work / "gen"),
                "--additional-properties=openApiNullable=false,hideGenerationTimestamp=true",
            ],
            check=True,
            capture_output=True,
            timeout=BUILD_TIMEOUT_SECONDS,
        )
    jsr310 = jsr310_jar(generator_jar(tools), work / "jsr310.jar")
    classpath = ":".join([*(str(DEBIAN_JARS / jar) for jar in JARS), str(jsr310)])
    sources = sorted(str(p) for p in (work / "gen" / "src" / "main" / "java").rglob("*.java"))
    subprocess.run(
        ["javac", "-nowarn", "-d", str(work / "classes"), "-cp", classpath, *sources, str(PROGRAM)],
        check=True,
        capture_output=True,
        timeout=BUILD_TIMEOUT_SECONDS,
    )
    return ["java", "-cp", f"{work / 'classes'}:{classpath}", "TapisCalls"]


@pytest.fixture(scope="module")
def served(proxy_factory: ProxyFactory) -> ProxyClient:
    return proxy_factory.start_process()


def test_rename_mkdir_and_transfer_from_the_generated_java_client(
    java_client: list[str], served: ProxyClient, tokens: Tokens, scratch: Scratch
) -> None:
    done = subprocess.run(
        [
            *java_client,
            served.root,  # the spec's paths start with the API prefix
            DEFAULT_CLIENT_ID,
            DEFAULT_SOURCE_ID,
            DEFAULT_DESTINATION_ID,
            scratch.path,
            "/data1/1M.dat",
        ],
        env={
            **os.environ,
            "ACCESS_TOKEN": tokens.access_token,
            "REFRESH_TOKEN": tokens.refresh_token,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert lines["makeDir"] == "OK Successfully created directory", done.stdout
    assert lines["renamePath"] == "OK Successfully renamed path", done.stdout
    verdict, task_id = lines["createTransferTask"].split(" ", 1)
    assert verdict == "OK", done.stdout
    assert (scratch.backing / "renamed").is_dir() and not (scratch.backing / "made").exists()
    task = served.wait_for_task(task_id, tokens, until={"SUCCEEDED", "FAILED"})
    assert task["status"] == "SUCCEEDED", task
    assert (scratch.backing / "copy.dat").stat().st_size == 1024 * 1024
    log = served.log()
    assert "Invalid HTTP request received" not in log and "Unsupported upgrade" not in log
