"""`misspelled-key`: a known key misspelled in an open object is an error; a key far from every known one passes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main
from mlmeta.rules.keys import nearest


@pytest.mark.parametrize(
    ("key", "near"),
    [
        ("num_head", "num_heads"),  # a letter dropped
        ("num_headss", "num_heads"),  # added
        ("num_haeds", "num_heads"),  # two neighbours swapped
        ("num_hexds", "num_heads"),  # changed
        ("pretraining_data", "pre_training_data"),  # another separator
        ("cardData", "card_data"),  # another case
        ("Vocab-Size", "vocab_size"),
        ("downloads_all_time", None),  # a Hub field we do not list: far from every known key
        ("spaces", None),
        ("lr", None),  # too short to tell a slip from another word
        ("num_heads", None),  # the key itself
    ],
)
def test_nearest_known_key(key: str, near: str | None) -> None:
    known = {"num_heads", "pre_training_data", "card_data", "vocab_size", "likes", "lr", "eps"}
    assert nearest(key, known) == near


def write(root: Path, relative: str, value: Any) -> str:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return relative


def test_misspelled_keys_at_every_depth_and_open_keys_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model = {
        "id": "acme/m",
        "num_head": 32,
        "trending_score": 4,  # a newer Hub field: allowed
        "config": {"model_type": "llama", "tokenizer_config": {"eos_tokn": "</s>", "add_bos_token": True}},
        "training_stages": [{"name": "sft", "optimizer": {"type": "adamw", "params": {"weigth_decay": 0.1}}}],
    }
    relative = write(repo, "model_metadata/acme_m.json", model)
    assert main(["check", "--select", "misspelled-key", relative]) == 1
    assert capsys.readouterr().out == (
        "model_metadata/acme_m.json:3:3: error model/v1 misspelled-key: unknown key 'num_head';"
        " did you mean 'num_heads'? (at /num_head)\n"
        "model_metadata/acme_m.json:8:7: error model/v1 misspelled-key: unknown key 'eos_tokn';"
        " did you mean 'eos_token'? (at /config/tokenizer_config/eos_tokn)\n"
        "model_metadata/acme_m.json:18:11: error model/v1 misspelled-key: unknown key 'weigth_decay';"
        " did you mean 'weight_decay'? (at /training_stages/0/optimizer/params/weigth_decay)\n"
    )


def test_a_closed_object_is_left_to_the_schema(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An AIND record is closed: its unknown keys are the schema's findings, not reported twice."""
    record = {"describedBy": "https://example.org/model.py", "schema_version": "2.0.0", "name": "m", "versoin": "1"}
    relative = write(repo, "model_metadata/aind.json", record)
    main(["check", relative])
    out = capsys.readouterr().out
    assert "unknown key 'versoin'; did you mean 'version'? (at /versoin)" in out
    assert "misspelled-key" not in out


