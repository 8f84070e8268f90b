"""deploy/kubernetes, checked offline: Kubernetes' own schemas, then what the service needs.

Both entry points (`kubectl apply -k deploy/kubernetes` and `.../with-redis`) are rendered by
tests/deploy/kustomize.py; where kubectl is installed its own rendering must be the same.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from globus_proxy.settings import Settings, SettingsError, decode_key, load_settings
from tests.deploy.kustomize import Manifest, identity, load_documents, render, source_files

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"
ENTRY_POINTS = {"default": DEPLOY, "with-redis": DEPLOY / "with-redis"}
SECRET_TEMPLATE = DEPLOY / "secret.example.yaml"

# The oldest minor release upstream Kubernetes still supports, and the newest whose schemas
# kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.35", "1.37")

PREFIX = "/v3/globus-proxy"
LIVENESS_PATH = f"{PREFIX}/healthcheck"
READINESS_PATH = f"{PREFIX}/ready"
METRICS_PATH = "/metrics"
PROXY = "globus-proxy"
REDIS = "globus-proxy-redis"

SETTING_NAMES = {f"GLOBUS_PROXY_{name.upper()}" for name in Settings.model_fields}
SECRET_SETTINGS = {
    "GLOBUS_PROXY_SESSION_KEY",
    "GLOBUS_PROXY_CONFIDENTIAL_CLIENT_SECRET",
}
# Time the process needs after the in-flight requests finish (interpreter exit, closing the
# connection pool to Globus) before the kubelet's SIGKILL.
SHUTDOWN_MARGIN_SECONDS = 5
# README targets for `globus-proxy serve`: idle, and the peak of a 100,000-entry listing.
IDLE_TARGET_MIB = 80
PEAK_TARGET_MIB = 250
# Redis needs room above maxmemory for its own structures and fragmentation.
REDIS_MAXMEMORY_SHARE_OF_LIMIT = 0.75


# ---- reading the manifests -------------------------------------------------------------


@cache
def rendered(entry: str) -> tuple[Manifest, ...]:
    return tuple(render(ENTRY_POINTS[entry]))


def secret_template() -> Manifest:
    (doc,) = load_documents(SECRET_TEMPLATE)
    return doc


def find(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    matches = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def of_kind(manifests: tuple[Manifest, ...], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def pod_spec(deployment: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


def pod_labels(deployment: Manifest) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def container(deployment: Manifest) -> dict[str, Any]:
    only: dict[str, Any]
    (only,) = pod_spec(deployment)["containers"]
    return only


def config(entry: str) -> dict[str, str]:
    data: dict[str, str] = find(rendered(entry), "ConfigMap", PROXY)["data"]
    return data


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def container_port(deployment: Manifest, port: int | str) -> int:
    """A probe's or Service's port (a number or a port name) as the container's port number."""
    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    if isinstance(port, str):
        assert port in ports, f"port {port!r} is not a port of {deployment['metadata']['name']}"
        return int(ports[port])
    assert port in ports.values(), f"port {port} is not a port of {deployment['metadata']['name']}"
    return port


