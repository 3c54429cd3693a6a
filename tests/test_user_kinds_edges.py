"""User kinds at their edges: what a review found (each case a reproduction of a problem it reported)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .helpers import run

LAB = '[tool.mlmeta.kinds.lab]\nschema = "schemas/lab/v{N}.json"\n[tool.mlmeta.routes]\n"data/*.json" = "lab"\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_a_yaml_schema_is_read_as_boundedly_as_yaml_data(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
    )
    write(repo, {"pyproject.toml": LAB.replace(".json", ".yaml", 1), "schemas/lab/v1.yaml": bomb, "data/a.json": "{}"})
    code, out, err = run(capsys, "check", "data/a.json")
    assert (code, out) == (2, "") and "schemas/lab/v1.yaml: not a schema: " in err and "aliases" in err
    dated = "type: object\nproperties:\n  released:\n    type: string\n    default: 2020-01-01\n"
    write(repo, {"schemas/lab/v1.yaml": dated, "data/a.json": '{"released": "2021-02-03"}'})
    assert run(capsys, "check", "-q", "data/a.json") == (0, "", "")  # a YAML date is the text written


def test_a_user_id_that_looks_bundled_names_the_user_kind(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    schema = {"$id": "https://schemas.acme.example/model/v1.json", "required": ["owner"]}
    write(repo, {
        "pyproject.toml": LAB.replace('"data/*.json" = "lab"\n', ""),
        "schemas/lab/v1.json": json.dumps(schema),
        "cards/a.json": '{"$schema": "https://schemas.acme.example/model/v1.json", "name": "x"}',
        # another tool's schema URL whose tail looks like a bundled kind's: not mlmeta's
        "cfg/tool.json": '{"$schema": "https://raw.githubusercontent.com/o/t/main/schemas/dataset/v1.json", "a": 1}',
    })
    code, out, _ = run(capsys, "check", "-q")
    assert (code, out) == (1, "cards/a.json:1:1: error lab/v1 schema: missing required key 'owner'\n")


def test_only_a_top_level_schema_routes_a_file(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {
        "pyproject.toml": LAB.replace('"data/*.json" = "lab"\n', ""),
        "schemas/lab/v1.json": '{"required": ["name"]}',
        "misc/nested.json": '{"tool": {"settings": {"$schema": "../schemas/lab/v1.json"}}, "x": 1}',
        "misc/text.yaml": "example: |\n  $schema: ../schemas/lab/v1.json\n",
    })
    assert run(capsys, "check", "-q") == (0, "", "")
    assert run(capsys, "check", "-q", "misc/nested.json", "misc/text.yaml") == (0, "", "")


@pytest.mark.parametrize(
    ("schema", "config_schema", "reason"),
    [
        ('{"type": "string", "pattern": "(("}', "schemas/lab/v{N}.json", "not a schema jsonschema-rs can compile"),
        ('{"items": {"type": "string"}}', "schemas/lab/v{N}.json#/nope", "no part '/nope' to validate against"),
    ],
)
def test_what_only_compiling_finds_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], schema: str, config_schema: str, reason: str
) -> None:
    write(repo, {"pyproject.toml": LAB.replace("schemas/lab/v{N}.json", config_schema),
                 "schemas/lab/v1.json": schema, "data/a.json": '"x"'})
    code, out, err = run(capsys, "check", "data/a.json")
    assert (code, out) == (2, "") and reason in err and "schemas/lab/v1.json" in err


def test_templates_outside_the_root_and_with_glob_characters(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path_factory.mktemp("shared")
    (shared / "v1.json").write_text('{"required": ["name"]}', encoding="utf-8")
    write(repo, {
        "pyproject.toml": f'[tool.mlmeta.kinds.lab]\nschema = "{shared.as_posix()}/v{{N}}.json"\n'
                          '[tool.mlmeta.kinds.odd]\nschema = "schemas/[odd]/v{N}.json"\n'
                          '[tool.mlmeta.routes]\n"data/*.json" = "lab"\n"odd/*.json" = "odd"\n',
        "schemas/[odd]/v1.json": '{"required": ["id"]}',
        "data/a.json": "{}",
        "odd/b.json": "{}",
    })
    code, out, _ = run(capsys, "check", "-q")
    assert code == 1 and out.splitlines() == [
        "data/a.json:1:1: error lab/v1 schema: missing required key 'name'",
        "odd/b.json:1:1: error odd/v1 schema: missing required key 'id'",
    ]
    code, _, err = run(capsys, "schemas", "lock")
    assert code == 2 and "outside the repository" in err
    assert not (shared / "SHA256SUMS").exists()


def test_relocking_never_approves_a_changed_release(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(repo, {"pyproject.toml": LAB, "schemas/lab/v1.json": '{"type": "object"}', "data/a.json": "{}"})
    assert run(capsys, "schemas", "lock")[0] == 0
    write(repo, {"schemas/lab/v1.json": '{"type": "array"}'})
    code, _, err = run(capsys, "schemas", "lock")
    assert code == 2 and "released v1.json changed since they were locked" in err
    assert run(capsys, "schemas", "lock", "--force")[0] == 0
    assert run(capsys, "check", "-q", "data/a.json")[0] == 1  # the accepted v1: an array


def test_duplicate_rows_of_an_extended_manifest_and_of_a_minified_catalog(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(repo, {
        "pyproject.toml": '[tool.mlmeta.kinds.rows]\nschema = "any.json"\nextends = "manifest"\n'
                          '[tool.mlmeta.kinds.cat]\nschema = "any.json"\nrows = ""\nunique = ["/name"]\n'
                          '[tool.mlmeta.routes]\n"rows.jsonl" = "rows"\n"top.json" = "cat"\n',
        "any.json": "{}",
        "rows.jsonl": '{"repo_id": "a/b"}\n{"repo_id": "a/b"}\n',
        "top.json": '[{"name": "a"}, {"name": "a"}]',
    })
    code, out, _ = run(capsys, "check", "-q", "--select", "duplicate-row", "rows.jsonl", "top.json")
    assert (code, out.splitlines()) == (1, [
        "rows.jsonl:2:13: error rows/v1 duplicate-row: repo_id already used by the row on line 1 (at /repo_id)",
        "top.json:1:26: error cat/v1 duplicate-row: name already used by row 1 (line 1) (at /1/name)",
    ])


def test_a_relative_ref_against_an_id_reaches_a_sibling_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lab = {"$id": "https://lab.example/lab/v1.json", "properties": {"n": {"$ref": "../common/defs.json#/$defs/n"}}}
    defs = {"$id": "https://lab.example/common/defs.json", "$defs": {"n": {"$ref": "more.json"}}}
    write(repo, {
        "pyproject.toml": LAB,
        "schemas/lab/v1.json": json.dumps(lab),
        "schemas/common/defs.json": json.dumps(defs),
        "schemas/common/more.json": '{"type": "integer"}',
        "data/a.json": '{"n": "x"}',
    })
    assert run(capsys, "check", "-q", "data/a.json") == (
        1, "data/a.json:1:7: error lab/v1 schema: expected integer, got string (at /n)\n", ""
    )
    (repo / "schemas/lab/v1.json").write_text(json.dumps({**lab, "$ref": "../../../outside.json"}), "utf-8")
    code, out, _ = run(capsys, "check", "-q", "data/a.json")  # a $ref that leaves the repository reads nothing
    assert code == 1 and "schema-ref" in out
