"""A kind's files are listed only in the folders its routes can match, and are exactly the whole listing's."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mlmeta.config import Config
from mlmeta.files import route_folders, routes

ROUTES = {
    "data/*.json": "dataset",  # a configured folder of datasets
    "dataset_metadata/special/*.json": "model",  # taken from the built-in dataset route: the first route wins
    "vendor/**/*.json": "dataset",  # a folder that does not exist
    "linked/*.json": "dataset",  # behind a symbolic link: neither git nor the walk goes there
    "node_modules/x/*.json": "dataset",  # the walk skips tool folders
    "../outside/*.json": "dataset",  # no listed name starts with ..
}


def catalog(root: Path) -> Config:
    for name in ("dataset_metadata/a.json", "dataset_metadata/web/b.json", "dataset_metadata/special/m.json",
                 "dataset_metadata/ignored.json", "dataset_metadata/notes.txt", "data/c.json", "data/sub/d.json",
                 "model_metadata/e.json", "elsewhere/f.json", "node_modules/x/g.json", "real/h.json"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("{}\n", encoding="utf-8")
    (root / "linked").symlink_to(root / "real")
    (root.parent / "outside").mkdir(exist_ok=True)
    (root.parent / "outside" / "i.json").write_text("{}\n", encoding="utf-8")
    (root / ".gitignore").write_text("dataset_metadata/ignored.json\n", encoding="utf-8")
    return Config(root, dict(ROUTES))


def same_as_whole_listing(config: Config) -> list[str]:
    for kind in ("dataset", "model", "results", "manifest", "kitfile"):
        assert routes(config, kind) == [(name, route) for name, route in routes(config) if route.kind == kind]
    return [name for name, _ in routes(config, "dataset")]


def git_catalog(tmp_path: Path) -> tuple[Path, Config]:
    """The catalog in a new git repository (the test is skipped where git is not installed)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    config = catalog(root)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root, config


def test_a_kinds_files_in_a_git_repository(tmp_path: Path) -> None:
    root, config = git_catalog(tmp_path)
    subprocess.run(["git", "add", "data/c.json"], cwd=root, check=True)  # tracked and untracked alike
    assert same_as_whole_listing(config) == [
        "data/c.json", "dataset_metadata/a.json", "dataset_metadata/web/b.json", "node_modules/x/g.json"
    ]


def test_a_kinds_files_found_by_walking(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # not a repository git can read: the folder is walked
    config = catalog(root)
    assert same_as_whole_listing(config) == [
        "data/c.json", "dataset_metadata/a.json", "dataset_metadata/ignored.json", "dataset_metadata/web/b.json"
    ]


def test_route_folders() -> None:
    config = Config(Path("."), {"/top/*.json": "dataset", "a/b*/c/*.json": "dataset", "x/y.json": "dataset@1"})
    assert route_folders("dataset", config) == ["top", "a", "x", "dataset_metadata"]
    assert route_folders("kitfile", config) is None  # `Kitfile` matches at any depth
    assert route_folders("measurements", config) is None  # `measurements*.json` matches at any depth
    assert route_folders("modelkit-manifest", config) == []  # no route gives it: nothing to list
    assert route_folders("dataset", Config(Path("."), {"*/data/*.json": "dataset"})) is None


def test_without_git_the_folders_are_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    config = catalog(root)
    if shutil.which("git") is not None:
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    monkeypatch.setenv("PATH", str(tmp_path / "no-such-folder"))  # git cannot be found: the .gitignore is moot
    assert same_as_whole_listing(config) == [
        "data/c.json", "dataset_metadata/a.json", "dataset_metadata/ignored.json", "dataset_metadata/web/b.json"
    ]


def test_git_by_subprocess_where_there_is_no_posix_spawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, config = git_catalog(tmp_path)
    monkeypatch.delattr("os.posix_spawnp", raising=False)  # as on Windows
    assert same_as_whole_listing(config) == [
        "data/c.json", "dataset_metadata/a.json", "dataset_metadata/web/b.json", "node_modules/x/g.json"
    ]


def test_exclude_applies_to_files_named_explicitly_unless_told_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .helpers import run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.mlmeta]\nexclude = ["vendored/**"]\n', encoding="utf-8")
    bad = tmp_path / "vendored" / "model_metadata" / "m.json"
    bad.parent.mkdir(parents=True)
    bad.write_text('{"id": "a/b", "num_heads": "x"}', encoding="utf-8")
    named = "vendored/model_metadata/m.json"
    assert run(capsys, "check", "-q", "--kind", "model", named) == (0, "", "")  # as pre-commit names it
    code, out, _ = run(capsys, "check", "--kind", "model", "--no-force-exclude", "vendored/model_metadata/m.json")
    assert code == 1 and "num_heads" in out


def test_exclude_judges_a_named_file_by_where_it_resolves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to an excluded file is excluded; a file outside the root is named by no pattern of it."""
    from .helpers import run

    root, outside = tmp_path / "repo", tmp_path / "elsewhere"
    monkeypatch.chdir(root.mkdir() or root)
    (root / "pyproject.toml").write_text('[tool.mlmeta]\nexclude = ["vendored/**"]\n', encoding="utf-8")
    for folder in (root / "vendored", outside / "vendored"):
        folder.mkdir(parents=True)
        (folder / "m.json").write_text('{"id": "a/b", "num_heads": "x"}', encoding="utf-8")
    (root / "link.json").symlink_to(root / "vendored" / "m.json")
    (root / "away").symlink_to(outside)  # `away/vendored/m.json` is no file of the repository
    assert run(capsys, "check", "-q", "--kind", "model", "link.json", "vendored/m.json") == (0, "", "")
    assert run(capsys, "check", "-q", "--kind", "model", "link.json/") == (0, "", "")  # the link, as the check reads it
    code, out, _ = run(capsys, "check", "-q", "--kind", "model", "away/vendored/m.json", "../elsewhere/vendored/m.json")
    assert code == 1 and out.count("num_heads") == 2


def test_discovery_includes_a_file_routed_only_by_its_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from .helpers import run

    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "m.json").write_text(
        '{"$schema": "https://mlmeta.dev/schemas/model/v1.json", "id": "a/b", "num_heads": "x"}', encoding="utf-8"
    )
    (tmp_path / "cards" / "other.json").write_text('{"$schema": "https://example.com/s.json"}', encoding="utf-8")
    (tmp_path / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    hook = run(capsys, "check", "cards/m.json")  # what the umbrella hook does with the changed file
    assert hook[0] == 1
    assert run(capsys, "check") == hook  # a whole-repository run finds the same
