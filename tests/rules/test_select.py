"""`--select`, `--kind` and settings that name nothing are usage errors: a misspelling must not pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers import run


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["--select", "hash-fromat"], None, "unknown rule id 'hash-fromat'; did you mean 'hash-format'?"),
        (["--select", "phi,shcema"], None, "unknown rule id 'shcema'; did you mean 'schema'?"),
        (["--kind", "model@0"], None, "bad version in 'model@0': write kind@N, such as manifest@2"),
        (["--kind", "model@\u00b2"], None, "bad version in 'model@\u00b2'"),
        (["--kind", "model@" + "9" * 5000], None, "bad version in 'model@999"),
        ([], '[tool.mlmeta.routes]\n"*.json" = "model@0"\n', "bad version in 'model@0'"),
        ([], "[tool.mlmeta]\nnamespace = 5\n", "tool.mlmeta.namespace is a Hub organisation name, a string"),
    ],
)
def test_a_misspelt_selection_kind_or_setting_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], config: str | None, message: str
) -> None:
    write(repo / "a.json", '{"reproducibility_hash": "sha256:AB"}')
    if config is not None:
        write(repo / "pyproject.toml", config)
    code, out, err = run(capsys, "check", *args, "a.json")
    assert (code, out) == (2, "")
    assert err.startswith("mlmeta: error: ") and message in err
