"""Independent oracles: python-jsonschema and check-jsonschema agree with our verdicts on every fixture.

Each fixture is read by our own readers (so YAML is read the way KitOps reads it);
every document it holds is judged by jsonschema-rs (ours), by python-jsonschema (the
reference implementation) and by the check-jsonschema command (the standard tool, on
the same documents written out as JSON).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from mlmeta.documents import read
from mlmeta.schemas import KINDS, Validators, load_schema

from .conftest import FIXTURES, ROOT


def documents(kind: str) -> list[tuple[str, Any]]:
    """(name, value) of every parsed document of every fixture of this kind."""
    found = []
    for verdict in ("valid", "invalid"):
        folder = FIXTURES / kind / verdict
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.suffix == ".expected":
                continue
            docs = read(path, KINDS[kind].format, path.name, **KINDS[kind].reader_options())
            # a document with reading problems (NaN, duplicate keys) is not the JSON the oracles would see
            found.extend(
                (f"{verdict}/{path.name}#{n}", doc.value) for n, doc in enumerate(docs) if doc.ok and not doc.problems
            )
    return found


KIND_IDS = sorted(KINDS)


@pytest.mark.parametrize("kind", KIND_IDS)
def test_python_jsonschema_agrees_with_jsonschema_rs(kind: str) -> None:
    reference = Draft202012Validator(load_schema(kind, 1), format_checker=Draft202012Validator.FORMAT_CHECKER)
    ours = Validators().get(kind, 1)
    docs = documents(kind)
    assert docs, f"no fixtures for {kind}"
    disagreements = [name for name, value in docs if reference.is_valid(value) != ours.is_valid(value)]
    assert disagreements == []


@pytest.mark.parametrize("kind", KIND_IDS)
def test_valid_fixtures_have_only_schema_valid_documents(kind: str) -> None:
    ours = Validators().get(kind, 1)
    assert [name for name, value in documents(kind) if name.startswith("valid/") and not ours.is_valid(value)] == []


@pytest.mark.parametrize("kind", KIND_IDS)
def test_check_jsonschema_gives_the_same_verdicts(kind: str, tmp_path: Path) -> None:
    ours = Validators().get(kind, 1)
    expected_failures = set()
    for number, (_, value) in enumerate(documents(kind)):
        target = tmp_path / f"{number:03d}.json"
        target.write_text(json.dumps(value), encoding="utf-8")
        if not ours.is_valid(value):
            expected_failures.add(target.name)
    files = sorted(p.as_posix() for p in tmp_path.glob("*.json"))
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(ROOT / "schemas" / kind / "v1.json"),
         "--output-format", "json", *files],
        capture_output=True, text=True, check=False,
    )
    report = json.loads(result.stdout)
    failed = {Path(error["filename"]).name for error in report.get("errors", [])}
    assert report.get("parse_errors", []) == []
    assert failed == expected_failures