def mebibytes(quantity: str) -> float:
    """A Kubernetes memory quantity (or Redis's `100mb`, which Redis counts in MiB)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]i?|[kmg]b)?", str(quantity))
    assert match, f"not a memory quantity: {quantity!r}"
    number, unit = float(match[1]), match[2] or ""
    factors = {
        "": 1 / 2**20,
        "Ki": 1 / 1024,
        "Mi": 1,
        "Gi": 1024,
        "K": 1e3 / 2**20,
        "M": 1e6 / 2**20,
        "G": 1e9 / 2**20,
        "kb": 1 / 1024,
        "mb": 1,
        "gb": 1024,
    }
    return number * factors[unit]


def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def dockerfile_cmd() -> list[str]:
    (line,) = [line for line in dockerfile().splitlines() if line.startswith("CMD ")]
    return list(json.loads(line.removeprefix("CMD ")))


def dockerfile_uid() -> int:
    match = re.search(r"--uid (\d+)", dockerfile())
    assert match, "the Dockerfile creates no user with a fixed uid"
    return int(match[1])


def project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as stream:
        return str(tomllib.load(stream)["project"]["version"])


# ---- the files and Kubernetes' schemas -------------------------------------------------


def test_every_manifest_file_is_part_of_a_rendering_or_the_secret_template() -> None:
    """A YAML file no kustomization reads would escape every check below."""
    read = {SECRET_TEMPLATE}
    for directory in ENTRY_POINTS.values():
        read |= source_files(directory)
    on_disk = {path.resolve() for path in DEPLOY.rglob("*") if path.suffix in (".yaml", ".yml")}
    assert on_disk - read == set()


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_manifests_match_the_kubernetes_schema(entry: str, version: str) -> None:
    """Strict schemas: an unknown or misspelt field fails too, not only a wrong type."""
    problems = []
    for manifest in (*rendered(entry), secret_template()):
        try:
            kubernetes_validate.validate(manifest, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            where = "/".join(str(part) for part in err.absolute_path)
            problems.append(f"{manifest['kind']}/{manifest['metadata']['name']} {where}: {err}")
    assert problems == []


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_rendering_is_what_kubectl_renders(entry: str) -> None:
    """The renderer the other checks trust, against kustomize itself (`kubectl kustomize`)."""
    result = subprocess.run(
        ["kubectl", "kustomize", str(ENTRY_POINTS[entry])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    theirs = {identity(m): m for m in yaml.safe_load_all(result.stdout) if m}
    ours = {identity(m): m for m in rendered(entry)}
    assert ours == theirs


def test_the_default_deploys_the_proxy_and_with_redis_adds_only_redis() -> None:
    proxy = {
        ("", "ConfigMap", PROXY),
        ("apps", "Deployment", PROXY),
        ("", "Service", PROXY),
        ("autoscaling", "HorizontalPodAutoscaler", PROXY),
        ("policy", "PodDisruptionBudget", PROXY),
    }
    redis = {
        ("apps", "Deployment", REDIS),
        ("", "Service", REDIS),
        ("networking.k8s.io", "NetworkPolicy", REDIS),
    }
    assert {identity(m) for m in rendered("default")} == proxy
    assert {identity(m) for m in rendered("with-redis")} == proxy | redis
    assert "GLOBUS_PROXY_REDIS_URL" not in config("default")


# ---- the proxy's Deployment ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_option(args: list[str], option: str, value: str) -> list[str]:
    index = args.index(option)
    return [*args[: index + 1], value, *args[index + 2 :]]


@contextmanager
def serving_as_deployed(
    deployment: Manifest, settings: dict[str, str], log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The Deployment's command with its settings, on a free loopback port; the process and
    its base URL. Its output goes to `log`."""
    command = container(deployment)["command"]
    assert command[0] == "globus-proxy"
    port = free_port()
    args = with_option(with_option(command[1:], "--host", "127.0.0.1"), "--port", str(port))
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("globus-proxy")), *args],
            env={**os.environ, **settings},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        # The shutdown sequence is not under test here: stop at once.
        process.kill()
        process.wait(timeout=10)


def wait_until_started(
    process: subprocess.Popen[bytes], log: Path, url: str, probe: dict[str, Any]
) -> None:
    """Polls the startup probe's path within the budget the startupProbe gives."""
    budget = probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
    deadline = time.monotonic() + budget
    with httpx.Client(timeout=2.0) as client:
        while True:
            assert process.poll() is None, f"exited {process.returncode}: {log.read_text()}"
            try:
                if client.get(url + probe["httpGet"]["path"]).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not started within {budget} s"
            time.sleep(0.1)


def test_probes_ask_the_service_the_right_questions() -> None:
    """Liveness on healthcheck, readiness on ready (which goes 503 while draining), startup
    on healthcheck; all on the container's port."""
    deployment = find(rendered("default"), "Deployment", PROXY)
    proxy = container(deployment)
    assert proxy["livenessProbe"]["httpGet"]["path"] == LIVENESS_PATH
    assert proxy["readinessProbe"]["httpGet"]["path"] == READINESS_PATH
    assert proxy["startupProbe"]["httpGet"]["path"] == LIVENESS_PATH
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container_port(deployment, proxy[probe]["httpGet"]["port"]) == 5000


