"""Every fixture under tests/fixtures/<kind>/{valid,invalid}/ gives exactly its expected findings.

An invalid fixture `x.json` sits beside `x.json.expected`, the exact text output of
`mlmeta check --kind <kind> <fixture>` run from the repository root. A valid fixture prints nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.schemas import KINDS

from .conftest import FIXTURES, ROOT, fixture_files


def ids(cases: list[tuple[str, Path]]) -> list[str]:
    return [path.relative_to(FIXTURES).as_posix() for _, path in cases]


VALID = fixture_files("valid")
INVALID = fixture_files("invalid")


@pytest.mark.parametrize(("kind", "path"), VALID, ids=ids(VALID))
def test_valid_fixture_has_no_finding(kind: str, path: Path, in_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--no-force-exclude", "--kind", kind, path.relative_to(ROOT).as_posix()])
    assert capsys.readouterr().out == ""
    assert code == 0


@pytest.mark.parametrize(("kind", "path"), INVALID, ids=ids(INVALID))
def test_invalid_fixture_gives_its_exact_findings(
    kind: str, path: Path, in_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = path.with_name(path.name + ".expected").read_text(encoding="utf-8")
    code = main(["check", "--no-force-exclude", "--kind", kind, path.relative_to(ROOT).as_posix()])
    assert capsys.readouterr().out == expected
    assert code == (1 if " error " in expected else 0)


def test_every_kind_has_valid_and_invalid_fixtures() -> None:
    kinds_with = {kind for kind, _ in VALID} & {kind for kind, _ in INVALID}
    assert kinds_with == set(KINDS)
