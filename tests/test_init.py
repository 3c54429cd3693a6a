"""`mlmeta init` in an existing repository: adds what is missing, keeps every line the user wrote."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from mlmeta import __version__
from mlmeta.cli import main
from mlmeta.init import DEFAULT_REPO, HOOK_ID, keeps_every_line

from .conftest import ROOT
from .helpers import run

BLOCK_4_0 = f"-   repo: {DEFAULT_REPO}\n    rev: v{__version__}\n    hooks:\n    -   id: mlmeta\n"

HAND_WRITTEN = """\
# pre-commit configuration for the catalog
default_language_version:
    python: python3.11   # pinned on purpose
exclude: '^vendor/'
repos:
-   repo: https://github.com/pre-commit/pre-commit-hooks
    rev: "v4.6.0"
    hooks:
    -   id: trailing-whitespace
    -   id: end-of-file-fixer
        exclude: "\\\\.md$"
    -   id: check-yaml
        args: [--allow-multiple-documents, --unsafe]

# formatters
-   repo: https://github.com/psf/black
    rev: 24.4.2
    hooks:
    -   id: black
        language_version: python3.11  # the CI python
        additional_dependencies: ['click==8.1.7', "tomli"]
ci:
    autofix_prs: false
    skip: [black]
"""

# the same content in the other indentation styles people write
STYLES = {
    "dash-indented": (
        "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit\n    rev: v0.5.0\n    hooks:\n"
        "      - id: ruff\n        args: [--fix]   # fix what it can\n",
        f"  - repo: {DEFAULT_REPO}\n    rev: v{__version__}\n    hooks:\n      - id: mlmeta\n",
    ),
    "flush": (
        "repos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n  rev: 'v0.5.0'\n  hooks:\n  - id: ruff\n",
        f"- repo: {DEFAULT_REPO}\n  rev: v{__version__}\n  hooks:\n  - id: mlmeta\n",
    ),
    "wide": (
        "default_stages: [pre-commit]\nrepos:\n    - repo: https://github.com/astral-sh/ruff-pre-commit\n"
        "      rev: \"v0.5.0\"\n      hooks:\n          - id: ruff\n",
        f"    - repo: {DEFAULT_REPO}\n      rev: v{__version__}\n      hooks:\n          - id: mlmeta\n",
    ),
    "hand-written": (HAND_WRITTEN, BLOCK_4_0),
}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    monkeypatch.chdir(tmp_path)
    # the project's repository as if it had this version's tag, without asking the network (test_pin asks git)
    tagged = {f"refs/tags/v{__version__}": "0" * 40, "HEAD": "1" * 40}
    monkeypatch.setattr("mlmeta.pin.remote_refs", lambda repository: tagged)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    files = (p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in files}


def init(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run(capsys, "init", *args)


def test_a_bare_repository_gets_a_config_and_editor_settings_then_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(capsys) == (
        0,
        "created: .mlmeta/schemas/ (8 of 8 schemas)\n"
        "created: .pre-commit-config.yaml\ncreated: .vscode/settings.json\n",
        "",
    )
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == (
        f"repos:\n  - repo: {DEFAULT_REPO}\n    rev: v{__version__}\n    hooks:\n      - id: mlmeta\n"
    )
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert {"fileMatch": ["model_metadata/**/*.json"], "url": "./.mlmeta/schemas/model/v1.json"} in (
        settings["json.schemas"]
    )
    assert settings["yaml.schemas"] == {
        "./.mlmeta/schemas/kitfile/v1.json": ["**/Kitfile", "**/kitfile", "**/.kitfile"]
    }
    before = snapshot(repo)
    assert init(capsys) == (
        0, "unchanged: .mlmeta/schemas/\nunchanged: .pre-commit-config.yaml\nunchanged: .vscode/settings.json\n", ""
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize("style", STYLES)
def test_an_existing_config_keeps_every_line_byte_for_byte(
    style: str, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, block = STYLES[style]
    config = repo / ".pre-commit-config.yaml"
    config.write_bytes(old.encode("utf-8"))
    assert init(capsys, "--no-vscode")[:2] == (0, "updated: .pre-commit-config.yaml\n")
    new = config.read_text(encoding="utf-8")
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    changes = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes()
    assert [tag for tag, *_ in changes if tag != "equal"] == ["insert"]  # every old line kept, byte for byte
    _, _, _, start, end = next(change for change in changes if change[0] == "insert")
    assert "".join(new_lines[start:end]) == block  # the new entry alone, in the file's own indentation
    data = YAML(typ="safe").load(new)
    assert data["repos"][-1] == {"repo": DEFAULT_REPO, "rev": f"v{__version__}", "hooks": [{"id": "mlmeta"}]}
    assert init(capsys, "--no-vscode")[:2] == (0, "unchanged: .pre-commit-config.yaml\n")
    assert config.read_text(encoding="utf-8") == new


def test_more_hooks_join_the_existing_mlmeta_entry(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = repo / ".pre-commit-config.yaml"
    config.write_text("repos:\n- repo: ../mlmeta-fork\n  rev: abc123  # my fork\n  hooks:\n  - id: mlmeta\n")
    assert init(capsys, "--no-vscode", "--hook", "mlmeta", "--hook", "mlmeta-model")[0] == 0
    assert config.read_text() == (
        "repos:\n- repo: ../mlmeta-fork\n  rev: abc123  # my fork\n  hooks:\n  - id: mlmeta\n  - id: mlmeta-model\n"
    )


def test_repo_and_rev_are_options(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init(capsys, "--no-vscode", "--repo", "https://example.org/mirror/mlmeta", "--rev", "v9")[0] == 0
    data = YAML(typ="safe").load((repo / ".pre-commit-config.yaml").read_text())
    assert data["repos"] == [{"repo": "https://example.org/mirror/mlmeta", "rev": "v9", "hooks": [{"id": "mlmeta"}]}]


def test_pre_commit_accepts_what_init_writes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".pre-commit-config.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    assert init(capsys, "--no-vscode", "--hook", "mlmeta-manifest")[0] == 0
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=repo, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_config_that_would_be_reformatted_is_left_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = repo / ".pre-commit-config.yaml"
    flow = "repos: [{repo: https://github.com/psf/black, rev: 24.4.2, hooks: [{id: black}]}]\n"
    config.write_text(flow, encoding="utf-8")
    code, out, err = init(capsys, "--no-vscode")
    assert code == 1 and out == ""
    assert "would reformat lines you wrote" in err and f"  - repo: {DEFAULT_REPO}\n" in err
    assert config.read_text(encoding="utf-8") == flow


def test_a_config_of_comments_only_gets_the_hooks_below_them(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".pre-commit-config.yaml").write_text("# hooks go here\n", encoding="utf-8")
    assert init(capsys, "--no-vscode")[0] == 0
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == (
        f"# hooks go here\nrepos:\n  - repo: {DEFAULT_REPO}\n    rev: v{__version__}\n    hooks:\n      - id: mlmeta\n"
    )


def test_broken_yaml_is_reported_not_touched(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".pre-commit-config.yaml").write_text("repos: [\n", encoding="utf-8")
    code, _, err = init(capsys, "--no-vscode")
    assert code == 1 and "is not valid YAML" in err
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == "repos: [\n"


def test_yaml_nested_too_deep_to_edit_is_reported_not_touched(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "repos: " + "[" * 2000 + "]" * 2000 + "\n"
    (repo / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    code, _, err = init(capsys, "--no-vscode")
    assert (code, err) == (1, "mlmeta init: .pre-commit-config.yaml nests too deeply to edit safely\n")
    assert (repo / ".pre-commit-config.yaml").read_text(encoding="utf-8") == text


def test_a_reused_anchor_under_warnings_as_errors(repo: Path) -> None:
    """A reused anchor is legal YAML: ruamel's warning about it must not become an error (PYTHONWARNINGS=error)."""
    reused = "repos:\n- repo: &r local\n  hooks: []\n- repo: &r other\n  hooks: []\n"
    (repo / ".pre-commit-config.yaml").write_text(reused, encoding="utf-8")
    env = {"PATH": "", "PYTHONPATH": str(ROOT / "hooks"), "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-m", "mlmeta", "init", "--no-vscode", "--rev", "v0.1.0"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "updated: .pre-commit-config.yaml\n", "")


