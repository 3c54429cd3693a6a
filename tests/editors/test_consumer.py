"""Editor hints in someone else's repository: a temporary one set up by `mlmeta init`, not this tree.

Nothing serves mlmeta.dev and a consumer repository has no `schemas/` folder, so `mlmeta init` writes
draft-07 copies to `.mlmeta/schemas/<kind>/vN.json` and points `.vscode/settings.json` and Kitfile
modelines at them. VS Code's JSON language service (`language_server.js`) then finds the model schema
the two ways it would there: the settings' file pattern, and a hand-written `$schema` in a folder no
route claims. It is given no way to reach mlmeta.dev, and every schema it asks for must be a file
of the consumer repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from mlmeta.cli import main
from mlmeta.editors import sources
from mlmeta.export import local_ref
from mlmeta.schemas import load_schema, schema_root

from ..conftest import ROOT
from ..helpers import run
from .test_draft7 import IDS, SOURCES, documents, validators, verdicts
from .test_language_server import language_server  # no `local` folder: a schema not on disk is refused
from .test_language_server import pytestmark as needs_server

MODEL = load_schema("model", 1)
HAND_WRITTEN = '"$schema": "../.mlmeta/schemas/model/v1.json"'  # what the README tells a consumer to write
# how the schema reaches the server: (folder of the document, its `$schema` line, whether the settings apply)
WAYS = {
    "settings.json file pattern": ("model_metadata", "", True),
    "hand-written $schema": ("notes", f"  {HAND_WRITTEN},\n", False),
}


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh repository of someone else's, with a Kitfile in a subfolder, after `mlmeta init`."""
    repo = tmp_path_factory.mktemp("consumer")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / "serving").mkdir()
    (repo / "serving" / "Kitfile").write_text("manifestVersion: '1.0'\npackage:\n  name: demo\n", encoding="utf-8")
    for folder in ("model_metadata", "notes"):
        (repo / folder).mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "mlmeta", "init", "--rev", "v0.1.0"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("created: .mlmeta/schemas/ (8 of 8 schemas)\n")
    return repo


def associations(repo: Path) -> list[dict[str, Any]]:
    """json.schemas of the consumer's settings as VS Code hands them to the server: URLs resolved
    against the workspace folder, patterns scoped to it."""
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    return [
        {"uri": (repo / entry["url"]).resolve().as_uri(), "fileMatch": entry["fileMatch"], "folderUri": repo.as_uri()}
        for entry in settings["json.schemas"]
    ]


def serve(repo: Path, way: str, text: str, complete_at: list[dict[str, int]] | None = None) -> dict[str, Any]:
    """The language service's answer on `text` as a file of the consumer repository, the way `way` says."""
    folder, _, by_settings = WAYS[way]
    request = {
        "document": {"uri": (repo / folder / "gpt2.json").as_uri(), "text": text},
        "schemas": associations(repo) if by_settings else [],
        "completeAt": complete_at or [],
    }
    answer = language_server(request)
    # no network: the only schema read is the consumer's own copy, from disk
    assert answer["requested"] == [(repo / ".mlmeta" / "schemas" / "model" / "v1.json").as_uri()]
    return answer


def document(way: str, body: str) -> str:
    return "{\n" + WAYS[way][1] + body + "}\n"


