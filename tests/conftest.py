from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REALWORLD = ROOT.parent / "shared" / "realworld"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository to run in (a `.git` folder marks its root): findings are printed relative to it."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the repository root, so printed paths are relative to it."""
    monkeypatch.chdir(ROOT)
    return ROOT


def realworld(relative: str) -> Path:
    path = REALWORLD / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/realworld is not beside this checkout)")
    return path
