"""pre-commit itself, in a temporary git repository, using this repository as its hook repository."""

from __future__ import annotations

from pathlib import Path

from .conftest import ROOT
from .helpers import commit, consumer, git

GOOD_MODEL = '{\n  "$schema": "../schemas/model/v1.json",\n  "id": "openai-community/gpt2",\n  "num_heads": 12\n}\n'
BAD_MODEL = GOOD_MODEL.replace('"num_heads": 12', '"num_heads": "twelve"')


def test_a_bad_model_file_is_refused_at_its_line_then_a_good_one_lands(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta", "mlmeta-model"])
    model = repo / "model_metadata" / "gpt2.json"
    model.parent.mkdir()
    model.write_text(BAD_MODEL, encoding="utf-8")
    code, output = commit(repo, environment, ".pre-commit-config.yaml", "model_metadata/gpt2.json")
    assert code != 0
    expected = (
        "model_metadata/gpt2.json:4:16: error model/v1 schema: expected integer or null, got string (at /num_heads)"
    )
    assert output.count(expected) == 2, output  # the umbrella hook and the per-kind hook
    assert git(repo, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # nothing was committed

    model.write_text(GOOD_MODEL, encoding="utf-8")
    code, output = commit(repo, environment, "model_metadata/gpt2.json")
    assert code == 0, output
    assert output.count("Passed") == 2


def test_jsonl_manifest_is_selected_by_file_pattern(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta-manifest"])
    row = (ROOT / "tests" / "fixtures" / "manifest" / "valid" / "seed-rows.jsonl").read_text().splitlines()[0]
    (repo / "models.jsonl").write_text(row + "\n" + row + "\n", encoding="utf-8")
    code, output = commit(repo, environment, ".pre-commit-config.yaml", "models.jsonl")
    assert code != 0
    assert "models.jsonl:2:12: error manifest/v1 duplicate-row: repo_id already used by the row on line 1" in output
