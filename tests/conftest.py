from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from mlmeta.schemas import KINDS

from .helpers import hook_repository

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REALWORLD = ROOT.parent / "shared" / "realworld"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository to run in (a `.git` folder marks its root): findings are printed relative to it."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so printed paths are relative to it."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree as it is now, committed into a repository pre-commit can clone: (path, rev).

    One for the whole run: pre-commit installs a hook repository once per revision, which is slow.
    """
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    return hook_repository(ROOT, tmp_path_factory.mktemp("hook-repo"))


@pytest.fixture(scope="session")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """For pre-commit and git: a private pre-commit cache, a commit identity, not inside another hook."""
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    env.pop("PRE_COMMIT", None)
    return env


def fixture_files(verdict: str) -> list[tuple[str, Path]]:
    """(kind, file) of every fixture with this verdict (`valid` or `invalid`), kind by kind."""
    found = []
    for kind in sorted(KINDS):
        folder = FIXTURES / kind / verdict
        if folder.is_dir():
            found.extend((kind, path) for path in sorted(folder.iterdir()) if path.suffix != ".expected")
    return found


def realworld(relative: str) -> Path:
    path = REALWORLD / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/realworld is not beside this checkout)")
    return path
