"""Every command that reads a file a user named refuses a FIFO and a device, instead of waiting forever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="POSIX only")


def mlmeta(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`mlmeta ARGS...` in a process of its own: a command that hangs is killed, and the test fails."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mlmeta", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=20
    )


@pytest.fixture
def odd(tmp_path: Path) -> Path:
    """A repository with a FIFO (`fifo.jsonl`) and a link to /dev/zero (`zero.json`)."""
    (tmp_path / ".git").mkdir()
    os.mkfifo(tmp_path / "fifo.jsonl")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    return tmp_path


@needs_fifo
def test_the_opener_refuses_a_fifo_a_device_and_a_file_over_its_cap(odd: Path) -> None:
    from mlmeta.openers import read_regular

    for name in ("fifo.jsonl", "zero.json"):
        with pytest.raises(OSError, match="not a regular file"):
            read_regular(odd / name)
    (odd / "big.json").write_bytes(b"x" * 11)
    with pytest.raises(OSError, match="larger than 10 bytes"):
        read_regular(odd / "big.json", limit=10)
    assert read_regular(odd / "big.json", limit=11) == b"x" * 11


@needs_fifo
@pytest.mark.parametrize(
    "args",
    [
        ("manifest", "list", "--manifest", "fifo.jsonl"),
        ("manifest", "show", "a/b", "--manifest", "zero.json"),
        ("migrate", "--to", "2", "fifo.jsonl"),
        ("migrate", "--to", "2", "zero.json"),
        ("modelkit", "id", "fifo.jsonl"),
        ("modelkit", "id", "zero.json"),
    ],
)
def test_commands_refuse_what_is_not_a_regular_file(odd: Path, args: tuple[str, ...]) -> None:
    done = mlmeta(odd, *args)
    assert done.returncode in (1, 2)
    assert "not a regular file" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@needs_fifo
@pytest.mark.parametrize("results", ["fifo.jsonl", "zero.json"])
def test_enrich_refuses_results_that_are_not_a_regular_file(odd: Path, results: str) -> None:
    (odd / "models.jsonl").write_text('{"repo_id": "a/b"}\n', encoding="utf-8")
    done = mlmeta(odd, "manifest", "enrich", "--manifest", "models.jsonl", "--results", results, "--output", "o.jsonl")
    assert done.returncode == 1
    assert "not a regular file" in done.stdout
    assert not (odd / "o.jsonl").exists()


@needs_fifo
@pytest.mark.parametrize("name", ["config.json", "README.md", "model.safetensors"])
def test_collect_refuses_snapshot_files_that_are_not_regular(odd: Path, name: str) -> None:
    snapshot = odd / "snapshot"
    snapshot.mkdir()
    (snapshot / "config.json").write_text(json.dumps({"model_type": "bert"}), encoding="utf-8")
    (snapshot / "README.md").write_text("---\nlicense: mit\n---\n", encoding="utf-8")
    (snapshot / name).unlink(missing_ok=True)
    os.mkfifo(snapshot / name)
    done = mlmeta(odd, "collect", "model", "a/b", "--snapshot", "snapshot")
    assert done.returncode in (1, 2)
    assert "not a regular file" in done.stderr
    assert "Traceback" not in done.stderr


@needs_fifo
def test_an_allowlist_linked_to_dev_zero_is_a_usage_error(odd: Path) -> None:
    (odd / "model_scores").mkdir()
    (odd / "model_scores" / "a.json").write_text(json.dumps({"model_name": "a/b", "results": {}}), encoding="utf-8")
    (odd / ".mlmeta-phi-allowlist").symlink_to("/dev/zero")
    done = mlmeta(odd, "check", "model_scores/a.json")
    assert done.returncode == 2
    assert "cannot read the PHI allowlist: not a regular file" in done.stderr


@needs_fifo
def test_init_reads_no_kitfile_that_is_a_fifo(odd: Path) -> None:
    """Outside git, discovery walks the folder and lists a FIFO named Kitfile: init reads files only."""
    os.mkfifo(odd / "Kitfile")
    done = mlmeta(odd, "init", "--no-vscode", "--rev", "v0.1.0")
    assert (done.returncode, done.stderr) == (0, "")
    assert "Kitfile" not in done.stdout


def test_the_head_of_a_file_and_a_file_read_in_steps(tmp_path: Path) -> None:
    from mlmeta.openers import read_regular

    data = bytes(range(256)) * 20_000  # 5 MB: past one step of what a file that grew holds more
    (tmp_path / "big.bin").write_bytes(data)
    assert read_regular(tmp_path / "big.bin") == data
    assert read_regular(tmp_path / "big.bin", head=1000) == data[:1000]  # whatever its size
    assert read_regular(tmp_path / "big.bin", limit=len(data)) == data
    with pytest.raises(OSError, match="larger than"):
        read_regular(tmp_path / "big.bin", limit=len(data) - 1)
    (tmp_path / "empty.json").write_bytes(b"")
    assert read_regular(tmp_path / "empty.json") == b"" and read_regular(tmp_path / "empty.json", head=10) == b""
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path, head=10)
