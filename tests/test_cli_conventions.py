"""What users of ruff, yamllint and check-jsonschema reach for: summary, -q, --exit-zero, stdin, colour, order."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .helpers import run

BAD = '{\n  "id": "a/b",\n  "num_heads": "twelve"\n}\n'
GOOD = '{"id": "a/b", "num_heads": 12}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "model_metadata"
    folder.mkdir()
    (folder / "good.json").write_text(GOOD, encoding="utf-8")
    (folder / "bad.json").write_text(BAD, encoding="utf-8")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    return tmp_path


FINDING = "model_metadata/bad.json:3:16: error model/v1 schema: expected integer or null, got string (at /num_heads)\n"


def test_a_summary_tells_all_good_from_nothing_checked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "model_metadata/good.json") == (0, "", "mlmeta: 1 file checked, no problems\n")
    assert run(capsys, "check", "notes.json") == (
        0, "", "mlmeta: no files checked: no route or $schema claims them (-v says why)\n"
    )
    assert run(capsys, "check", "model_metadata/good.json", "model_metadata/bad.json") == (
        1, FINDING, "mlmeta: 2 files checked: 1 error in 1 file\n"
    )
    assert run(capsys, "check", "-q", "model_metadata/bad.json") == (1, FINDING, "")
    assert run(capsys, "check", "--format", "json", "model_metadata/good.json")[2] == ""  # machine formats: none


def test_exit_zero_reports_and_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--exit-zero", "model_metadata/bad.json")
    assert (code, out) == (0, FINDING)
    assert run(capsys, "check", "--exit-zero", "--kind", "nonsense", "notes.json")[0] == 2  # a usage error stays 2


@pytest.mark.parametrize("separator", ["\n", "\0"])
def test_dash_reads_the_file_names_from_stdin(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, separator: str
) -> None:
    names = separator.join(["model_metadata/good.json", "model_metadata/bad.json", ""])
    monkeypatch.setattr(sys, "stdin", io.StringIO(names))
    assert run(capsys, "check", "-") == (1, FINDING, "mlmeta: 2 files checked: 1 error in 1 file\n")


def test_findings_come_sorted_by_file_and_place(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "model_metadata" / "a.json").write_text(BAD, encoding="utf-8")
    code, out, _ = run(capsys, "check", "model_metadata/bad.json", "model_metadata/a.json")
    assert code == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["model_metadata/a.json", "model_metadata/bad.json"]


def test_missing_required_keys_of_one_object_are_one_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "models.jsonl").write_text('{"repo_id": "a/b"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "check", "-q", "--select", "schema", "models.jsonl")
    assert code == 1 and len(out.splitlines()) == 1
    assert out.startswith("models.jsonl:1:1: error manifest/v1 schema: missing required keys 'family', 'task', ")


def test_colour_on_a_terminal_or_when_asked_never_under_no_color(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    coloured = "model_metadata/bad.json:3:16: \033[1;31merror\033[0m model/v1 schema:"
    assert run(capsys, "check", "--color", "always", "model_metadata/bad.json")[1].startswith(coloured)
    assert run(capsys, "check", "model_metadata/bad.json")[1] == FINDING  # captured: not a terminal
    command = [sys.executable, "-m", "mlmeta", "check", "model_metadata/bad.json"]
    script = f"import pty, sys; sys.exit(pty.spawn({command!r}))"  # stdout a terminal, as a person runs it
    for no_color, expected in (("", "\x1b[1;31merror"), ("1", " error ")):
        env = {**os.environ, "NO_COLOR": no_color}
        done = subprocess.run([sys.executable, "-c", script], cwd=repo, env=env, capture_output=True, check=False)
        assert expected.encode() in done.stdout, done.stdout


def test_help_lists_the_kinds_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--help")
    flat = " ".join(out.split())
    assert code == 0
    assert "model, dataset, results, manifest" in flat
    assert "hash-format" in flat and "phi" in flat and "misspelled-key" in flat


def test_empty_stdin_checks_nothing(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # `git diff --name-only | mlmeta check -` with no change
    assert run(capsys, "check", "-") == (0, "", "mlmeta: no files checked: no route or $schema claims them "
                                                "(-v says why)\n")


def test_a_folder_stands_for_the_files_routes_or_their_schema_claim(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "cards").mkdir()
    (repo / "cards" / "m.json").write_text('{"$schema": "https://mlmeta.dev/schemas/model/v1.json", "num_heads": "x"}')
    code, out, _ = run(capsys, "check", "-q", "cards")
    assert code == 1 and out.startswith("cards/m.json:1:1: error model/v1 schema")


def test_colour_never_prints_a_control_character_of_a_file_name(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "model_metadata/e\x1b[2Jx.json"
    (repo / name).write_text(BAD, encoding="utf-8")
    out = run(capsys, "check", "--color", "always", name)[1]
    assert out.startswith("model_metadata/e\\x1b[2Jx.json:3:16: \033[1;31merror\033[0m model/v1 schema:")


def test_a_version_the_kind_lacks_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--kind", "model@9", "model_metadata/good.json") == (
        2, "", "mlmeta: error: model has no schema v9 (bundled: v1)\n"
    )


COMMAND = [sys.executable, "-c", "from mlmeta.cli import run; run()"]  # what the `mlmeta` script runs
BUFFERED = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}  # as a user's shell


def _command(repo: Path, *args: str, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[bytes]:
    """`mlmeta ARGS` as the installed command runs: through `cli.run`, which leaves with os._exit."""
    return subprocess.run([*COMMAND, *args], cwd=repo, stdout=stdout, stderr=subprocess.PIPE, env=BUFFERED)


def test_the_command_leaves_quickly_with_every_line_written_and_its_exit_code(repo: Path) -> None:
    for number in range(3000):  # far more than a pipe holds: every line must still come out
        (repo / "model_metadata" / f"bad{number:04}.json").write_text(BAD, encoding="utf-8")
    done = _command(repo, "check", "--jobs", "1", "model_metadata")
    assert done.returncode == 1
    assert done.stdout.decode().count(" schema: expected integer or null") == 3001
    assert done.stderr.decode() == "mlmeta: 3002 files checked: 3001 errors in 3001 files\n"


def test_the_command_runs_atexit_handlers_before_it_leaves(repo: Path) -> None:
    code = (
        "import atexit, sys; from mlmeta import cli; "
        "atexit.register(lambda: print('handler ran', file=sys.stderr)); "
        "sys.argv = ['mlmeta', 'check', 'model_metadata/good.json']; cli.run()"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, env=BUFFERED)
    assert (done.returncode, done.stderr) == (0, "mlmeta: 1 file checked, no problems\nhandler ran\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_report_the_disk_refuses_is_exit_2_not_a_silent_success(repo: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = _command(repo, "check", "--format", "json", "model_metadata/good.json", stdout=full)
    assert done.returncode == 2
    assert b"No space left on device" in done.stderr and b"Traceback" not in done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a pipe closed early, POSIX")
def test_a_reader_that_goes_away_ends_the_command_quietly(repo: Path) -> None:
    for number in range(3000):
        (repo / "model_metadata" / f"bad{number:04}.json").write_text(BAD, encoding="utf-8")
    command = subprocess.Popen(
        [*COMMAND, "check", "--jobs", "1", "model_metadata"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=BUFFERED,
    )
    assert command.stdout is not None and command.stderr is not None
    command.stdout.readline()
    command.stdout.close()  # `| head -1`
    error = command.stderr.read()
    assert command.wait(timeout=60) == 1
    assert b"Traceback" not in error and b"Exception ignored" not in error


@pytest.mark.skipif(sys.platform == "win32", reason="a pipe without a reader, POSIX")
def test_a_short_report_no_one_reads_is_exit_1_as_a_long_one(repo: Path) -> None:
    """The report still in the buffer when the check ends meets the closed pipe at the last flush: not a success."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before a byte is written
    try:
        done = _command(repo, "check", "--format", "json", "model_metadata/good.json", stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr
