"""Engine.display resolves each folder once; its answer is the full resolution's, symlinks included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlmeta.config import Config
from mlmeta.engine import Engine


def resolved_then_relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def test_display_answers_as_resolving_every_path_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "x.json").write_text("{}")
    (root / "top.json").write_text("{}")
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    os.symlink(root / "a" / "b" / "x.json", root / "link.json")  # a file symlink: resolved to its target
    os.symlink(root / "a", root / "alias")  # a folder symlink
    os.symlink(outside, root / "out.json")  # a symlink leaving the root
    monkeypatch.chdir(root)
    engine = Engine(Config(root.resolve()))
    paths = [
        Path("top.json"), Path("a/b/x.json"), Path("a/b/../b/x.json"), Path("a/b/.."), Path("link.json"),
        Path("alias/b/x.json"), Path("out.json"), outside, root / "a" / "b" / "x.json", Path("missing/none.json"),
        Path("a/b/x.json"),  # a folder seen before
    ]
    assert [engine.display(p) for p in paths] == [resolved_then_relative(p, root.resolve()) for p in paths]
    assert engine.display(Path("link.json")) == "a/b/x.json"
