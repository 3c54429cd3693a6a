"""Patterns (routes, `exclude`, `[tool.mlmeta.phi] paths`) mean what they mean in .gitignore: git is the oracle."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.globs import ignored, matches, matches_file

PATHS = [
    "a.json", "b.json", "x/a.json", "x/y/a.json", "vendored/a.json", "src/vendored/deep/a.json", "vendoredx/a.json",
    "evals/run/a.json", "evals.json", "a/b", "a/x/b", "a/x/y/b", "axb", "ab", "a/b/c.json", "abb/c", "c.jsonl",
    "d1/m.json", "db/m.json", "dc/m.json", "d-/m.json", "q?.json", "q1.json", "star*.json", "stary.json",
    "[ab].json", "sp .json", "foo/bar/baz.yaml", "foo/baz.yaml", "x/foo/bar/baz.yaml", "Kitfile", "sub/Kitfile",
]
PATTERNS = [
    "*.json", "/a.json", "a.json", "x/", "x", "vendored/", "vendored", "evals/", "/evals/", "a/**/b", "a/**",
    "**/a.json", "**/vendored", "a**b", "a*b", "d[0-9]/*.json", "d[!0-9]/*.json", "d[^b]/*", "d[a-c]/*.json",
    "d[-]/*", "d[[:digit:]]/*", "q\\?.json", "q?.json", "star\\*.json", "\\[ab\\].json", "[ab].json",
    "sp\\ .json", "foo/**/baz.yaml", "foo/*/baz.yaml", "**", "x/**/", "Kitfile", "/Kitfile", "*", "[", "a\\",
    "c.json ", "x/y",
]


@pytest.fixture(scope="module")
def git_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """pattern -> the paths `git check-ignore` says a .gitignore holding only that pattern ignores."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    folder = tmp_path_factory.mktemp("gitignore")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    verdicts = {}
    for pattern in PATTERNS:
        (folder / ".gitignore").write_text(pattern + "\n", encoding="utf-8")
        done = subprocess.run(
            ["git", "check-ignore", "--no-index", "--stdin"],
            cwd=folder, input="\n".join(PATHS) + "\n", capture_output=True, text=True, check=False,
        )
        verdicts[pattern] = set(done.stdout.splitlines())
    return verdicts


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_pattern_matches_what_git_ignores(pattern: str, git_verdicts: dict[str, set[str]]) -> None:
    assert {path for path in PATHS if matches(pattern, path)} == git_verdicts[pattern]


@pytest.mark.parametrize(
    ("patterns", "path", "expected"),
    [
        (["*.json", "!keep.json"], "keep.json", False),
        (["*.json", "!keep.json"], "x/other.json", True),
        (["vendored/", "!vendored/keep.json"], "vendored/keep.json", True),  # a folder excluded stays excluded
        (["!a.json", "a.json"], "a.json", True),  # the last match decides
    ],
)
def test_negation_as_in_git(patterns: list[str], path: str, expected: bool, tmp_path: Path) -> None:
    assert ignored(patterns, path) is expected
    if shutil.which("git") is not None:
        subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
        (tmp_path / ".gitignore").write_text("\n".join(patterns) + "\n", encoding="utf-8")
        git = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=tmp_path, check=False)
        assert (git.returncode == 0) is expected


@pytest.mark.parametrize("exclude", ['"vendored/"', '"vendored"', '"vendored/**"'])
def test_exclude_a_folder_as_gitignore_does(repo: Path, capsys: pytest.CaptureFixture[str], exclude: str) -> None:
    bad = repo / "vendored" / "model_metadata"
    bad.mkdir(parents=True)
    (bad / "m.json").write_text('{"num_heads": "twelve"}', encoding="utf-8")
    (repo / "model_metadata").mkdir()
    (repo / "model_metadata" / "m.json").write_text('{"name": "m"}', encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        f'[tool.mlmeta]\nexclude = [{exclude}]\n[tool.mlmeta.routes]\n"**/model_metadata/*.json" = "model"\n',
        encoding="utf-8",
    )
    assert main(["check"]) == 0, capsys.readouterr().out


def test_phi_paths_name_a_folder_as_gitignore_does(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text('[tool.mlmeta.phi]\npaths = ["evals/"]\n', encoding="utf-8")
    (repo / "evals" / "run").mkdir(parents=True)
    (repo / "evals" / "run" / "out.json").write_text('{"note": "call 212-555-0187"}', encoding="utf-8")
    assert main(["check", "evals/run/out.json"]) == 1
    assert "phi-phone" in capsys.readouterr().out


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_route_matches_the_files_git_ignores_by_their_own_name(
    pattern: str, git_verdicts: dict[str, set[str]]
) -> None:
    """A route names files: of what git ignores, those whose own path the pattern matches (no folder's content)."""
    own = {path for path in PATHS if matches_file(pattern, path)}
    assert own <= git_verdicts[pattern]
    as_folder = pattern.removesuffix("/")
    below = {path for path in git_verdicts[pattern] - own if any(matches_file(as_folder, f) for f in folders(path))}
    assert own | below == git_verdicts[pattern]


def folders(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


def test_the_kitfile_route_claims_no_file_of_a_kitfile_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "schemas" / "kitfile").mkdir(parents=True)
    (repo / "schemas" / "kitfile" / "v1.json").write_text("{}", encoding="utf-8")
    (repo / "sub").mkdir()
    (repo / "sub" / "Kitfile").write_text("manifestVersion: 1.0.0\n", encoding="utf-8")
    assert main(["check", "-v"]) == 0
    assert "schemas/kitfile/v1.json" not in capsys.readouterr().out
