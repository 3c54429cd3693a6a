"""Helpers several test modules share: `mlmeta` as a function, and pre-commit in a temporary repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
# what pre-commit needs of a hook repository: the hooks, the package, its schemas
HOOK_REPO_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "hooks", "schemas"]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `mlmeta ARGS...`."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def hook_repository(source: Path, repo: Path) -> tuple[Path, str]:
    """`source` (this working tree as it is now) committed into `repo`, for pre-commit to clone: (repo, rev)."""
    for name in HOOK_REPO_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source / name, repo / name)
    identity = ("-c", "user.name=t", "-c", "user.email=t@t")
    for args in (("init", "-q"), ("add", "-A"), (*identity, "commit", "-qm", "hooks")):
        assert git(repo, *args).returncode == 0
    return repo, git(repo, "rev-parse", "HEAD").stdout.strip()


def consumer(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str], hooks: list[str]) -> Path:
    """A new git repository whose pre-commit config uses `hooks` of the hook repository, installed."""
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


def forked_pids(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the processes mlmeta.jobs forks from now on, as it forks them."""
    import mlmeta.jobs

    pids: list[int] = []
    forked = mlmeta.jobs._forked

    def counted(*args: Any) -> Any:
        child = forked(*args)
        pids.extend([child[0]] if child else [])
        return child

    monkeypatch.setattr(mlmeta.jobs, "_forked", counted)
    return pids
