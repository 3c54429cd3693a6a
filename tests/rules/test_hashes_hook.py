"""The `mlmeta-reproducibility-hash` hook under pre-commit itself: any file type, and `--fix` as a fixer."""

from __future__ import annotations

import json
from pathlib import Path

from ..helpers import commit, consumer, git

DIGEST = "0123456789abcdef" * 4


def test_the_hook_alone_checks_hashes_in_any_file_and_fixes_upper_case_hex(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta-reproducibility-hash"])
    config = repo / ".pre-commit-config.yaml"
    config.write_text(config.read_text() + "        args: [--fix]\n")
    (repo / "release.yml").write_text(f"artifact:\n  reproducibility_hash: md5:{DIGEST[:32]}\n")
    (repo / "runs.jsonl").write_text(json.dumps({"reproducibility_hash": "sha256:" + DIGEST.upper()}) + "\n")
    (repo / "notes.txt").write_text("reproducibility_hash: md5:0\n")  # not a JSON/YAML file: not the hook's
    code, output = commit(repo, environment, ".pre-commit-config.yaml", "release.yml", "runs.jsonl", "notes.txt")
    assert code != 0
    assert "release.yml:2:25: error - hash-format: md5 hash, not sha256" in output
    assert "runs.jsonl:1:26: fixed - hash-format: hex digits lower-cased (at /reproducibility_hash)" in output
    assert "notes.txt" not in output
    assert (repo / "runs.jsonl").read_text() == json.dumps({"reproducibility_hash": "sha256:" + DIGEST}) + "\n"
    assert git(repo, "rev-parse", "--verify", "-q", "HEAD").returncode != 0  # a fixer's change is not committed

    (repo / "release.yml").write_text(f"artifact:\n  reproducibility_hash: sha256:{DIGEST}\n")
    code, output = commit(repo, environment, "release.yml", "runs.jsonl")
    assert code == 0, output
