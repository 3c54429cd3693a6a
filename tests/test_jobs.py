"""`mlmeta check --jobs N` finds exactly what one process finds, however the rows are split.

The file is split into parts whatever its size here (`SPLIT_BYTES` patched), so that duplicates,
hashes and base models name rows of other parts. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import mlmeta.engine
import mlmeta.jobs
import mlmeta.partitions
from mlmeta.cli import main

from .conftest import ROOT
from .helpers import forked_pids

ROWS = 300


def _manifest(folder: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from data import manifest_rows  # the benchmark's generator: rows in OpenMed's shape
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    rows: list[Any] = [row for row, _ in zip(manifest_rows(17), range(ROWS), strict=False)]
    at = {line: rows[line - 1] for line in range(1, ROWS + 1)}  # by line: row n is on line n
    at[250]["repo_id"] = at[10]["repo_id"]  # a duplicate in another part than its first row
    at[260]["repo_id"] = at[10]["repo_id"]  # and again, in that same part
    at[155]["repo_id"] = at[154]["repo_id"]  # a duplicate in the same part
    at[270] = dict(at[20])  # the same row twice: duplicate-row, not duplicate-hash
    at[220]["reproducibility_hash"] = at[5]["reproducibility_hash"]  # two models, one hash, parts apart
    at[240]["reproducibility_hash"] = at[5]["reproducibility_hash"]
    at[280]["base_model"] = at[3]["repo_id"]  # a base model in an earlier part
    at[50]["base_model"] = at[290]["repo_id"]  # a base model in a later part
    at[180]["base_model"] = at[181]["repo_id"] + "-typo"  # no such row: a finding, with a did-you-mean
    at[30]["param_count"] = "twelve"  # a bad row in each part
    at[130]["reproducibility_hash"] = "sha256:" + at[130]["reproducibility_hash"][7:].upper()  # fixable
    lines = [json.dumps(row, separators=(",", ":")) for row in at.values()]
    lines[229] = lines[229][:-1]  # line 230: not JSON
    lines[99] = lines[99].replace(":", ": ", 1)  # not canonical: the exact reader
    lines[199] = ""  # a blank line: the numbers go on
    text = "\n".join(lines) + "\n"
    (folder / "models.jsonl").write_text(text, encoding="utf-8")
    (folder / "pyproject.toml").write_text('[tool.mlmeta]\nnamespace = "OpenMed"\n', encoding="utf-8")


@pytest.fixture
def manifest(repo: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A manifest that is split at any size; returns the number of splits made, as a list that grows."""
    _manifest(repo)
    monkeypatch.setattr(mlmeta.engine, "SPLIT_BYTES", 1)
    splits: list[int] = []
    split = mlmeta.jobs.split

    def counted(*args: Any) -> Any:
        splits.append(1)
        return split(*args)

    monkeypatch.setattr(mlmeta.jobs, "split", counted)
    return splits


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "-q", *args, "models.jsonl"])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("jobs", ["2", "3"])
def test_jobs_find_what_one_process_finds(
    manifest: list[int], capsys: pytest.CaptureFixture[str], fmt: str, jobs: str
) -> None:
    one = _run(capsys, "--jobs", "1", "--format", fmt)
    assert not manifest
    assert _run(capsys, "--jobs", jobs, "--format", fmt) == one
    assert manifest == [1]


def test_cross_part_findings_are_there(manifest: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "--jobs", "3")
    found = {(line.split(":")[1], line.split(" ")[3].rstrip(":")) for line in out.splitlines()}
    assert code == 1
    assert {
        ("250", "duplicate-row"),
        ("260", "duplicate-row"),
        ("155", "duplicate-row"),
        ("270", "duplicate-row"),
        ("220", "duplicate-hash"),
        ("240", "duplicate-hash"),
        ("180", "reference"),
        ("30", "schema"),
        ("130", "hash-format"),
        ("230", "parse"),
    } <= found
    assert "already used by the row on line 10" in out.split("models.jsonl:260:")[1].splitlines()[0]
    assert not any(line in ("50", "280", "270") for line, rule in found if rule in ("reference", "duplicate-hash"))