def test_a_json_kind_written_as_yaml_is_read_as_yaml(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text('[tool.mlmeta.routes]\n"evals/*.yaml" = "results"\n', encoding="utf-8")
    (repo / "evals").mkdir()
    (repo / "evals" / "m.yaml").write_text(
        "model_name: acme/m\nlast_updated: 2024-01-31\nresults:\n  harness:\n    arc:challenge:\n"
        "      25-shot:\n        acc: '0.61'\n        acc_stderr: N/A\n",
        encoding="utf-8",
    )
    assert main(["check", "evals/m.yaml"]) == 1
    assert capsys.readouterr().out == (
        "evals/m.yaml:7:14: error results/v1 schema: expected number or null, got string"
        " (at /results/harness/arc:challenge/25-shot/acc)\n"
    )


def test_keys_are_shown_unless_a_detector_finds_an_identifier_in_them(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key is printed so that it can be found (`25shot`); one that holds an e-mail address is hidden, even in a
    model file, which the no-PHI rule does not otherwise cover."""
    write(repo, "model_scores/m.json", {"model_name": "acme/m", "results": {"harness": {"arc": {"25shot": {}}}}})
    write(repo, "model_metadata/m.json", {"id": "acme/m", "config": {"auto_map": {"jane.doe@example.org": 5}}})
    assert main(["check", "--select", "schema", "model_scores/m.json", "model_metadata/m.json"]) == 1
    out = capsys.readouterr().out
    assert "expected number or null, got object (at /results/harness/arc/25shot)" in out
    assert "jane.doe" not in out
    assert "(at /config/auto_map/<redacted 20 characters>)" in out


def test_what_real_tools_write_is_no_slip(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A raw Hub API answer, a newer huggingface_hub's fields, and words that differ in their last letter or a digit."""
    model = {
        "_id": "65a0", "modelId": "acme/m", "cardData": {}, "lastModified": "2024-01-01T00:00:00.000Z",
        "base_models": {"models": []}, "trending_score": 3, "created_at": "2023-09-20 13:03:50+00:00",
        "training_stages": [{"name": "sft", "date": "2024-01", "optimizer": {"params": {"beta1": 0.9, "beta2": 0.95}}}],
    }  # fmt: skip
    relative = write(repo, "model_metadata/acme_m.json", {"id": "acme/m", **model})
    assert main(["check", "--select", "schema,misspelled-key", relative]) == 0
    assert capsys.readouterr().out == ""


def test_a_document_too_deep_to_validate_is_a_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep: Any = 1
    for _ in range(400):
        deep = [deep]
    relative = write(repo, "model_metadata/deep.json", {"id": "a/b", "training_stages": deep})
    assert main(["check", "--select", "schema", relative]) == 1
    assert "schema: nested too deeply to validate" in capsys.readouterr().out


def test_each_way_the_ifs_are_decided_has_its_own_known_keys() -> None:
    """Shapes are remembered per answers to the `if`s (nested too): a value never meets another value's keys."""
    from mlmeta.rules import keys

    schema = {
        "type": "object",
        "properties": {"kind": {"type": "string"}},
        "if": {"properties": {"kind": {"const": "a"}}},
        "then": {
            "properties": {"alpha_rate": {"type": "number"}, "flavour": {"type": "string"}},
            "if": {"properties": {"flavour": {"const": "x"}}},
            "then": {"properties": {"extra_x_depth": {"type": "integer"}}},
            "else": {"properties": {"extra_y_width": {"type": "integer"}}},
        },
        "else": {"properties": {"beta_rate": {"type": "number"}}},
    }
    values = [
        {"kind": "a", "alpha_rat": 1, "flavour": "x", "extra_x_dept": 1, "extra_y_widt": 1},
        {"kind": "b", "alpha_rat": 1, "beta_rat": 2, "extra_x_dept": 1},
        {"kind": "a", "flavour": "y", "extra_x_dept": 1, "extra_y_widt": 1},
        {"kind": "a", "alpha_rat": 1, "flavour": "x", "extra_x_dept": 1, "extra_y_widt": 1},
    ]

    def found(value: dict[str, object]) -> list[str]:
        problems: list[keys.Problem] = []
        keys._walk(value, keys._root_schemas(schema), schema, "", problems)
        return [problem.message for problem in problems]

    remembered = [found(value) for value in values]
    afresh = []
    for value in values:
        for table in (keys._SHAPES, keys._EXPANDED, keys._STATIC, keys._DECIDED, keys._ROOTS):
            table.clear()
        afresh.append(found(value))
    assert remembered == afresh
    assert remembered[0] == ["unknown key 'alpha_rat'; did you mean 'alpha_rate'?",
                             "unknown key 'extra_x_dept'; did you mean 'extra_x_depth'?"]
    assert remembered[1] == ["unknown key 'beta_rat'; did you mean 'beta_rate'?"]
    assert remembered[2] == ["unknown key 'extra_y_widt'; did you mean 'extra_y_width'?"]
