"""A real language server, not inspection: VS Code's JSON language service on a model file.

`tests/editors/language_server.js` drives `vscode-json-languageservice` (pinned in this folder's
package.json, installed by `.ci/run` with `npm ci` where Node is present). The schema reaches it
the two ways an editor finds it: the file's own `$schema` (the 2020-12 original, as this
repository's catalog files declare it) and this repository's `.vscode/settings.json` (the draft-07
copy, matched by file pattern). Either way it must offer the schema's property names and values,
and put a wrong type's diagnostic on exactly the value, where `mlmeta check` puts it too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main
from mlmeta.schemas import ID_BASE, load_schema

from ..conftest import ROOT

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(
    NODE is None or not (HERE / "node_modules" / "vscode-json-languageservice").is_dir(),
    reason="needs node and `npm ci` in tests/editors (.ci/run does both when node is installed)",
)

MODEL = load_schema("model", 1)
FOLDER = ROOT.as_uri()
DOCUMENT_URI = f"{FOLDER}/model_metadata/example.json"


def from_settings() -> list[dict[str, Any]]:
    """json.schemas of .vscode/settings.json as VS Code hands them to the server: URLs resolved
    against the workspace folder, patterns scoped to it."""
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    return [
        {"uri": (ROOT / entry["url"]).resolve().as_uri(), "fileMatch": entry["fileMatch"], "folderUri": FOLDER}
        for entry in settings["json.schemas"]
    ]


# how the schema reaches the server: (the document's first lines, schema associations)
WAYS = {
    "own $schema, 2020-12 original": ('  "$schema": "../schemas/model/v1.json",\n', []),
    "settings.json, draft-07 copy": ("", from_settings()),
}


def serve(text: str, schemas: list[dict[str, Any]], complete_at: list[dict[str, int]] | None = None) -> dict[str, Any]:
    request = {
        "document": {"uri": DOCUMENT_URI, "text": text},
        "schemas": schemas,
        "completeAt": complete_at or [],
        "local": {"prefix": ID_BASE, "folder": str(ROOT / "schemas")},
    }
    return language_server(request)


def language_server(request: dict[str, Any]) -> dict[str, Any]:
    """language_server.js's answer to one request (a document, its schemas, where to complete)."""
    done = subprocess.run(
        [str(NODE), str(HERE / "language_server.js")],
        input=json.dumps(request), capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


@pytest.mark.parametrize("way", WAYS)
def test_completion_offers_the_schemas_property_names(way: str) -> None:
    head, schemas = WAYS[way]
    text = "{\n" + head + "  \n}\n"
    line = text.count("\n", 0, text.index("  \n}"))
    answer = serve(text, schemas, [{"line": line, "character": 2}])
    offered = set(answer["completions"][0])
    expected = set(MODEL["properties"]) - {"$schema"}
    assert expected <= offered
    assert offered - expected <= {"$schema"}  # nothing the schema does not name


@pytest.mark.parametrize("way", WAYS)
def test_completion_offers_an_enum_s_values(way: str) -> None:
    head, schemas = WAYS[way]
    name, values = next((n, s["enum"]) for n, s in MODEL["properties"].items() if "enum" in s)
    text = "{\n" + head + f'  "{name}": \n}}\n'
    line = text.count("\n", 0, text.index(f'"{name}"'))
    answer = serve(text, schemas, [{"line": line, "character": len(f'  "{name}": ')}])
    assert {json.dumps(v) for v in values} <= set(answer["completions"][0])


@pytest.mark.parametrize("way", WAYS)
def test_a_wrong_type_is_reported_on_the_value_where_mlmeta_reports_it(
    way: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    head, schemas = WAYS[way]
    text = "{\n" + head + '  "id": "openai-community/gpt2",\n  "num_heads": "twelve"\n}\n'
    answer = serve(text, schemas)
    line = text.count("\n", 0, text.index('"twelve"'))
    start = text.splitlines()[line].index('"twelve"')
    assert answer["diagnostics"] == [{
        "message": 'Incorrect type. Expected one of integer, null.',
        "severity": 1,
        "range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": start + 8}},
    }]
    (tmp_path / ".git").mkdir()
    (tmp_path / "model.json").write_text(text.replace("../schemas/model/v1.json", f"{ID_BASE}model/v1.json"))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--kind", "model", "model.json"]) == 1
    assert capsys.readouterr().out.startswith(f"model.json:{line + 1}:{start + 1}: error model/v1 schema: ")


def test_a_valid_catalog_file_gets_no_diagnostic() -> None:
    path = sorted((ROOT / "model_metadata").glob("*.json"))[0]
    text = path.read_text(encoding="utf-8")
    assert '"$schema": "../schemas/model/v1.json"' in text
    for schemas in ([], from_settings()):
        assert serve(text, schemas)["diagnostics"] == []


def test_an_empty_file_is_offered_the_schemas_snippets() -> None:
    labels = set(serve("", from_settings(), [{"line": 0, "character": 0}])["completions"][0])
    assert {snippet["label"] for snippet in MODEL["defaultSnippets"]} <= labels