def test_rows_seen_moved_to_disk_find_what_a_dict_finds(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules keep their rows-seen tables as dicts up to SPILL keys, then move them to disk mid-file."""
    import mlmeta.rules
    import mlmeta.rules.seen

    in_memory = _run(capsys, "--jobs", "1", "--format", "json")
    moved: list[int] = []
    spilled = mlmeta.rules.seen.spilled

    def counted(table: dict[str, Any]) -> Any:
        moved.append(len(table))
        return spilled(table)

    monkeypatch.setattr(mlmeta.rules.seen, "spilled", counted)
    monkeypatch.setattr(mlmeta.rules, "SPILL", 7)
    assert _run(capsys, "--jobs", "1", "--format", "json") == in_memory
    assert moved == [8, 8]  # repo_ids and hashes, each once, past 7 keys
    assert '"duplicate-hash"' in in_memory[1] and '"duplicate-row"' in in_memory[1]


def test_without_a_process_to_fork_the_parent_judges_every_part(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _run(capsys, "--jobs", "1")

    def no_process() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_process)
    assert _run(capsys, "--jobs", "3") == one
    assert manifest == [1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_a_worker_that_dies_leaves_its_parts_to_the_parent(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _run(capsys, "--jobs", "1", "--format", "json")
    monkeypatch.setattr(mlmeta.jobs, "STEP_BYTES", 4096)
    monkeypatch.setattr(mlmeta.jobs, "PART_BYTES", 16384)
    parent, judge = os.getpid(), mlmeta.partitions.judge
    judged: list[int] = []

    def dies_on_its_second_part(*args: Any) -> Any:
        judged.append(os.getpid())
        if os.getpid() != parent and judged.count(os.getpid()) > 1:
            os._exit(3)
        return judge(*args)

    answers: list[bool] = []
    receive = mlmeta.jobs._Worker.receive

    def received(worker: Any) -> Any:
        answer = receive(worker)
        answers.append(answer is not None)
        return answer

    monkeypatch.setattr(mlmeta.partitions, "judge", dies_on_its_second_part)
    monkeypatch.setattr(mlmeta.jobs._Worker, "receive", received)
    assert _run(capsys, "--jobs", "2", "--format", "json") == one
    assert manifest == [1]
    assert answers[0] and not answers[-1]  # one part answered, then none: the parent judged the rest


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_workers_whose_pipes_are_numbered_past_1024(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process with many files open (an embedding tool, hundreds of workers): select() would refuse them."""
    resource = pytest.importorskip("resource")
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 1200:
        pytest.skip(f"only {soft} file descriptors")
    one = _run(capsys, "--jobs", "1")
    monkeypatch.setattr(mlmeta.jobs, "STEP_BYTES", 4096)
    monkeypatch.setattr(mlmeta.jobs, "PART_BYTES", 16384)
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        assert _run(capsys, "--jobs", "3") == one
    finally:
        for end in held:
            os.close(end)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked")
def test_an_interrupted_wait_leaves_no_worker_waiting_for_a_task(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the parent waits for its first worker: every worker was told to stop before."""
    import time

    real = os.waitpid
    interrupted: list[int] = []
    workers = forked_pids(monkeypatch)

    def first_wait_interrupted(pid: int, options: int) -> tuple[int, int]:
        if not interrupted:
            interrupted.append(pid)
            raise KeyboardInterrupt
        return real(pid, options)

    monkeypatch.setattr(mlmeta.jobs, "STEP_BYTES", 4096)
    monkeypatch.setattr(mlmeta.jobs, "PART_BYTES", 16384)
    monkeypatch.setattr(os, "waitpid", first_wait_interrupted)
    assert main(["check", "-q", "--jobs", "3", "models.jsonl"]) == 130
    monkeypatch.undo()
    assert len(workers) == 2 and interrupted == workers[:1]
    deadline = time.monotonic() + 20
    running = set(workers)
    while running and time.monotonic() < deadline:  # each worker ends by itself: its tasks pipe is closed
        for pid in list(running):
            try:
                if real(pid, os.WNOHANG) != (0, 0):
                    running.discard(pid)
            except ChildProcessError:  # waited for already (by the parent's stop)
                running.discard(pid)
        time.sleep(0.01)
    assert not running


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="signals are held with pthread_sigmask")
def test_an_interrupt_as_signals_are_held_leaves_the_signal_mask_as_it_was(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CPython runs a pending handler after it changed the mask: a Ctrl-C caught then must not leave Ctrl-C blocked."""
    real = signal.pthread_sigmask

    def interrupted_after_blocking(how: int, mask: Any) -> Any:
        previous = real(how, mask)
        if how == signal.SIG_BLOCK and signal.SIGINT in set(mask):
            raise KeyboardInterrupt
        return previous

    monkeypatch.setattr(signal, "pthread_sigmask", interrupted_after_blocking)
    assert main(["check", "-q", "--jobs", "3", "models.jsonl"]) == 130
    monkeypatch.undo()
    assert signal.SIGINT not in real(signal.SIG_BLOCK, set())


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="signals are held with pthread_sigmask")
def test_a_ctrl_c_held_across_a_fork_leaves_no_worker_behind(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interrupt lands in the parent when it lets signals through again: the child it has just made is ended."""
    import time

    monkeypatch.setattr(mlmeta.jobs, "STEP_BYTES", 4096)
    monkeypatch.setattr(mlmeta.jobs, "PART_BYTES", 16384)
    real, forked = os.fork, []

    def fork_then_ctrl_c() -> int:
        pid = real()
        if pid:
            forked.append(pid)
            if len(forked) == 2:  # to this thread (held until it restores its mask), not to a thread of another test
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        return pid

    monkeypatch.setattr(os, "fork", fork_then_ctrl_c)
    assert main(["check", "-q", "--jobs", "3", "models.jsonl"]) == 130
    monkeypatch.undo()
    deadline, running = time.monotonic() + 20, set(forked)
    while running and time.monotonic() < deadline:
        for pid in list(running):
            try:
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    running.discard(pid)
            except ChildProcessError:  # waited for already
                running.discard(pid)
        time.sleep(0.01)
    assert len(forked) == 2 and not running


def test_many_small_parts(
    manifest: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many more parts than jobs (a large file, STEP_BYTES at a time), some workers' tasks of several: the same."""
    one = _run(capsys, "--jobs", "1")
    monkeypatch.setattr(mlmeta.jobs, "STEP_BYTES", 1024)
    monkeypatch.setattr(mlmeta.jobs, "PART_BYTES", 4096)
    assert _run(capsys, "--jobs", "2") == one
    assert _run(capsys, "--jobs", "3") == one


def test_fix_runs_in_one_process(manifest: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, "--jobs", "2", "--fix")
    assert not manifest
    assert code == 1
    assert "models.jsonl:130:" in out and "fixed" in out


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_jobs_is_a_positive_number(repo: Path, capsys: pytest.CaptureFixture[str], value: str) -> None:
    assert main(["check", "--jobs", value]) == 2
    assert "not a number of processes" in capsys.readouterr().err


def test_allowlist_entries_used_in_any_part_are_not_stale(
    manifest: list[int], repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = repo / "models.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    for line, value in ((60, "mail john.doe@hospital.org"), (260, "patient SSN 123-45-6789")):
        row = json.loads(lines[line - 1])
        row["benchmark"]["dataset"] = value
        lines[line - 1] = json.dumps(row, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in (60, 260):
        assert main(["phi", "allow", "models.jsonl:/benchmark/dataset", "--line", str(line)]) == 0
    path.write_text(path.read_text(encoding="utf-8").replace("123-45-6789", "unknown"), encoding="utf-8")
    capsys.readouterr()
    code, out = _run(capsys, "--jobs", "1")
    assert out.count("phi-allowlist-stale") == 1 and "phi-email" not in out  # entry 1 used, entry 2 stale
    assert _run(capsys, "--jobs", "3") == (code, out)
    assert manifest == [1]
