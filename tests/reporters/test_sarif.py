"""`--format sarif`: valid SARIF 2.1.0 (checked against the OASIS schema shipped as a fixture)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator, FormatChecker

from mlmeta.cli import main
from mlmeta.findings import Finding
from mlmeta.reporters import sarif
from mlmeta.rules import BUILTIN, RULES

from ..conftest import FIXTURES

SARIF_SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def assert_valid(log: dict[str, Any]) -> None:
    errors = sorted(Draft4Validator(SARIF_SCHEMA, format_checker=FormatChecker()).iter_errors(log), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_cli_output_is_valid_sarif_with_regions_and_pointers(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text('{"repo_id": "a/b", "family": 3}\n{"repo_id": "a/b"}\n', encoding="utf-8")
    (repo / "sub dir").mkdir()
    (repo / "sub dir" / "models.jsonl").write_text("{oops\n", encoding="utf-8")
    assert main(["check", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    assert main(["check", "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)
    assert_valid(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids))  # one rule per id
    assert set(BUILTIN) | set(RULES) <= set(ids)
    results = run["results"]
    assert len(results) == len(findings)
    for result, found in zip(results, findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == found["rule"]
        assert result["level"] == found["severity"]
        location = result["locations"][0]
        assert location["physicalLocation"]["region"] == {"startLine": found["line"], "startColumn": found["column"]}
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == found["path"].replace(" ", "%20")
        if found["pointer"]:
            assert location["logicalLocations"][0]["fullyQualifiedName"] == found["pointer"]
    wrong_type = next(r for r in results if r["message"]["text"] == "expected string, got integer (at /family)")
    assert wrong_type["locations"][0]["physicalLocation"]["region"] == {"startLine": 1, "startColumn": 30}
    assert wrong_type["locations"][0]["logicalLocations"] == [{"name": "family", "fullyQualifiedName": "/family"}]
    assert {r["ruleId"] for r in results} == {"schema", "parse", "duplicate-row"}


def test_a_clean_run_is_a_valid_log_without_results(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "sarif"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert_valid(log)
    assert log["runs"][0]["results"] == []


def test_fingerprint_follows_the_pointer_not_the_line() -> None:
    one = Finding("m.json", 3, 7, "/a", "model", 1, "schema", "error", "bad")
    moved = Finding("m.json", 9, 2, "/a", "model", 1, "schema", "error", "bad")
    other = Finding("m.json", 3, 7, "/b", "model", 1, "schema", "error", "bad")
    assert sarif.fingerprint(one) == sarif.fingerprint(moved) != sarif.fingerprint(other)


def test_absolute_paths_become_file_uris() -> None:
    assert sarif.artifact("/tmp/a b.json") == {"uri": "file:///tmp/a%20b.json"}


def many(rule: str, count: int) -> list[Finding]:
    return [Finding(f"{rule}.jsonl", i + 1, 1, "", "manifest", 1, rule, "error", "bad") for i in range(count)]


def test_past_the_limit_each_rule_is_summarised() -> None:
    log = sarif.log([*many("schema", 30), *many("duplicate-row", 5)], limit=10)
    assert_valid(log)
    results = log["runs"][0]["results"]
    assert len(results) == 10
    texts = [(r["ruleId"], r["message"]["text"]) for r in results]
    assert [t for t in texts if "more" in t[1]] == [
        ("schema", "26 more 'schema' findings are not listed here (a SARIF upload holds at most 10 results); "
         "run `mlmeta check --format json` for all of them"),
        ("duplicate-row", "1 more 'duplicate-row' findings are not listed here (a SARIF upload holds at most 10 "
         "results); run `mlmeta check --format json` for all of them"),
    ]
    # the summary points at the first finding it stands for
    assert results[4]["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "35 findings summarised to 10 results"


def test_a_small_rule_keeps_all_of_its_results() -> None:
    results = sarif.log([*many("schema", 30), *many("duplicate-row", 2)], limit=10)["runs"][0]["results"]
    assert [r["ruleId"] for r in results].count("duplicate-row") == 2
    assert len(results) == 10


def test_the_real_limit_holds() -> None:
    log = sarif.log(many("schema", sarif.MAX_RESULTS + 1))
    results = log["runs"][0]["results"]
    assert len(results) == sarif.MAX_RESULTS
    assert results[-1]["message"]["text"].startswith("2 more 'schema' findings")
    assert "toolExecutionNotifications" not in sarif.log(many("schema", 3))["runs"][0]["invocations"][0]


@pytest.mark.parametrize(("counts", "budget", "cap"), [([30, 5], 10, 4), ([30, 2], 10, 7), ([3], 3, 3), ([], 5, 0)])
def test_per_rule_cap(counts: list[int], budget: int, cap: int) -> None:
    assert sarif.per_rule_cap(counts, budget) == cap


def test_unknown_rule_gets_a_descriptor() -> None:
    out = io.StringIO()
    sarif.write([Finding("x.json", 1, 1, "", None, None, "made-up", "warning", "odd")], out)
    log = json.loads(out.getvalue())
    assert_valid(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[log["runs"][0]["results"][0]["ruleIndex"]]["id"] == "made-up"
