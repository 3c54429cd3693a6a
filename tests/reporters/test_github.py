"""`--format github`: workflow commands GitHub turns into annotations, and the step summary past its limit."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from mlmeta.cli import main
from mlmeta.findings import Finding
from mlmeta.reporters import github

ROW = '{"repo_id": "a/b", "family": 3}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def finding(message: str = "bad", severity: str = "error", path: str = "m.json", pointer: str = "/a") -> Finding:
    return Finding(path, 3, 7, pointer, "model", 1, "schema", severity, message)


def unescape(text: str) -> str:
    """What the runner does to a value before showing it (the toolkit's escapes, reversed)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner splits it: `::name k=v,k=v::data`."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    properties = dict(pair.split("=", 1) for pair in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in properties.items()}, unescape(match.group(3))


def test_cli_prints_one_annotation_per_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text(ROW, encoding="utf-8")
    code = main(["check", "--format", "github", "--select", "schema", "models.jsonl"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(lines) == 2  # the 13 missing keys in one, and one wrong type
    assert lines[-1] == (
        "::error file=models.jsonl,line=1,col=30,title=mlmeta manifest/v1 schema::"
        "expected string, got integer (at /family)"
    )
    assert lines[0].startswith(
        "::error file=models.jsonl,line=1,col=1,title=mlmeta manifest/v1 schema::missing required keys 'task', "
    )
    assert lines[0].count("'") == 26


def test_a_clean_run_prints_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "other.json").write_text("{}", encoding="utf-8")
    assert main(["check", "--format", "github"]) == 0
    assert capsys.readouterr().out == ""


def test_message_and_properties_escape_as_the_toolkit_does() -> None:
    tricky = finding("100% sure:\r\nline two, really", path="odd, name: 50%.json", pointer="/a:b,c")
    line = github.command(tricky)
    assert "\n" not in line and "\r" not in line
    assert line == (
        "::error file=odd%2C name%3A 50%25.json,line=3,col=7,title=mlmeta model/v1 schema::"
        "100%25 sure:%0D%0Aline two, really (at /a:b,c)"
    )
    name, properties, data = parse(line)
    assert name == "error"
    assert properties == {"file": "odd, name: 50%.json", "line": "3", "col": "7", "title": "mlmeta model/v1 schema"}
    assert data == "100% sure:\r\nline two, really (at /a:b,c)"


@pytest.mark.parametrize(("severity", "command"), [("error", "error"), ("warning", "warning"), ("note", "notice")])
def test_severity_picks_the_command(severity: str, command: str) -> None:
    assert parse(github.command(finding(severity=severity)))[0] == command


def test_ten_of_a_severity_fit_and_write_no_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    findings = [finding(f"e{i}") for i in range(10)] + [finding(f"w{i}", "warning") for i in range(10)]
    out = io.StringIO()
    github.write(findings, out)
    assert len(out.getvalue().splitlines()) == 20
    assert not summary.exists()


def test_past_ten_every_finding_goes_to_the_step_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    findings = [finding(f"e|{i}", path=f"f{i:02}.json") for i in range(11)] + [finding("w", "warning")]
    out = io.StringIO()
    github.write(iter(findings), out)
    assert len(out.getvalue().splitlines()) == 12
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### mlmeta findings\n")  # appended, not replaced
    assert "12 findings (11 error, 1 warning)" in text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 12
    assert rows[0] == "| `f00.json` | 3 | 7 | error | model/v1 | schema | e\\|0 (at `/a`) |"


def test_no_summary_file_without_the_variable(repo: Path) -> None:
    out = io.StringIO()
    github.write([finding(str(i)) for i in range(30)], out)
    assert len(out.getvalue().splitlines()) == 30
    assert list(repo.iterdir()) == [repo / "pyproject.toml"]
