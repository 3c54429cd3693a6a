"""Kinds of the repository's own: `[tool.mlmeta.kinds.<name>]`, `--schemafile`, extension by `$id`, locks.

Each test builds a small repository in tmp_path, shaped like the real ones these features serve:
a draft-07 schema beside its catalog (the 001 repository's layout, invented values), a team's
stricter model kind, a one-file YAML catalog of model descriptors.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from .helpers import commit, consumer, run

pytest_plugins = ["pytester"]

MODEL_SCHEMA = {  # the shape of the 001 repository's model_metadata_schema.json (draft-07)
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "dimensions": {
            "type": "object",
            "properties": {"num_layers": {"type": "integer"}, "hidden_size": {"type": "integer"}},
        },
    },
    "required": ["id"],
}
RESULTS_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {"model_name": {"type": "string"}, "results": {"type": "object"}},
    "required": ["model_name", "results"],
    "additionalProperties": False,
}
MODEL = """{
  "id": "example-org/tiny-7b",
  "created_at": "2023-10-21 22:56:50+00:00",
  "tags": ["text-generation"],
  "dimensions": {"num_layers": 32, "hidden_size": 4096}
}
"""
SCORES = """{
  "model_name": "example-org/tiny-7b",
  "results": {
    "harness": {
      "arc_easy": {"acc": 0.71, "acc_stderr": NaN},
      "gsm8k": {"acc": 0.12},
      "gsm8k": {"acc": 0.13}
    }
  }
}
"""
CONFIG_001 = """
[tool.mlmeta.kinds.lab-model]
schema = "metadata/model_metadata_schema.json"
extends = "model"
formats = false

[tool.mlmeta.kinds.lab-results]
schema = "metadata/model_results_schema.json"
formats = false

[tool.mlmeta.routes]
"metadata/model_metadata/*.json" = "lab-model"
"metadata/model_scores/*.json" = "lab-results"
"""
MODEL_V1 = "https://mlmeta.dev/schemas/model/v1.json"


def repository(root: Path, files: dict[str, str | dict[str, object]]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return root


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The 001 layout: three folders of metadata beside the schemas that describe them."""
    monkeypatch.chdir(tmp_path)
    return repository(tmp_path, {
        "pyproject.toml": CONFIG_001,
        "metadata/model_metadata_schema.json": MODEL_SCHEMA,
        "metadata/model_results_schema.json": RESULTS_SCHEMA,
        "metadata/model_metadata/example-org_tiny-7b.json": MODEL,
        "metadata/model_scores/results_example-org__tiny-7b.json": SCORES,
    })


