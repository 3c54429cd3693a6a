"""KitOps' own ModelKit manifests (`kit diff` test data) under the modelkit-manifest schema.

KitOps' diff fixtures give their blobs placeholder digests (`sha256:layer1`, `sha256:configA`):
not digests under the OCI spec, which wants 64 hex digits after `sha256:`. Everything else in them
is a valid ModelKit manifest, which is what these tests show: the placeholders are the only
findings, and with real digests in their place the manifests pass. The folder's other files are
`kit diff` results, not manifests.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from mlmeta.cli import main

from ..conftest import REALWORLD

FOLDER = REALWORLD / "kitops" / "testdata" / "compare-manifest"
MANIFESTS = sorted(FOLDER.glob("manifest*.json"))
DIFF_RESULTS = sorted(set(FOLDER.glob("*.json")) - set(MANIFESTS))
PLACEHOLDER = re.compile(r'"sha256:(?![0-9a-f]{64}")([A-Za-z0-9]+)"')


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--kind", "modelkit-manifest", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr().out)


def test_the_kitops_manifests_are_there() -> None:
    if not FOLDER.is_dir():
        pytest.skip(f"{FOLDER} is absent")
    assert len(MANIFESTS) == 5 and len(DIFF_RESULTS) == 4


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_only_the_placeholder_digests_are_findings(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(path, capsys)
    assert code == 1
    assert findings, "placeholders are not digests"
    assert {(f["rule"], str(f["pointer"]).rsplit("/", 1)[-1]) for f in findings} == {("schema", "digest")}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_with_real_digests_the_manifests_are_valid(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PLACEHOLDER.sub(lambda m: f'"sha256:{hashlib.sha256(m.group(1).encode()).hexdigest()}"', path.read_text())
    (tmp_path / path.name).write_text(text, encoding="utf-8")
    assert check(tmp_path / path.name, capsys) == (0, [])


@pytest.mark.parametrize("path", DIFF_RESULTS, ids=lambda p: p.name)
def test_diff_results_are_not_manifests(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(path, capsys)
    assert code == 1
    messages = {f["message"] for f in findings}
    assert "unknown key 'SameConfig'" in messages
    assert any(m.startswith("missing required keys 'schemaVersion', ") for m in messages), messages