def test_the_service_started_as_deployed_answers_its_probes(tmp_path: Path) -> None:
    """The Deployment's command and the ConfigMap's settings, run for real: the service
    starts within the startupProbe's budget and answers every probe 200."""
    deployment = find(rendered("default"), "Deployment", PROXY)
    proxy = container(deployment)
    key = base64.b64encode(os.urandom(32)).decode()
    settings = {**config("default"), "GLOBUS_PROXY_SESSION_KEY": key}
    log = tmp_path / "serve.log"
    with serving_as_deployed(deployment, settings, log) as (process, url):
        wait_until_started(process, log, url, proxy["startupProbe"])
        with httpx.Client(base_url=url, timeout=5.0) as client:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                path = proxy[probe]["httpGet"]["path"]
                assert client.get(path).status_code == 200, f"{probe} {path}"


def test_termination_grace_outlasts_drain_and_shutdown() -> None:
    settings = config("default")
    drain = int(settings["GLOBUS_PROXY_DRAIN_SECONDS"])
    shutdown_grace = int(settings["GLOBUS_PROXY_SHUTDOWN_GRACE_SECONDS"])
    globus_timeout = float(settings["GLOBUS_PROXY_GLOBUS_TIMEOUT_SECONDS"])
    deployment = find(rendered("default"), "Deployment", PROXY)
    grace_period = pod_spec(deployment)["terminationGracePeriodSeconds"]
    assert grace_period >= drain + shutdown_grace + SHUTDOWN_MARGIN_SECONDS
    # The kubelet must see `ready` fail while the pod still serves.
    readiness = container(deployment)["readinessProbe"]
    assert readiness["periodSeconds"] * readiness["failureThreshold"] < drain
    # A request in flight when the listener closes can still finish its work toward Globus.
    assert shutdown_grace > globus_timeout


def test_rollouts_and_scaling_keep_two_replicas_serving() -> None:
    manifests = rendered("default")
    deployment = find(manifests, "Deployment", PROXY)
    # The HPA owns the count; a `replicas` here would undo its scaling on every apply.
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] >= 1

    hpa = find(manifests, "HorizontalPodAutoscaler", PROXY)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": PROXY,
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"]["type"] == "Utilization"

    pdb = find(manifests, "PodDisruptionBudget", PROXY)
    assert pdb["spec"].get("maxUnavailable") == 1 or pdb["spec"].get("minAvailable") == 1
    assert selects(pdb["spec"]["selector"]["matchLabels"], pod_labels(deployment))


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_selectors_and_service_ports_reach_the_pods(entry: str) -> None:
    manifests = rendered(entry)
    deployments = of_kind(manifests, "Deployment")
    for deployment in deployments:
        assert selects(deployment["spec"]["selector"]["matchLabels"], pod_labels(deployment))
    for service in of_kind(manifests, "Service"):
        assert service["spec"]["type"] == "ClusterIP"
        (target,) = [d for d in deployments if selects(service["spec"]["selector"], pod_labels(d))]
        for port in service["spec"]["ports"]:
            assert container_port(target, port["targetPort"]) == port["port"]
    proxy_service = find(manifests, "Service", PROXY)
    assert [p["port"] for p in proxy_service["spec"]["ports"]] == [5000]


