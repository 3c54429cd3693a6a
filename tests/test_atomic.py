"""Atomic writes: a failure or a kill half-way through leaves the old file whole."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlmeta.atomic import write_atomic

from .conftest import ROOT


def test_the_new_content_replaces_the_old_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "models.jsonl"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    write_atomic(target, [b"new ", b"rows\n"])
    assert target.read_bytes() == b"new rows\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["models.jsonl"]


def test_a_failure_while_writing_leaves_the_target_untouched_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "models.jsonl"
    target.write_bytes(b"old row 1\nold row 2\n")

    def chunks() -> Iterator[bytes]:
        yield b"new row 1\n"
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, chunks())
    assert target.read_bytes() == b"old row 1\nold row 2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["models.jsonl"]


def test_a_process_killed_half_way_leaves_the_old_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "models.jsonl"
    old = b"".join(b'{"repo_id":"Org/m%d"}\n' % i for i in range(1000))
    target.write_bytes(old)
    started = tmp_path / "started"
    script = f"""
import time
from pathlib import Path
from mlmeta.atomic import write_atomic

def chunks():
    yield b"half of a new file"
    Path({str(started)!r}).touch()
    time.sleep(60)
    yield b"never"

write_atomic(Path({str(target)!r}), chunks())
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "hooks")}
    process = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 30
        while not started.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the writer never started"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait()
    assert target.read_bytes() == old
    # a kill leaves no chance to clean up: the half-written temporary is a hidden file beside the target
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("models.jsonl", "started")]
    assert all(name.startswith(".models.jsonl.") and name.endswith(".tmp") for name in leftovers)


def test_a_new_file_gets_the_umasks_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.jsonl", [b"x"])
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o644
