"""The KitOps hooks: `files:` patterns that select Kitfiles and ModelKit manifests, run by pre-commit itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from ..conftest import ROOT
from ..helpers import commit, consumer, git

HOOKS = {hook["id"]: hook for hook in YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())}


@pytest.mark.parametrize(
    ("hook", "path", "selected"),
    [
        ("mlmeta-kitfile", "Kitfile", True),
        ("mlmeta-kitfile", "models/bert/kitfile", True),
        ("mlmeta-kitfile", ".kitfile", True),
        ("mlmeta-kitfile", "Kitfile.bak", False),
        ("mlmeta-kitfile", "docs/Kitfile.md", False),
        ("mlmeta-modelkit-manifest", "kitops/manifest.json", True),
        ("mlmeta-modelkit-manifest", "release/modelkit-manifest.json", True),
        ("mlmeta-modelkit-manifest", "kitops/nested/manifest.json", False),
        ("mlmeta-modelkit-manifest", "model_metadata/gpt2.json", False),
    ],
)
def test_files_patterns(hook: str, path: str, selected: bool) -> None:
    assert bool(re.search(HOOKS[hook]["files"], path)) is selected  # pre-commit applies `files` with re.search


def test_the_umbrella_hook_selects_both_too() -> None:
    paths = ("Kitfile", "sub/.kitfile", "kitops/manifest.json")
    assert all(re.search(HOOKS["mlmeta"]["files"], path) for path in paths)


def test_the_repository_catalog_is_selected() -> None:
    assert re.search(HOOKS["mlmeta-kitfile"]["files"], "Kitfile") and (ROOT / "Kitfile").is_file()
    assert re.search(HOOKS["mlmeta-modelkit-manifest"]["files"], "kitops/manifest.json")
    assert (ROOT / "kitops" / "manifest.json").is_file()


def test_a_kitfile_is_refused_at_its_line_then_lands(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]
) -> None:
    """pre-commit gives `Kitfile` no yaml tag: the hook must select it by name."""
    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta-kitfile"])
    (repo / "model").mkdir()
    (repo / "model" / "weights.bin").write_bytes(b"\0")
    kitfile = repo / "Kitfile"
    kitfile.write_text("manifestVersion: 1.0.0\nmodel:\n  path: /srv/weights.bin\n", encoding="utf-8")
    code, output = commit(repo, environment, ".pre-commit-config.yaml", "Kitfile", "model/weights.bin")
    assert code != 0
    assert "Kitfile:3:9: error kitfile/v1 kitfile-path: absolute paths are not supported" in output, output
    assert git(repo, "rev-parse", "--verify", "-q", "HEAD").returncode != 0
    kitfile.write_text("manifestVersion: 1.10\nmodel:\n  path: model/weights.bin\n", encoding="utf-8")
    code, output = commit(repo, environment, "Kitfile")
    assert code == 0, output
    assert "Passed" in output