def effective(pod: dict[str, Any], box: dict[str, Any], field: str) -> Any:
    """A container's security setting, falling back to the pod's."""
    container_level = box.get("securityContext", {})
    if field in container_level:
        return container_level[field]
    return pod.get("securityContext", {}).get(field)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_pod_is_locked_down(entry: str) -> None:
    for deployment in of_kind(rendered(entry), "Deployment"):
        pod = pod_spec(deployment)
        name = deployment["metadata"]["name"]
        assert pod.get("automountServiceAccountToken") is False, name
        # Service links would put GLOBUS_PROXY_<SERVICE>_PORT=tcp://... among the settings.
        assert pod.get("enableServiceLinks") is False, name
        assert not any(pod.get(host) for host in ("hostNetwork", "hostPID", "hostIPC")), name
        for box in pod["containers"] + pod.get("initContainers", []):
            where = f"{name}/{box['name']}"
            assert effective(pod, box, "runAsNonRoot") is True, where
            assert effective(pod, box, "runAsUser") not in (None, 0), where
            assert effective(pod, box, "seccompProfile") == {"type": "RuntimeDefault"}, where
            security = box.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, where
            assert security.get("readOnlyRootFilesystem") is True, where
            assert security.get("privileged") is not True, where
            assert security.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not security.get("capabilities", {}).get("add"), where


def test_the_proxy_runs_as_the_dockerfile_user_with_a_writable_tmp() -> None:
    deployment = find(rendered("default"), "Deployment", PROXY)
    pod, proxy = pod_spec(deployment), container(deployment)
    assert effective(pod, proxy, "runAsUser") == dockerfile_uid()
    volumes = {v["name"]: v for v in pod["volumes"]}
    (tmp,) = [m for m in proxy["volumeMounts"] if m["mountPath"] == "/tmp"]
    assert "emptyDir" in volumes[tmp["name"]]
    assert not tmp.get("readOnly")


def test_image_command_and_port_match_the_dockerfile() -> None:
    deployment = find(rendered("default"), "Deployment", PROXY)
    proxy = container(deployment)
    assert proxy["image"] == f"globus-proxy:{project_version()}"
    assert proxy["command"] == dockerfile_cmd()
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", dockerfile(), re.MULTILINE)
    assert [p["containerPort"] for p in proxy["ports"]] == [int(exposed)]
    assert proxy["command"][proxy["command"].index("--port") + 1] == exposed


def test_metrics_are_scraped_from_the_service_port() -> None:
    deployment = find(rendered("default"), "Deployment", PROXY)
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == METRICS_PATH
    assert container_port(deployment, int(annotations["prometheus.io/port"])) == 5000


