"""The catalog, this repository's VS Code settings, and the Kitfile modeline that picks a version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.config import load
from mlmeta.editors import catalog, editor_globs, vscode_settings
from mlmeta.schemas import ID_BASE, KINDS, versions

from ..conftest import ROOT

CATALOG = json.loads((ROOT / "schemas" / "catalog.json").read_text(encoding="utf-8"))


def local(url: str) -> Path:
    assert url.startswith(ID_BASE), url
    return ROOT / "schemas" / url[len(ID_BASE) :]


def test_catalog_is_in_schemastore_shape_and_names_every_kind() -> None:
    assert CATALOG["$schema"] == "https://json.schemastore.org/schema-catalog.json"
    assert CATALOG["version"] == 1
    assert [entry["name"] for entry in CATALOG["schemas"]] == [f"mlmeta {kind}" for kind in KINDS]
    for entry in CATALOG["schemas"]:
        assert set(entry) <= {"name", "description", "fileMatch", "url", "versions"}
        assert entry["description"]
        kind = entry["name"].removeprefix("mlmeta ")
        assert entry["versions"] == {f"v{v}": f"{ID_BASE}{kind}/v{v}.draft7.json" for v in versions(kind)}
        assert entry["url"] == entry["versions"]["v1"]  # what an undeclared file is checked against
        assert all(local(url).is_file() for url in entry["versions"].values())
        if KINDS[kind].format != "jsonl" and KINDS[kind].patterns:
            assert entry["fileMatch"] == [
                glob if glob.startswith("**/") else f"**/{glob}" for glob in map(editor_globs, KINDS[kind].patterns)
            ]
    assert catalog(ROOT / "schemas") == CATALOG


def test_this_repositorys_vscode_settings_map_every_route_to_a_local_copy() -> None:
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings == vscode_settings(load(ROOT), "schemas"), "regenerate .vscode/settings.json"
    urls = [entry["url"] for entry in settings["json.schemas"]] + list(settings["yaml.schemas"])
    assert all((ROOT / url).is_file() for url in urls)
    assert {entry["url"] for entry in settings["json.schemas"]} >= {
        f"./schemas/{kind}/v1.draft7.json" for kind in ("model", "dataset", "results")
    }
    assert settings["yaml.schemas"]["./schemas/kitfile/v1.draft7.json"] == ["**/Kitfile", "**/kitfile", "**/.kitfile"]
    assert settings["files.associations"]["**/Kitfile"] == "yaml"


@pytest.mark.parametrize(
    ("pattern", "glob"),
    [("models.jsonl", "**/models.jsonl"), ("model_metadata/**/*.json", "model_metadata/**/*.json"),
     ("/Kitfile", "Kitfile"), ("evals/", "**/evals/")],
)
def test_route_patterns_become_editor_globs(pattern: str, glob: str) -> None:
    assert editor_globs(pattern) == glob


KITFILE_WITH_A_TYPO = "manifestVersion: '1.0'\npackage:\n  nmae: demo\n"
TYPO = "deploy/serving.yaml:4:3: error kitfile/v1 schema: unknown key 'nmae'; did you mean 'name'? (at /package/nmae)\n"


@pytest.mark.parametrize(
    ("modeline", "expected"),
    [
        ("https://mlmeta.dev/schemas/kitfile/v1.draft7.json",
         TYPO),
        ("../schemas/kitfile/v1.json",
         TYPO),
        ("https://mlmeta.dev/schemas/kitfile/v7.draft7.json",
         "deploy/serving.yaml:2:1: error - schema-ref: kitfile has no schema v7 (bundled: v1)\n"),
    ],
)
def test_the_kitfile_modeline_picks_kind_and_version(
    modeline: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    # no route claims deploy/serving.yaml: only the modeline makes it a Kitfile
    (tmp_path / "deploy" / "serving.yaml").write_text(
        f"# yaml-language-server: $schema={modeline}\n{KITFILE_WITH_A_TYPO}", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "deploy/serving.yaml"]) == 1
    assert capsys.readouterr().out == expected
    (tmp_path / "deploy" / "serving.yaml").write_text(KITFILE_WITH_A_TYPO, encoding="utf-8")
    assert main(["check", "-v", "deploy/serving.yaml"]) == 0
    assert capsys.readouterr().err == (
        "deploy/serving.yaml: skipped: no route claims it\n"
        "mlmeta: no files checked: no route or $schema claims them (-v says why)\n"
    )