def test_init_points_settings_and_modelines_at_copies_in_the_repository(consumer: Path) -> None:
    settings = json.loads((consumer / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    urls = [entry["url"] for entry in settings["json.schemas"]] + list(settings["yaml.schemas"])
    assert urls and all(url.startswith("./.mlmeta/schemas/") and (consumer / url).is_file() for url in urls)
    kitfile = consumer / "serving" / "Kitfile"
    modeline = kitfile.read_text(encoding="utf-8").splitlines()[0]
    assert modeline == "# yaml-language-server: $schema=../.mlmeta/schemas/kitfile/v1.json"
    assert (kitfile.parent / modeline.partition("=")[2]).is_file()
    exported = sorted(p.relative_to(consumer).as_posix() for p in (consumer / ".mlmeta").rglob("*.json"))
    assert exported == sorted(f".mlmeta/schemas/{kind}/v{version}.json" for kind, version, _ in SOURCES)
    for path in (consumer / ".mlmeta").rglob("*.json"):
        assert "mlmeta.dev" not in path.read_text(encoding="utf-8")  # no $id, $ref or snippet an editor would fetch


def test_the_readme_gives_a_consumer_the_hand_written_schema_tested_here() -> None:
    assert f"  {HAND_WRITTEN},\n" in (ROOT / "README.md").read_text(encoding="utf-8")


@needs_server
@pytest.mark.parametrize("way", WAYS)
def test_completion_offers_the_model_schemas_property_names(way: str, consumer: Path) -> None:
    text = document(way, "  \n")
    line = text.count("\n", 0, text.index("  \n}"))
    offered = set(serve(consumer, way, text, [{"line": line, "character": 2}])["completions"][0])
    expected = set(MODEL["properties"]) - {"$schema"}
    assert expected <= offered
    assert offered - expected <= {"$schema"}


@needs_server
@pytest.mark.parametrize("way", WAYS)
def test_a_wrong_type_is_reported_where_mlmeta_check_reports_it(
    way: str, consumer: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = document(way, '  "id": "openai-community/gpt2",\n  "num_heads": "twelve"\n')
    line = text.count("\n", 0, text.index('"twelve"'))
    start = text.splitlines()[line].index('"twelve"')
    assert serve(consumer, way, text)["diagnostics"] == [{
        "message": "Incorrect type. Expected one of integer, null.",
        "severity": 1,
        "range": {"start": {"line": line, "character": start}, "end": {"line": line, "character": start + 8}},
    }]
    name = f"{WAYS[way][0]}/gpt2.json"
    (consumer / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(consumer)
    # no --kind: the route or the hand-written $schema alone makes it a model file
    message = "expected integer or null, got string (at /num_heads)"
    expected = f"{name}:{line + 1}:{start + 1}: error model/v1 schema: {message}\n"
    assert run(capsys, "check", "-q", name) == (1, expected, "")


@needs_server
@pytest.mark.parametrize("way", WAYS)
def test_a_valid_file_gets_no_diagnostic_and_passes_the_check(
    way: str, consumer: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ours = sorted((ROOT / "model_metadata").glob("*.json"))[0].read_text(encoding="utf-8")
    assert '  "$schema": "../schemas/model/v1.json",\n' in ours
    text = ours.replace('  "$schema": "../schemas/model/v1.json",\n', WAYS[way][1])
    assert serve(consumer, way, text)["diagnostics"] == []
    name = f"{WAYS[way][0]}/valid.json"
    (consumer / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(consumer)
    assert run(capsys, "check", "-v", name)[:2] == (0, "")


def test_schemas_check_says_when_the_copies_are_stale(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--rev", "v0.1.0", "--no-modeline")[0] == 0
    assert run(capsys, "schemas", "--check") == (0, "", "")
    copy = repo / ".mlmeta" / "schemas" / "model" / "v1.json"
    older = copy.read_text(encoding="utf-8").replace('"integer"', '"number"')  # as an older mlmeta exported it
    copy.write_text(older, encoding="utf-8")
    assert run(capsys, "schemas", "--check") == (
        1, f"out of date: {copy}\n", "mlmeta: `mlmeta schemas --draft7` brings them up to date\n"
    )
    assert run(capsys, "schemas", "export", "--check") == (
        1, f"out of date: {copy}\n", "mlmeta: `mlmeta schemas export .mlmeta/schemas` brings them up to date\n"
    )
    assert run(capsys, "schemas", "export") == (0, f"wrote: {copy}\n", "")
    assert run(capsys, "schemas", "--check")[0] == 0
    copy.unlink()  # and `mlmeta init`, run again after an upgrade, brings them up to date too
    assert run(capsys, "init", "--rev", "v0.1.0")[1].startswith("updated: .mlmeta/schemas/ (1 of 8 schemas)\n")
    assert run(capsys, "schemas", "export", "--check") == (0, "", "")


def test_export_writes_any_folder_on_demand(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemas", "export", "site/schemas")
    assert code == 0
    expected = [f"site/schemas/{kind}/v{version}.json" for kind, version, _ in sources(schema_root())]
    assert out == "".join(f"wrote: {path}\n" for path in expected)
    assert run(capsys, "schemas", "export", "site/schemas", "--check") == (0, "", "")
    assert not (repo / ".vscode").exists()  # on demand: the copies only
    assert run(capsys, "schemas", "lock", "site/schemas")[0] == 2  # only export takes a folder


def test_a_hosted_base_is_an_explicit_opt_in(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "init", "--rev", "v0.1.0", "--schema-url", "https://schemas.example.org/mlmeta/")[0] == 0
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    hosted = "https://schemas.example.org/mlmeta/model/v1.draft7.json"
    assert {"fileMatch": ["model_metadata/**/*.json"], "url": hosted} in settings["json.schemas"]
    assert not (repo / ".mlmeta").exists()


@pytest.mark.parametrize(
    ("ref", "local"),
    [
        ("https://mlmeta.dev/schemas/dataset/v1.json#/$defs/source", "../dataset/v1.json#/definitions/source"),
        ("../model/v1.json", "../model/v1.json"),
        ("#/$defs/stage", "#/definitions/stage"),
    ],
)
def test_a_copy_names_another_copy_by_relative_path(ref: str, local: str) -> None:
    assert local_ref(ref) == local


@pytest.mark.parametrize(("kind", "version", "original"), SOURCES, ids=IDS)
def test_an_exported_copy_judges_as_the_original_does_reading_only_the_folder(
    kind: str, version: int, original: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "export", str(tmp_path)]) == 0
    capsys.readouterr()
    path = tmp_path / kind / f"v{version}.json"

    def from_disk(uri: str) -> Resource[Any]:
        assert uri.startswith(tmp_path.as_uri()), f"{uri} is not in the exported folder"
        return DRAFT7.create_resource(json.loads(Path(url2pathname(urlsplit(uri).path)).read_text(encoding="utf-8")))

    registry: Registry[Any] = Registry(retrieve=from_disk)  # every schema read from the folder, by file URI
    exported = Draft7Validator(
        {"$ref": path.as_uri()}, registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
    )
    reference = validators(kind, version, original)[0]
    for name, value in documents(kind):
        assert verdicts(exported, value) == verdicts(reference, value), name


LAB_MODEL = {  # the README's stricter model kind: the bundled schema by its $id, plus a key of the team's own
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "allOf": [{"$ref": "https://mlmeta.dev/schemas/model/v1.json"}],
    "required": ["license"],
}


@needs_server
def test_a_user_kind_that_refs_a_bundled_schema_reads_the_exported_copy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.kinds.lab-model]\nschema = "schemas/lab-model/v1.json"\nextends = "model"\n\n'
        '[tool.mlmeta.routes]\n"cards/*.json" = "lab-model"\n',
        encoding="utf-8",
    )
    (repo / "schemas" / "lab-model").mkdir(parents=True)
    (repo / "schemas" / "lab-model" / "v1.json").write_text(json.dumps(LAB_MODEL), encoding="utf-8")
    code, out, _ = run(capsys, "init", "--rev", "v0.1.0", "--no-modeline")
    assert code == 0 and "created: schemas/lab-model/v1.draft7.json\n" in out
    copy = json.loads((repo / "schemas" / "lab-model" / "v1.draft7.json").read_text(encoding="utf-8"))
    assert copy["allOf"] == [{"$ref": "../../.mlmeta/schemas/model/v1.json"}]
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert {"fileMatch": ["cards/*.json"], "url": "./schemas/lab-model/v1.draft7.json"} in settings["json.schemas"]
    assert run(capsys, "schemas", "--check")[0] == 0

    text = '{\n  "id": "openai-community/gpt2",\n  "num_heads": "twelve"\n}\n'
    answer = language_server(
        {"document": {"uri": (repo / "cards" / "gpt2.json").as_uri(), "text": text}, "schemas": associations(repo)}
    )
    copies = [repo / "schemas" / "lab-model" / "v1.draft7.json", repo / ".mlmeta" / "schemas" / "model" / "v1.json"]
    assert answer["requested"] == [path.as_uri() for path in copies]  # from disk, $ref and all
    assert [(d["message"], d["range"]["start"]) for d in answer["diagnostics"]] == [
        ("Incorrect type. Expected one of integer, null.", {"line": 2, "character": 15}),
        ('Missing property "license".', {"line": 0, "character": 0}),
    ]
    (repo / "cards").mkdir()
    (repo / "cards" / "gpt2.json").write_text(text, encoding="utf-8")
    assert run(capsys, "check", "cards/gpt2.json")[1].splitlines() == [
        "cards/gpt2.json:1:1: error lab-model/v1 schema: missing required key 'license'",
        "cards/gpt2.json:3:16: error lab-model/v1 schema: expected integer or null, got string (at /num_heads)",
    ]


def test_a_user_schema_with_no_draft7_equivalent_is_reported_and_init_goes_on(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.kinds.lab]\nschema = "lab.schema.json"\n\n[tool.mlmeta.routes]\n"cards/*.json" = "lab"\n',
        encoding="utf-8",
    )
    strict = {"$schema": "https://json-schema.org/draft/2020-12/schema", "unevaluatedProperties": False}
    (repo / "lab.schema.json").write_text(json.dumps(strict), encoding="utf-8")
    code, out, err = run(capsys, "init", "--rev", "v0.1.0", "--no-modeline")
    assert code == 1 and "'unevaluatedProperties' has no draft-07 equivalent" in err
    assert out.splitlines() == [
        "created: .mlmeta/schemas/ (8 of 8 schemas)",
        "created: .pre-commit-config.yaml",
        "created: .vscode/settings.json",
    ]
    settings = json.loads((repo / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert {"fileMatch": ["cards/*.json"], "url": "./lab.schema.json"} in settings["json.schemas"]  # the original