def test_a_draft7_file_of_the_repository_serves_as_a_kind(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    scores = "metadata/model_scores/results_example-org__tiny-7b.json"
    assert (code, err) == (1, "mlmeta: 2 files checked: 2 errors in 1 file\n")
    # only what Python's json cannot see: a NaN literal and a duplicate key; the model passes
    assert out.splitlines() == [
        f"{scores}:5:47: error lab-results/v1 parse: NaN is not valid JSON; use null or a finite number "
        "(at /results/harness/arc_easy/acc_stderr)",
        f"{scores}:7:7: error lab-results/v1 duplicate-key: duplicate key (first at line 6, column 7); "
        "the last value would silently win (at /results/harness/gsm8k)",
    ]


def test_a_broken_value_is_reported_at_its_line_and_column(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = lab / "metadata/model_metadata/example-org_tiny-7b.json"
    model.write_text(MODEL.replace('"num_layers": 32', '"num_layers": "32"'), encoding="utf-8")
    code, out, _ = run(capsys, "check", str(model.relative_to(lab)))
    assert (code, out) == (
        1,
        "metadata/model_metadata/example-org_tiny-7b.json:5:32: error lab-model/v1 schema: "
        "expected integer, got string (at /dimensions/num_layers)\n",
    )


def test_schemafile_agrees_with_the_configured_kind(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p.relative_to(lab)) for p in sorted((lab / "metadata").glob("model_*/*.json"))]
    _, configured, _ = run(capsys, "check", "--select", "schema,parse,duplicate-key", *files[1:])
    code, adhoc, err = run(
        capsys, "check", "--schemafile", "metadata/model_results_schema.json", "--disable-formats", "*", *files[1:]
    )
    assert (code, err) == (1, "mlmeta: 1 file checked: 2 errors in 1 file\n")
    assert adhoc == configured.replace("lab-results/v1", "schemafile/v1")
    # check-jsonschema's default: formats assert
    code, out, _ = run(capsys, "check", "--schemafile", "metadata/model_metadata_schema.json", files[0])
    assert (code, out.count("RFC 3339 date-time")) == (1, 1)


def test_python_jsonschema_agrees_on_every_file_it_can_read(lab: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {**json.loads(MODEL), "tags": "text-generation"}
    (lab / "metadata/model_metadata/bad.json").write_text(json.dumps(bad), encoding="utf-8")
    for path in sorted((lab / "metadata/model_metadata").glob("*.json")):
        oracle = jsonschema.Draft7Validator(MODEL_SCHEMA).is_valid(json.loads(path.read_text(encoding="utf-8")))
        code, _, _ = run(capsys, "check", "--select", "schema", str(path.relative_to(lab)))
        assert code == (0 if oracle else 1), path.name


VERSIONED = """
[tool.mlmeta.kinds.lab]
schema = "schemas/lab/v{N}.json"

[tool.mlmeta.routes]
"cards/*.json" = "lab"
"""


@pytest.fixture
def versioned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    v1 = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://lab.example/schemas/lab/v1.json",
          "type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    v2 = {"$schema": "https://json-schema.org/draft/2019-09/schema", "$id": "https://lab.example/schemas/lab/v2.json",
          "type": "object", "properties": {"name": {"type": "string"}, "owner": {"$ref": "owner.json"}},
          "required": ["name", "owner"]}
    owner = {"$schema": "http://json-schema.org/draft-07/schema#", "type": "string", "minLength": 2}
    return repository(tmp_path, {
        "pyproject.toml": VERSIONED,
        "schemas/lab/v1.json": v1,
        "schemas/lab/v2.json": v2,
        "schemas/lab/owner.json": owner,
        "cards/plain.json": '{"name": "a"}\n',
        "cards/v2-by-path.json": '{"$schema": "../schemas/lab/v2.json", "name": "b", "owner": "x"}\n',
        "cards/v2-by-id.json": '{"$schema": "https://lab.example/schemas/lab/v2.json", "name": "c"}\n',
    })


def test_versions_are_chosen_by_schema_path_id_or_kind(versioned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check")
    assert (code, out.splitlines()) == (1, [
        "cards/v2-by-id.json:1:1: error lab/v2 schema: missing required key 'owner'",
        # `owner` resolves to owner.json beside the schema, through the schema's own $id
        "cards/v2-by-path.json:1:61: error lab/v2 schema: must be at least 2 characters long (at /owner)",
    ])
    code, out, _ = run(capsys, "check", "--kind", "lab@2", "cards/plain.json")
    assert (code, out) == (1, "cards/plain.json:1:1: error lab/v2 schema: missing required key 'owner'\n")
    code, out, err = run(capsys, "check", "--kind", "lab@3", "cards/plain.json")  # asked for: a usage error
    assert (code, out, err) == (2, "", "mlmeta: error: lab has no schema v3 (in the repository: v1, v2)\n")


def test_schemas_lists_and_locks_the_user_kinds(versioned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemas")
    assert code == 0 and "lab/v1: schemas/lab/v1.json\nlab/v2: schemas/lab/v2.json\n" in out
    code, out, _ = run(capsys, "schemas", "lock")
    assert (code, out) == (0, f"lab: locked v1, v2 in {versioned / 'schemas/lab/SHA256SUMS'}\n")
    lock = (versioned / "schemas/lab/SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in lock] == ["v1.json", "v2.json"]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=versioned / "schemas/lab").returncode == 0

    assert run(capsys, "check", "cards/plain.json")[0] == 0
    v1 = versioned / "schemas/lab/v1.json"
    v1.write_text(v1.read_text(encoding="utf-8").replace('"required"', '"minProperties": 1, "required"'), "utf-8")
    expected = (
        "schemas/lab/v1.json:1:1: error lab/v1 schema-lock: released schema lab/v1 changed since it was locked "
        "in schemas/lab/SHA256SUMS: publish the change as v3 and relock (`mlmeta schemas lock`)"
    )
    for args in (("cards/plain.json",), ("schemas/lab/v1.json",), ()):  # a data file, the schema itself, all
        code, out, _ = run(capsys, "check", *args)
        assert code == 1 and out.splitlines().count(expected) == 1, args
    # a new version is a new file and a relock; the released ones stay as they were
    v1.write_text(v1.read_text(encoding="utf-8").replace('"minProperties": 1, ', ""), "utf-8")
    (versioned / "schemas/lab/v3.json").write_text('{"type": "object"}', encoding="utf-8")
    assert run(capsys, "schemas", "lock")[0] == 0
    assert run(capsys, "check", "cards/plain.json") == (0, "", "mlmeta: 1 file checked, no problems\n")


STRICT_MODEL = {"allOf": [{"$ref": MODEL_V1}], "required": ["license"],
                "properties": {"num_head_groups": {"type": "integer"}}}


def test_a_stricter_model_kind_runs_its_rule_and_the_model_rules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(tmp_path, {
        "pyproject.toml": '[tool.mlmeta.kinds.strict-model]\nschema = "strict.json"\nextends = "model"\n\n'
                          '[tool.mlmeta.routes]\n"model_metadata/*.json" = "strict-model"\n',
        "strict.json": STRICT_MODEL,
        "model_metadata/tiny.json": '{\n  "id": "org/tiny",\n  "reproducibility_hash": "sha256:ABC",\n'
                                    '  "num_head": 12,\n  "num_head_groups": 4\n}\n',
    })
    code, out, _ = run(capsys, "check")
    assert (code, out.splitlines()) == (1, [
        "model_metadata/tiny.json:1:1: error strict-model/v1 schema: missing required key 'license'",
        "model_metadata/tiny.json:3:27: error strict-model/v1 hash-format: 3 hex digits instead of 64 "
        "(at /reproducibility_hash)",
        "model_metadata/tiny.json:4:3: error strict-model/v1 misspelled-key: unknown key 'num_head'; "
        "did you mean 'num_heads'? (at /num_head)",
    ])  # num_head_groups is the team's own key, not a slip of a model key


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ('{"type": "strin"}', "not a valid JSON Schema"),
        ('{"type": "object",', "not valid JSON"),
        ('{"type": "object", "minimum": NaN}', "NaN is not valid JSON"),
        ('{"$schema": "http://127.0.0.1:9/meta.json", "type": "object"}', "names no JSON Schema draft"),
        ('{"$schema": "https://example.com/my-draft", "type": "object"}', "names no JSON Schema draft"),
        (None, "no such schema file"),
    ],
)
def test_a_broken_user_schema_is_a_usage_error_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    schema: str | None,
    reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    files: dict[str, str | dict[str, object]] = {
        "pyproject.toml": '[tool.mlmeta.kinds.lab]\nschema = "lab.schema.json"\n'
                          '[tool.mlmeta.routes]\n"*.data.json" = "lab"\n',
        "a.data.json": "{}",
    }
    if schema is not None:
        files["lab.schema.json"] = schema
    repository(tmp_path, files)
    for args in (("check",), ("check", "a.data.json"), ("check", "--schemafile", "lab.schema.json", "a.data.json")):
        code, out, err = run(capsys, *args)
        assert (code, out) == (2, ""), args
        assert err.startswith("mlmeta: error: lab.schema.json: ") and reason in err, err


def test_a_ref_that_resolves_to_nothing_is_a_finding_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(tmp_path, {
        "pyproject.toml": '[tool.mlmeta.kinds.lab]\nschema = "lab.json"\n[tool.mlmeta.routes]\n"d/*.json" = "lab"\n',
        "lab.json": {"properties": {"a": {"$ref": "https://example.com/never-fetched.json"}}},
        "d/x.json": "{}",
    })
    code, out, _ = run(capsys, "check")
    assert (code, out) == (
        1, "d/x.json:1:1: error lab/v1 schema-ref: lab.json: cannot resolve $ref "
           "'https://example.com/never-fetched.json'\n"
    )


CATALOG_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "params"],
        "properties": {"name": {"type": "string"}, "params": {"type": "integer", "minimum": 0}},
    },
}
CATALOG_CONFIG = """
[tool.mlmeta.kinds.catalog]
schema = "catalog.schema.json#/items"
rows = "/models"
unique = ["/name"]

[tool.mlmeta.kinds.whole-catalog]
schema = "catalog.schema.json"

[tool.mlmeta.kinds.descriptor]
schema = "catalog.schema.json#/items"
unique = ["/name"]

[tool.mlmeta.routes]
"models.yaml" = "catalog"
"catalog.json" = "whole-catalog"
"descriptors/*.json" = "descriptor"
"""


