"""Renders a kustomization the way `kubectl apply -k` does, for the subset deploy/ uses.

Supported: `resources` (files and kustomization directories), `components` and `patches`
given as a `path` to a strategic-merge patch. Anything else in a kustomization is an error
here rather than silently ignored, so a manifest change that needs more of kustomize makes the
tests fail until this renderer learns it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]

KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "resources", "components", "patches"}
KUSTOMIZATION_KINDS = {"Kustomization": "kustomize.config.k8s.io/v1beta1"}
COMPONENT_KINDS = {"Component": "kustomize.config.k8s.io/v1alpha1"}


class KustomizeError(ValueError):
    """A kustomization this renderer cannot render, or one kustomize itself would reject."""


def load_documents(path: Path) -> list[Manifest]:
    """Every non-empty YAML document of a file."""
    with path.open() as stream:
        return [doc for doc in yaml.safe_load_all(stream) if doc is not None]


def identity(manifest: Manifest) -> tuple[str, str, str]:
    """What kustomize matches resources and patches by: API group, kind and name."""
    group = manifest["apiVersion"].rpartition("/")[0]
    return group, manifest["kind"], manifest["metadata"]["name"]


def read_kustomization(directory: Path, kinds: dict[str, str]) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    if not path.is_file():
        raise KustomizeError(f"{directory} has no kustomization.yaml")
    (doc,) = load_documents(path)
    unknown = set(doc) - KUSTOMIZATION_FIELDS
    if unknown:
        raise KustomizeError(f"{path}: fields this renderer does not apply: {sorted(unknown)}")
    kind = doc.get("kind", "Kustomization")
    if kind not in kinds or doc.get("apiVersion", kinds[kind]) != kinds[kind]:
        raise KustomizeError(f"{path}: expected one of {kinds}, found {kind}")
    return doc


def merge(base: Any, patch: Any) -> Any:
    """Strategic merge: maps merge key by key (null deletes), lists of named maps merge by name,
    other lists are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            elif key in merged:
                merged[key] = merge(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and all_named(base + patch):
        by_name = {item["name"]: item for item in base}
        for item in patch:
            by_name[item["name"]] = merge(by_name.get(item["name"], {}), item)
        return list(by_name.values())
    return copy.deepcopy(patch)


def all_named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "name" in item for item in items)


def apply_patches(directory: Path, entries: list[Any], manifests: list[Manifest]) -> None:
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"path"}:
            raise KustomizeError(f"{directory}: only `- path: FILE` patches are supported")
        for patch in load_documents(directory / entry["path"]):
            targets = [i for i, m in enumerate(manifests) if identity(m) == identity(patch)]
            if not targets:
                raise KustomizeError(f"{directory}: patch {entry['path']} matches no resource")
            for index in targets:
                manifests[index] = merge(manifests[index], patch)


def build(directory: Path, manifests: list[Manifest], kinds: dict[str, str]) -> list[Manifest]:
    """Resources, then components (applied to everything gathered so far), then patches."""
    kustomization = read_kustomization(directory, kinds)
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        if path.is_dir():
            manifests.extend(build(path, [], KUSTOMIZATION_KINDS))
        else:
            manifests.extend(load_documents(path))
    for entry in kustomization.get("components", []):
        manifests = build((directory / entry).resolve(), manifests, COMPONENT_KINDS)
    apply_patches(directory, kustomization.get("patches", []), manifests)
    return manifests


def render(directory: Path) -> list[Manifest]:
    """The manifests `kubectl apply -k directory` would send."""
    manifests = build(directory.resolve(), [], KUSTOMIZATION_KINDS)
    seen: set[tuple[str, str, str]] = set()
    for manifest in manifests:
        if identity(manifest) in seen:
            raise KustomizeError(f"{directory}: {identity(manifest)} is defined twice")
        seen.add(identity(manifest))
    return manifests


def source_files(directory: Path) -> set[Path]:
    """Every file a kustomization reads, its own kustomization.yaml files included."""
    return sources(directory.resolve(), KUSTOMIZATION_KINDS)


def sources(directory: Path, kinds: dict[str, str]) -> set[Path]:
    kustomization = read_kustomization(directory, kinds)
    files = {directory / "kustomization.yaml"}
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        files |= sources(path, KUSTOMIZATION_KINDS) if path.is_dir() else {path}
    for entry in kustomization.get("components", []):
        files |= sources((directory / entry).resolve(), COMPONENT_KINDS)
    files |= {(directory / entry["path"]).resolve() for entry in kustomization.get("patches", [])}
    return files
