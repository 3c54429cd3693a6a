"""The benchmark suite keeps running: its quick mode generates data and measures one case.

No timing is asserted here; figures belong to `python benchmarks/run.py`, never to the test suite.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from mlmeta.cli import main

from .conftest import ROOT

BENCHMARKS = ROOT / "benchmarks"


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """benchmarks/data.py, the generator (the benchmark is a script folder, not a package)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import data as module

    return module


def test_quick_case_1_prints_its_tables(tmp_path: Path) -> None:
    pytest.importorskip("orjson")  # the floor's parser (benchmarks/requirements.txt)
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "run.py"), "--quick", "--case", "1", "--runs", "1", "--workdir", tmp_path],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for expected in (
        "# mlmeta benchmarks (--quick: smoke-test sizes, not figures)",
        "- CPU: ",
        "- Python: CPython " if sys.implementation.name == "cpython" else "- Python: ",
        "## Case 1: one small model file (the common commit)",
        "| command | median s | min s | max s | runs | peak RSS MiB |",
        "| mlmeta `mlmeta check model_metadata/",
        "| check-jsonschema `check-jsonschema --schemafile schemas/model/v1.json model_metadata/",
        "| floor `python benchmarks/floor.py schemas/model/v1.json model_metadata/",
        "| ratio | value | target | met |",
        "| mlmeta / check-jsonschema | ",
        "## Targets",
    ):
        assert expected in out, f"missing {expected!r} in:\n{out}"
    assert "## Case 2" not in out


def test_generated_data_is_clean_under_every_rule(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: ModuleType
) -> None:
    """Otherwise the benchmark would time error reporting, not checking."""
    data.write_manifest(tmp_path / "models.jsonl", 300, 7)
    data.write_model_files(tmp_path / "model_metadata", 30, 7)
    shutil.copytree(ROOT / "dataset_metadata", tmp_path / "dataset_metadata")  # what pretraining_data names
    (tmp_path / "pyproject.toml").write_text('[tool.mlmeta]\nnamespace = "OpenMed"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "models.jsonl", "model_metadata"]) == 0
    assert capsys.readouterr().out == ""


def test_generation_is_deterministic(tmp_path: Path, data: ModuleType) -> None:
    first = data.write_manifest(tmp_path / "a.jsonl", 50, 3).read_bytes()
    assert data.write_manifest(tmp_path / "b.jsonl", 50, 3).read_bytes() == first
    assert data.write_manifest(tmp_path / "c.jsonl", 50, 4).read_bytes() != first
    rows = first.splitlines()
    assert len(rows) == 50 and len({row.split(b'"', 4)[3] for row in rows}) == 50  # repo_ids are unique


def test_compare_runs_two_commits_on_one_manifest() -> None:
    """`benchmarks/compare.py` exports each commit and checks the same rows with both (no time asserted)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("compare.py exports commits with git archive")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "compare.py"), "HEAD", "HEAD", "--rows", "300", "--runs", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["HEAD", "HEAD", "ratio"]
    assert "µs a row" in lines[0] and "(after / before, 300 rows)" in lines[2]