def test_a_one_file_catalog_is_checked_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    entries = "".join(f"  - name: model-{n}\n    params: {n * 1000}\n" for n in range(600))
    entries = entries.replace("name: model-400\n", "name: model-17\n")
    descriptors = [{"name": f"model-{n}", "params": n} for n in range(3)]
    repository(tmp_path, {
        "pyproject.toml": CATALOG_CONFIG,
        "catalog.schema.json": CATALOG_SCHEMA,
        "models.yaml": "# the lab's models\nmodels:\n" + entries,
        "catalog.json": descriptors,
        "descriptors/a.json": descriptors[0],
        "descriptors/b.json": descriptors[1],
    })
    assert run(capsys, "check", "-q") == (
        1, "models.yaml:803:11: error catalog/v1 duplicate-row: name already used by row 18 (line 37) "
           "(at /models/400/name)\n", ""
    )
    (tmp_path / "descriptors/c.json").write_text('{"name": "model-0", "params": -1}', encoding="utf-8")
    code, out, _ = run(capsys, "check", "descriptors/a.json", "descriptors/c.json")
    assert (code, out.splitlines()) == (1, [
        "descriptors/c.json:1:10: error descriptor/v1 duplicate-row: name already used by descriptors/a.json "
        "(at /name)",
        "descriptors/c.json:1:31: error descriptor/v1 schema: must be >= 0 (at /params)",
    ])


