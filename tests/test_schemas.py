"""The published contract: well-formed schemas, documented properties, and released versions locked."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mlmeta.schemas import ID_BASE, KINDS, schema_root, versions

from .conftest import ROOT

SCHEMAS = sorted(p for p in (ROOT / "schemas").glob("*/v*.json") if ".draft7." not in p.name and p.parent.name in KINDS)
IDS = [p.relative_to(ROOT / "schemas").as_posix() for p in SCHEMAS]


def load(path: Path) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return value


def properties(node: Any, pointer: str = "") -> list[tuple[str, Any]]:
    """Every (pointer, schema) under a `properties` keyword, anywhere in the schema."""
    found = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            found.append((f"{pointer}/properties/{name}", sub))
        for key, sub in node.items():
            found.extend(properties(sub, f"{pointer}/{key}"))
    elif isinstance(node, list):
        for index, sub in enumerate(node):
            found.extend(properties(sub, f"{pointer}/{index}"))
    return found


def test_every_kind_has_a_v1_schema_found_where_the_package_looks() -> None:
    assert schema_root().resolve() == (ROOT / "schemas").resolve()
    assert all(1 in versions(kind) for kind in KINDS)


@pytest.mark.parametrize("path", SCHEMAS, ids=IDS)
def test_schema_is_valid_2020_12_with_an_id_naming_kind_and_version(path: Path) -> None:
    schema = load(path)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{ID_BASE}{path.parent.name}/{path.name}"
    assert schema.get("title") and schema.get("description")


@pytest.mark.parametrize("path", SCHEMAS, ids=IDS)
def test_every_property_has_a_title_and_a_description(path: Path) -> None:
    undocumented = [p for p, sub in properties(load(path)) if not (sub.get("title") and sub.get("description"))]
    assert undocumented == []


@pytest.mark.parametrize("path", SCHEMAS, ids=IDS)
def test_schema_refs_stay_inside_the_file(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    refs = [ref for ref in _refs(json.loads(text)) if not ref.startswith("#")]
    assert refs == [], "external $ref: check-jsonschema would have to fetch it"


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_measurements_share_the_manifest_definitions() -> None:
    manifest = load(ROOT / "schemas" / "manifest" / "v1.json")["$defs"]
    measurements = load(ROOT / "schemas" / "measurements" / "v1.json")["$defs"]
    shared = set(manifest) & set(measurements)
    assert {"benchmark", "deviceMap", "recommendedTier", "repoId", "sha256"} <= shared
    assert {name: measurements[name] for name in shared} == {name: manifest[name] for name in shared}


def locked() -> dict[str, str]:
    lines = (ROOT / "schemas" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines if line.strip())}


def test_released_schemas_are_immutable() -> None:
    """A released schema never changes: a new version is a new file, locked in SHA256SUMS."""
    lock = locked()
    changed = [
        name for name, digest in lock.items()
        if hashlib.sha256((ROOT / "schemas" / name).read_bytes()).hexdigest() != digest
    ]
    assert changed == [], "released schemas changed; publish a new version instead"


def test_every_schema_version_is_released_in_the_lock() -> None:
    published = {p.relative_to(ROOT / "schemas").as_posix() for p in (ROOT / "schemas").glob("*/v*.json")}
    assert published - set(locked()) == set(), "add new versions to schemas/SHA256SUMS (sha256sum */v*.json)"
