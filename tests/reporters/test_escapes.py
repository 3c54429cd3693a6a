"""What a report prints cannot drive a terminal, breaks no output format, and tells JSON Lines rows apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..helpers import run

# a key that sets the terminal's window title, then turns its text red
KEY_JSON = '{"results": {"\\u001b]0;owned\\u0007\\u001b[31m": 1}, "model_name": "a/b"}'


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_characters_in_a_key_are_printed_escaped(
    repo: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (repo / "a.json").write_text(KEY_JSON, encoding="utf-8")
    code, out, _ = run(capsys, "check", "--kind", "results", "--select", "schema", "--format", fmt, "a.json")
    assert code == 1
    assert "\x1b" not in out and "\x07" not in out
    assert "/\\x1b]0;owned\\x07\\x1b[31m" in out


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_reports_keep_the_key_as_it_is(repo: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    (repo / "a.json").write_text(KEY_JSON, encoding="utf-8")
    _, out, _ = run(capsys, "check", "--kind", "results", "--select", "schema", "--format", fmt, "a.json")
    assert "\x1b" not in out
    assert "/results/\\u001b]0;owned\\u0007\\u001b[31m" in out  # JSON's own escapes: a reader gets the key back


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="a file name that is not UTF-8")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, fmt: str) -> None:
    """Reported with its odd byte as `\\xe9` (a URI: `%E9`); the output stays valid UTF-8 and valid JSON."""
    (tmp_path / ".git").mkdir()
    name = os.fsdecode(b"caf\xe9.json")
    (tmp_path / name).write_text('{"name": "m", "num_heads": "twelve"}', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "LC_ALL": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-m", "mlmeta", "check", "--kind", "model", "--format", fmt, name],
        cwd=tmp_path, env=env, capture_output=True, check=False,
    )
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode("utf-8")  # strict: the output is UTF-8
    if fmt == "json":
        assert json.loads(out)[0]["path"] == "caf\\xe9.json"
    elif fmt == "sarif":
        location = json.loads(out)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "caf%E9.json"
    else:
        assert "caf\\xe9.json" in out


def test_sarif_fingerprints_differ_from_row_to_row(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each row of a JSON Lines file has the same pointers: code scanning must not merge their alerts."""
    rows = "".join(json.dumps({"repo_id": f"a/m{n}", "tier": "Huge"}) + "\n" for n in range(14))
    (repo / "models.jsonl").write_text(rows, encoding="utf-8")
    _, out, _ = run(capsys, "check", "--format", "sarif", "models.jsonl")
    results = json.loads(out)["runs"][0]["results"]
    assert len(results) >= 14
    assert len({r["partialFingerprints"]["mlmetaPointer/v1"] for r in results}) == len(results)