def test_the_pytest_plugin_and_pre_commit_serve_a_user_kind(
    tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str], pytester: pytest.Pytester
) -> None:
    repository(pytester.path, {
        "pyproject.toml": CONFIG_001,
        "metadata/model_metadata_schema.json": MODEL_SCHEMA,
        "metadata/model_results_schema.json": RESULTS_SCHEMA,
        "metadata/model_metadata/good.json": MODEL,
        "metadata/model_scores/results_bad.json": SCORES,
    })
    result = pytester.runpytest("--mlmeta", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*results_bad.json:7:7: error lab-results/v1 duplicate-key*"])

    repo = consumer(tmp_path, hook_repo, environment, ["mlmeta"])
    repository(repo, {
        "pyproject.toml": CONFIG_001,
        "metadata/model_metadata_schema.json": MODEL_SCHEMA,
        "metadata/model_results_schema.json": RESULTS_SCHEMA,
        "metadata/model_scores/results_bad.json": SCORES,
    })
    code, output = commit(repo, environment, ".")
    assert code != 0
    assert "metadata/model_scores/results_bad.json:5:47: error lab-results/v1 parse: NaN" in output


def test_editors_get_the_user_kinds(versioned: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schemas", "--draft7")
    assert code == 0
    assert "schemas/lab/v1.draft7.json" in out and "schemas/lab/v2.draft7.json" in out  # 2020-12 and 2019-09
    copy = json.loads((versioned / "schemas/lab/v1.draft7.json").read_text(encoding="utf-8"))
    assert copy["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert copy["$id"] == "https://lab.example/schemas/lab/v1.draft7.json"
    assert not (versioned / "schemas/lab/owner.draft7.json").exists()  # not a kind's schema
    assert run(capsys, "schemas", "--draft7", "--check")[0] == 0
    assert run(capsys, "init", "--no-modeline", "--rev", "v0.1.0")[0] == 0
    settings = json.loads((versioned / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert {"fileMatch": ["cards/*.json"], "url": "./schemas/lab/v1.draft7.json"} in settings["json.schemas"]


def test_a_files_schema_may_choose_an_older_version_than_its_route(
    versioned: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = versioned / "pyproject.toml"
    pyproject.write_text(VERSIONED.replace('"lab"\n', '"lab@2"\n'), encoding="utf-8")
    (versioned / "cards/v1-by-path.json").write_text('{"$schema": "../schemas/lab/v1.json", "name": "d"}\n', "utf-8")
    assert run(capsys, "check", "-q", "cards/v1-by-path.json") == (0, "", "")
    code, out, _ = run(capsys, "check", "cards/plain.json")  # the route's version
    assert (code, out) == (1, "cards/plain.json:1:1: error lab/v2 schema: missing required key 'owner'\n")


@pytest.mark.parametrize(
    ("table", "reason"),
    [
        ('[tool.mlmeta.kinds.model]\nschema = "m.json"\n', "'model' is a bundled kind"),
        ('[tool.mlmeta.kinds.lab]\nschema = "m.json"\nextend = "model"\n', "unknown key(s) extend"),
        ('[tool.mlmeta.kinds.lab]\nschema = "m.json"\nextends = "modle"\n', "unknown kind 'modle'"),
        ('[tool.mlmeta.kinds.lab]\nschema = "m.json"\nrows = "models"\n', "`rows` is a JSON pointer"),
        ('[tool.mlmeta.kinds.lab]\nschema = 3\n', "`schema` is the path of its schema file"),
        ('[tool.mlmeta.kinds.lab]\nschema = "m.json"\n[tool.mlmeta.routes]\n"*.json" = "lba"\n', "unknown kind 'lba'"),
    ],
)
def test_a_mistake_in_a_kind_table_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], table: str, reason: str
) -> None:
    monkeypatch.chdir(tmp_path)
    repository(tmp_path, {"pyproject.toml": table, "m.json": "{}", "a.json": "{}"})
    code, out, err = run(capsys, "check", "a.json")
    assert (code, out) == (2, "") and reason in err, err
