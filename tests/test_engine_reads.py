"""A file is read from disk once: the peek for a declared `$schema` and the parse see the same bytes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mlmeta.cli import main


def test_a_routed_file_is_opened_once(repo: Path, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "model_metadata").mkdir()
    (repo / "model_metadata" / "a.json").write_text('{"name": "a", "num_layers": "twelve"}\n', encoding="utf-8")
    opened: list[str] = []
    original, os_open = Path.open, os.open

    def counting(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self.name)
        return original(self, *args, **kwargs)

    def os_counting(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.basename(path))
        return os_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", counting)
    monkeypatch.setattr(os, "open", os_counting)
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


def test_the_head_is_the_whole_file_or_its_first_bytes(tmp_path: Path) -> None:
    from mlmeta.engine import _head
    from mlmeta.schemas import PEEK_BYTES

    data = bytes(range(256)) * (3 * 4096 + 7)  # past one read's worth of a file that grew
    (tmp_path / "big.json").write_bytes(data)
    assert _head(tmp_path / "big.json", whole=True) == data
    assert _head(tmp_path / "big.json", whole=False) == data[:PEEK_BYTES]
    (tmp_path / "small.json").write_bytes(b"{}")
    assert _head(tmp_path / "small.json", whole=False) == b"{}"
    assert _head(tmp_path / "empty.json", whole=True) is None  # no such file: the reader says why
    status = Path("/proc/self/status")
    if status.exists():  # a file whose size says 0 and which holds text: read to its end all the same
        assert b"Name:" in (_head(status, whole=True) or b"")
