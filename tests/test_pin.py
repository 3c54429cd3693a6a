"""The revision `mlmeta init` pins exists in the hook repository; pre-commit runs the hooks at it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mlmeta import __version__

from .helpers import PRE_COMMIT, commit, git, run

BAD_MODEL = '{\n  "id": "example-org/tiny",\n  "num_heads": "twelve"\n}\n'


def pinned(repo: Path) -> tuple[str, str]:
    config = YAML(typ="safe").load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entry = config["repos"][0]
    return entry["repo"], entry["rev"]


@pytest.fixture
def consumer_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = tmp_path / "catalog"
    repo.mkdir()
    assert git(repo, "init", "-q").returncode == 0
    monkeypatch.chdir(repo)
    return repo


def test_the_versions_tag_when_the_repository_has_it(
    consumer_repo: Path, hook_repo: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tagged = tmp_path / "tagged"
    assert git(tmp_path, "clone", "-q", str(hook_repo[0]), str(tagged)).returncode == 0
    assert git(tagged, "tag", f"v{__version__}").returncode == 0
    code, _, err = run(capsys, "init", "--no-vscode", "--repo", str(tagged))
    assert (code, err) == (0, "")
    assert pinned(consumer_repo) == (str(tagged), f"v{__version__}")


def test_a_commit_the_repository_has_when_it_lacks_the_tag_and_pre_commit_runs_it(
    consumer_repo: Path, hook_repo: tuple[Path, str], environment: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    path, head = hook_repo
    code, _, err = run(capsys, "init", "--no-vscode", "--repo", str(path))
    assert code == 0
    assert f"has no tag v{__version__}" in err
    repository, rev = pinned(consumer_repo)
    assert (repository, rev) == (str(path), head)  # this checkout's own HEAD is not in that repository
    installed = subprocess.run([*PRE_COMMIT, "install"], cwd=consumer_repo, env=environment, capture_output=True)
    assert installed.returncode == 0, installed.stderr
    model = consumer_repo / "model_metadata" / "tiny.json"
    model.parent.mkdir()
    model.write_text(BAD_MODEL, encoding="utf-8")
    code, output = commit(consumer_repo, environment, ".pre-commit-config.yaml", "model_metadata/tiny.json")
    assert code != 0
    assert "model_metadata/tiny.json:3:16: error model/v1 schema: expected integer or null, got string" in output


def test_a_repository_that_cannot_be_read_is_a_usage_error(
    consumer_repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "init", "--no-vscode", "--repo", str(tmp_path / "nowhere"))
    assert (code, out) == (2, "")
    assert "git ls-remote failed" in err and "--rev" in err
    assert not (consumer_repo / ".pre-commit-config.yaml").exists()


def test_rev_given_is_taken_as_given(consumer_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--no-vscode", "--repo", "https://example.com/r", "--rev", "v9")[0] == 0
    assert pinned(consumer_repo) == ("https://example.com/r", "v9")
    assert subprocess.run(["git", "status"], cwd=consumer_repo, capture_output=True).returncode == 0