def test_settings_with_a_lone_surrogate_are_left_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text('{"a": "x\\ud800"}', encoding="utf-8")
    code, _, err = init(capsys)
    assert code == 1
    assert ".vscode/settings.json: it holds a lone surrogate (an escape such as \\ud800); left alone" in err
    assert (repo / ".vscode" / "settings.json").read_text(encoding="utf-8") == '{"a": "x\\ud800"}'


def test_pyproject_gets_the_table_once_and_only_when_asked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = repo / "pyproject.toml"
    original = '[project]\nname = "catalog"   # keep this comment\nversion = "1"'  # no final newline
    pyproject.write_text(original, encoding="utf-8")
    init(capsys, "--no-vscode")
    assert pyproject.read_text(encoding="utf-8") == original
    assert "updated: pyproject.toml\n" in init(capsys, "--no-vscode", "--pyproject")[1]
    text = pyproject.read_text(encoding="utf-8")
    assert text.startswith(original + "\n\n[tool.mlmeta]\n")
    assert main(["check"]) == 0  # mlmeta reads the table it wrote
    assert "unchanged: pyproject.toml\n" in init(capsys, "--no-vscode", "--pyproject")[1]
    assert pyproject.read_text(encoding="utf-8") == text


def test_an_existing_mlmeta_table_is_kept(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text('[tool.mlmeta.routes]\n"evals/*.json" = "results"\n', encoding="utf-8")
    assert "unchanged: pyproject.toml\n" in init(capsys, "--no-vscode", "--pyproject")[1]


def test_vscode_settings_are_merged_into_the_users(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = repo / ".vscode" / "settings.json"
    settings.parent.mkdir()
    mine = {"editor.rulers": [100], "json.schemas": [{"fileMatch": ["x.json"], "url": "./x.schema.json"}]}
    settings.write_text(json.dumps(mine, indent=2) + "\n", encoding="utf-8")
    (repo / "pyproject.toml").write_text('[tool.mlmeta.routes]\n"evals/**/*.json" = "results"\n', encoding="utf-8")
    assert "updated: .vscode/settings.json\n" in init(capsys, "--schema-url", "schemas")[1]
    text = settings.read_text(encoding="utf-8")
    merged = json.loads(text)
    assert text.startswith('{\n  "editor.rulers": [\n    100\n  ],\n')  # the user's indentation
    assert merged["editor.rulers"] == [100]
    assert merged["json.schemas"][0] == mine["json.schemas"][0]
    assert {"fileMatch": ["evals/**/*.json", "model_scores/**/*.json"], "url": "./schemas/results/v1.draft7.json"} in (
        merged["json.schemas"]
    )
    assert "unchanged: .vscode/settings.json\n" in init(capsys, "--schema-url", "schemas")[1]


def test_settings_with_comments_are_left_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = repo / ".vscode" / "settings.json"
    settings.parent.mkdir()
    settings.write_text('{\n  // mine\n  "editor.rulers": [100],\n}\n', encoding="utf-8")
    code, _, err = init(capsys)
    assert code == 1 and "is not plain JSON" in err and '"json.schemas"' in err
    assert settings.read_text(encoding="utf-8") == '{\n  // mine\n  "editor.rulers": [100],\n}\n'


def test_kitfiles_get_the_modeline_once(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "serving").mkdir()
    (repo / "serving" / "Kitfile").write_bytes(b"manifestVersion: '1.0'\r\npackage:\r\n  name: demo\r\n")
    marked = "# yaml-language-server: $schema=./elsewhere.json\nmanifestVersion: '1.0'\n"
    (repo / "Kitfile").write_text(marked, encoding="utf-8")
    out = init(capsys, "--no-vscode", "--schema-url", "schemas")[1]
    assert out == "created: .pre-commit-config.yaml\nupdated: serving/Kitfile\n"
    assert (repo / "serving" / "Kitfile").read_bytes() == (
        b"# yaml-language-server: $schema=../schemas/kitfile/v1.draft7.json\r\n"
        b"manifestVersion: '1.0'\r\npackage:\r\n  name: demo\r\n"
    )
    assert (repo / "Kitfile").read_text(encoding="utf-8") == marked  # a modeline already there is the user's choice
    assert init(capsys, "--no-vscode", "--schema-url", "schemas")[1] == "unchanged: .pre-commit-config.yaml\n"


def test_no_modeline_leaves_kitfiles_alone(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "Kitfile").write_text("manifestVersion: '1.0'\n", encoding="utf-8")
    assert init(capsys, "--no-vscode", "--no-modeline")[1] == "created: .pre-commit-config.yaml\n"
    assert (repo / "Kitfile").read_text(encoding="utf-8") == "manifestVersion: '1.0'\n"


def test_an_unknown_hook_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = init(capsys, "--hook", "black")
    assert (code, out) == (2, "")
    assert "not an mlmeta hook id: black" in err
    assert snapshot(repo) == {}


def test_published_hook_ids_are_what_init_accepts() -> None:
    published = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    ids = [hook["id"] for hook in published]
    assert "mlmeta" in ids  # the default
    assert all(HOOK_ID.fullmatch(hook) for hook in ids)


def test_a_crlf_config_stays_crlf(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = STYLES["flush"][0].replace("\n", "\r\n")
    (repo / ".pre-commit-config.yaml").write_bytes(old.encode("utf-8"))
    assert init(capsys, "--no-vscode")[0] == 0
    new = (repo / ".pre-commit-config.yaml").read_bytes().decode("utf-8")
    assert new == old + STYLES["flush"][1].replace("\n", "\r\n")


def test_keeps_every_line() -> None:
    assert keeps_every_line("a\nb\n", "a\nx\nb\n")
    assert keeps_every_line("a\nb", "a\nb\nc\n")
    assert not keeps_every_line("a\nb\n", "a\nB\n")
    assert not keeps_every_line("a\nb\n", "b\na\n")
