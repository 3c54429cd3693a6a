"""A file is read from disk once: the peek for a declared `$schema` and the parse see the same bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main


def test_a_routed_file_is_opened_once(repo: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "model_metadata").mkdir()
    (repo / "model_metadata" / "a.json").write_text('{"name": "a", "num_layers": "twelve"}\n', encoding="utf-8")
    opened: list[str] = []
    original = Path.open

    def counting(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    assert main(["check", "--select", "schema", "model_metadata/a.json"]) == 1
    assert capsys.readouterr().out == (
        "model_metadata/a.json:1:29: error model/v1 schema: expected integer or null, got string (at /num_layers)\n"
    )
    assert opened.count("a.json") == 1


def test_the_schema_a_routed_file_declares_in_its_head_counts_when_the_file_does_not_parse(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "model_metadata").mkdir()
    (repo / "model_metadata" / "a.json").write_text(
        '{"$schema": "https://mlmeta.dev/schemas/model/v9.json", "name": "a"', encoding="utf-8"  # not even parsed
    )
    assert main(["check", "model_metadata/a.json"]) == 1
    assert capsys.readouterr().out == (
        "model_metadata/a.json:1:1: error - schema-ref: model has no schema v9 (bundled: v1)\n"
    )
