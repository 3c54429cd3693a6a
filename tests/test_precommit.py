"""pre-commit itself, in a temporary git repository, using this repository as its hook repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
HOOK_REPO_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "hooks", "schemas"]

GOOD_MODEL = '{\n  "$schema": "../schemas/model/v1.json",\n  "id": "openai-community/gpt2",\n  "num_heads": 12\n}\n'
BAD_MODEL = GOOD_MODEL.replace('"num_heads": 12', '"num_heads": "twelve"')


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as it is now, committed into a repository pre-commit can clone."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in HOOK_REPO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, repo / name)
    for args in (("init", "-q"), ("add", "-A"), ("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks")):
        assert git(repo, *args).returncode == 0
    return repo, git(repo, "rev-parse", "HEAD").stdout.strip()


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.pop("PRE_COMMIT", None)
    return env


def consumer(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str], hooks: list[str]) -> Path:
    repo = tmp_path / "catalog"
    repo.mkdir()
    assert git(repo, "init", "-q").returncode == 0
    path, rev = hook_repo
    listed = "\n".join(f"      - id: {hook}" for hook in hooks)
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path.as_posix()}\n    rev: {rev}\n    hooks:\n{listed}\n", encoding="utf-8"
    )
    installed = subprocess.run([*PRE_COMMIT, "install"], cwd=repo, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    return repo


def commit(repo: Path, env: dict[str, str], *paths: str) -> tuple[int, str]:
    """Exit code and everything the commit printed (git hooks write to stderr)."""
    subprocess.run(["git", "add", *paths], cwd=repo, env=env, check=True)
    done = subprocess.run(["git", "commit", "-m", "change"], cwd=repo, env=env, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def test_a_bad_model_file_is_refused_at_its_line_then_a_good_one_lands(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta", "mlmeta-model"])
    model = repo / "model_metadata" / "gpt2.json"
    model.parent.mkdir()
    model.write_text(BAD_MODEL, encoding="utf-8")
    code, output = commit(repo, environment, ".pre-commit-config.yaml", "model_metadata/gpt2.json")
    assert code != 0
    expected = "model_metadata/gpt2.json:4:16: error model/v1 schema: expected integer, got string (at /num_heads)"
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