def test_replicas_spread_across_nodes() -> None:
    deployment = find(rendered("default"), "Deployment", PROXY)
    by_node = [
        constraint
        for constraint in pod_spec(deployment).get("topologySpreadConstraints", [])
        if constraint["topologyKey"] == "kubernetes.io/hostname"
    ]
    assert len(by_node) == 1
    assert by_node[0]["maxSkew"] == 1
    assert by_node[0]["whenUnsatisfiable"] == "DoNotSchedule"
    assert selects(by_node[0]["labelSelector"]["matchLabels"], pod_labels(deployment))


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_container_has_requests_and_a_memory_limit(entry: str) -> None:
    for deployment in of_kind(rendered(entry), "Deployment"):
        for box in pod_spec(deployment)["containers"]:
            resources = box["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), box["name"]
            requested = mebibytes(resources["requests"]["memory"])
            assert requested <= mebibytes(resources["limits"]["memory"]), box["name"]


def test_proxy_memory_is_sized_for_the_large_listing_peak() -> None:
    resources = container(find(rendered("default"), "Deployment", PROXY))["resources"]
    assert mebibytes(resources["requests"]["memory"]) >= IDLE_TARGET_MIB
    assert mebibytes(resources["limits"]["memory"]) >= PEAK_TARGET_MIB


# ---- settings and the Secret -----------------------------------------------------------


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_the_configmap_sets_only_real_settings_and_no_secrets(
    entry: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = config(entry)
    assert set(settings) - SETTING_NAMES == set()
    assert set(settings) & SECRET_SETTINGS == set()
    # Production talks to real Globus.
    assert [name for name in settings if name.startswith("GLOBUS_SDK_")] == []
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    load_settings()  # raises SettingsError on a value the service would refuse


def test_the_deployment_requires_the_secret_it_never_applies() -> None:
    """`kubectl apply -k` must never create or replace the session key, and a pod must not
    start without one (each replica would otherwise seal sessions with a key of its own)."""
    secret_name = secret_template()["metadata"]["name"]
    for entry in ENTRY_POINTS:
        assert of_kind(rendered(entry), "Secret") == []
    proxy = container(find(rendered("default"), "Deployment", PROXY))
    (key,) = [v for v in proxy["env"] if v["name"] == "GLOBUS_PROXY_SESSION_KEY"]
    reference = key["valueFrom"]["secretKeyRef"]
    assert reference["name"] == secret_name
    assert reference["key"] == "GLOBUS_PROXY_SESSION_KEY"
    assert reference.get("optional") is not True
    assert set(v["name"] for v in proxy["env"]) <= SETTING_NAMES
    # Settings from the ConfigMap, then the Secret's, which win where both set one.
    assert proxy["envFrom"] == [
        {"configMapRef": {"name": PROXY}},
        {"secretRef": {"name": secret_name}},
    ]


def test_the_secret_template_holds_no_key_and_fails_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Applied unchanged, the template's placeholder stops the service with a message that
    names the variable."""
    template = secret_template()
    assert template["kind"] == "Secret"
    values = template["stringData"]
    assert set(values) <= SETTING_NAMES
    monkeypatch.setenv("GLOBUS_PROXY_SESSION_KEY", values["GLOBUS_PROXY_SESSION_KEY"])
    with pytest.raises(SettingsError, match="GLOBUS_PROXY_SESSION_KEY"):
        load_settings()


def test_no_session_key_is_written_anywhere_under_deploy() -> None:
    """Nothing that decodes to a 32-byte key, in any file, commented out or not."""
    candidates = re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}")
    found = []
    for path in DEPLOY.parent.rglob("*"):
        if not path.is_file():
            continue
        for candidate in candidates.findall(path.read_text(errors="replace")):
            try:
                if len(decode_key(candidate)) == 32:
                    found.append(f"{path.relative_to(ROOT)}: {candidate[:6]}...")
            except ValueError:
                continue
    assert found == []


# ---- Redis -----------------------------------------------------------------------------


def test_redis_is_where_the_proxy_looks_and_only_the_proxy_reaches_it() -> None:
    manifests = rendered("with-redis")
    redis = find(manifests, "Deployment", REDIS)
    service = find(manifests, "Service", REDIS)
    url = urlsplit(config("with-redis")["GLOBUS_PROXY_REDIS_URL"])
    assert url.scheme in ("redis", "rediss")
    assert url.hostname == service["metadata"]["name"]
    assert url.port in [p["port"] for p in service["spec"]["ports"]]

    policy = find(manifests, "NetworkPolicy", REDIS)
    assert selects(policy["spec"]["podSelector"]["matchLabels"], pod_labels(redis))
    assert policy["spec"]["policyTypes"] == ["Ingress"]
    (rule,) = policy["spec"]["ingress"]
    (source,) = rule["from"]
    proxy = find(manifests, "Deployment", PROXY)
    assert set(source) == {"podSelector"}
    assert selects(source["podSelector"]["matchLabels"], pod_labels(proxy))
    assert not selects(source["podSelector"]["matchLabels"], pod_labels(redis))
    assert [container_port(redis, p["port"]) for p in rule["ports"]] == [url.port]


def test_redis_is_a_single_cache_without_persistence() -> None:
    redis = find(rendered("with-redis"), "Deployment", REDIS)
    assert redis["spec"]["replicas"] == 1
    assert redis["spec"]["strategy"]["type"] == "Recreate"
    box = container(redis)
    args = box["args"]

    def option(name: str) -> str:
        return str(args[args.index(name) + 1])

    assert option("--save") == ""
    assert option("--appendonly") == "no"
    limit = mebibytes(box["resources"]["limits"]["memory"])
    assert mebibytes(option("--maxmemory")) <= REDIS_MAXMEMORY_SHARE_OF_LIMIT * limit
    assert option("--maxmemory-policy").startswith("allkeys-")
