"""Engine mechanisms rules rely on: a precise problem replaces the schema's generic finding."""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main
from mlmeta.findings import Problem
from mlmeta.rules import RULES, RuleInfo, Where

from .conftest import FIXTURES

ROW = (FIXTURES / "manifest" / "valid" / "seed-rows.jsonl").read_text(encoding="utf-8").splitlines()[0]


@pytest.fixture
def precise_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that explains the schema's finding about `tier` (and one about `task`, which it does not replace)."""

    def check(value: Any, where: Where) -> Iterator[Problem]:
        yield Problem("/tier", "precise", "tier explained precisely", replaces="schema")
        yield Problem("/task", "precise", "task noted, schema finding kept")

    module = types.ModuleType("mlmeta_test_precise_rule")
    module.check = check  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(RULES, "precise", RuleInfo(module.__name__, frozenset({"manifest"}), "test rule"))


def test_a_problem_that_replaces_the_schema_finding_at_its_pointer_is_the_only_one_left(
    precise_rule: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    row = ROW.replace('"tier":"Tiny"', '"tier":5').replace('"task":"token-classification"', '"task":"Bad Task"')
    (tmp_path / "models.jsonl").write_text(row + "\n", encoding="utf-8")
    assert main(["check", "--format", "json", "models.jsonl"]) == 1
    found = {(f["pointer"], f["rule"], f["message"]) for f in json.loads(capsys.readouterr().out)}
    assert {(pointer, rule) for pointer, rule, _ in found} == {
        ("/task", "schema"),  # nothing replaces it
        ("/task", "precise"),
        ("/tier", "precise"),  # the schema's finding at /tier is gone
    }
    assert ("/tier", "precise", "tier explained precisely") in found
    # without the precise rule selected, the schema's generic finding is back
    assert main(["check", "--select", "schema", "--format", "json", "models.jsonl"]) == 1
    found = {(f["pointer"], f["rule"], f["message"]) for f in json.loads(capsys.readouterr().out)}
    assert {(pointer, rule) for pointer, rule, _ in found} == {("/task", "schema"), ("/tier", "schema")}
