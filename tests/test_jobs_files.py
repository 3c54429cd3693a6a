"""`mlmeta check --jobs N` with many files: shared among forked processes, findings as one process gives.

The threshold is lowered (`SPLIT_FILES`) so that a few dozen files are shared; the forks and the
runs each child took are counted, so a test cannot pass by having checked everything in one
process. No timing is asserted.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import mlmeta.check
import mlmeta.engine
import mlmeta.jobs

from .helpers import forked_pids, run

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="files are shared by forking")

MODEL = {
    "$schema": "../schemas/model/v1.json",
    "id": "OpenMed/m-{n}",
    "author": "OpenMed",
    "tags": ["transformers"],
    "config": {"model_type": "bert", "num_hidden_layers": 12},
}


def _model(n: int, **changes: Any) -> str:
    document = json.loads(json.dumps(MODEL).replace("{n}", str(n)))
    document.update(changes)
    return json.dumps(document, indent=2) + "\n"


@pytest.fixture
def sharing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few dozen files are shared: the thresholds lowered."""
    monkeypatch.setattr(mlmeta.check, "SPLIT_FILES", 10)
    monkeypatch.setattr(mlmeta.jobs, "MIN_RUN", 5)


@pytest.fixture
def catalog(repo: Path, sharing: None) -> Path:
    """60 model files with problems spread over the whole list, a results file, and files no route claims."""
    (repo / "model_metadata").mkdir()
    for n in range(60):
        changes: dict[str, Any] = {}
        if n in (3, 41):
            changes["tags"] = "transformers"  # a schema finding, in the parent's run and in a child's
        if n in (7, 52):
            changes["reproducibility_hash"] = "sha256:" + "AB" * 32  # hash-format, fixable
        if n == 30:
            changes["config"] = {"modle_type": "bert"}  # misspelled-key
        (repo / "model_metadata" / f"m{n:02}.json").write_text(_model(n, **changes), encoding="utf-8")
    (repo / "model_metadata" / "m59.json").write_text('{"id": NaN}\n', encoding="utf-8")  # a parse finding
    (repo / "model_scores").mkdir()
    (repo / "model_scores" / "r.json").write_text(
        json.dumps({"model_name": "m", "results": {"task": {"acc": 0.5}}, "contact": "jane.doe@example.org"}),
        encoding="utf-8",
    )
    (repo / "notes").mkdir()
    for n in range(5):
        (repo / "notes" / f"n{n}.json").write_text("{}\n", encoding="utf-8")  # no route: skipped
    return repo


def _names(root: Path, prefix: str = "") -> list[str]:
    return sorted(prefix + p.relative_to(root).as_posix() for p in root.rglob("*.json"))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The runs each child took from the queue, as the parent collects them (-1: a child that told nothing)."""
    taken: list[int] = []
    collect = mlmeta.jobs._collect

    def counted(pid: int, read_end: int) -> Any:
        told = collect(pid, read_end)
        taken.append(len(told[3]) if told is not None else -1)
        return told

    monkeypatch.setattr(mlmeta.jobs, "_collect", counted)
    return taken


@pytest.fixture
def slow_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent checks each file 20 ms late, so the children surely take runs from the queue."""
    parent = os.getpid()
    findings: Callable[[Any, Path], Iterator[Any]] = mlmeta.engine.Engine.check

    def late(engine: Any, path: Path) -> Iterator[Any]:
        if os.getpid() == parent and engine.options.jobs > 1:
            time.sleep(0.02)
        return findings(engine, path)

    monkeypatch.setattr(mlmeta.engine.Engine, "check", late)


@pytest.mark.parametrize("jobs", ["2", "3", "7"])
@pytest.mark.parametrize("output", ["text", "json"])
def test_shared_files_give_what_one_process_gives(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], jobs: str, output: str
) -> None:
    names = _names(catalog)
    alone = run(capsys, "check", "--jobs", "1", "-v", "--format", output, *names)
    assert forks == []
    shared = run(capsys, "check", "--jobs", jobs, "-v", "--format", output, *names)
    assert len(forks) == int(jobs) - 1 and min(forks) >= 0
    assert shared == alone
    assert alone[0] == 1


def test_the_findings_are_there(catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check", "--jobs", "2", *_names(catalog))
    assert code == 1
    rules = sorted(line.split(" ")[3].rstrip(":") for line in out.splitlines())
    # the results file breaks its schema twice besides: `acc` is no object, `contact` no key of it
    assert forks and rules == [
        "hash-format", "hash-format", "misspelled-key", "parse", "phi-email", "schema", "schema", "schema", "schema"
    ]
    assert err.endswith("mlmeta: 61 files checked: 9 errors in 7 files\n")  # the 5 notes were skipped


def test_a_child_that_dies_has_its_files_checked_by_the_parent(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _names(catalog)
    alone = run(capsys, "check", "--jobs", "1", *names)
    parent = os.getpid()
    findings: Callable[[Any, Path], Iterator[Any]] = mlmeta.engine.Engine.check

    def dying(engine: Any, path: Path) -> Iterator[Any]:
        if os.getpid() != parent:
            raise MemoryError  # in the child only
        return findings(engine, path)

    monkeypatch.setattr(mlmeta.engine.Engine, "check", dying)
    assert run(capsys, "check", "--jobs", "2", *names) == alone
    assert forks


def test_a_kind_unique_across_files_is_checked_in_one_process(
    repo: Path, sharing: None, forks: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.kinds.card]\nschema = "card.json"\nunique = ["/name"]\n'
        '[tool.mlmeta.routes]\n"cards/*.json" = "card"\n',
        encoding="utf-8",
    )
    (repo / "card.json").write_text('{"type": "object", "required": ["name"]}', encoding="utf-8")
    (repo / "cards").mkdir()
    for n in range(30):
        name = "first" if n in (0, 29) else f"c{n}"  # the first and the last file: far apart
        (repo / "cards" / f"c{n:02}.json").write_text(json.dumps({"name": name}), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--jobs", "2", *(f"cards/{name}" for name in _names(repo / "cards")))
    assert forks == []
    expected = "cards/c29.json:1:10: error card/v1 duplicate-row: name already used by cards/c00.json (at /name)\n"
    assert (code, out) == (1, expected)


def test_a_changed_lock_is_reported_once(
    repo: Path, sharing: None, forks: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.kinds.lab]\nschema = "schemas/lab/v{N}.json"\n[tool.mlmeta.routes]\n"cards/*.json" = "lab"\n',
        encoding="utf-8",
    )
    schema = repo / "schemas" / "lab" / "v1.json"
    schema.parent.mkdir(parents=True)
    schema.write_text('{"type": "object"}', encoding="utf-8")
    assert run(capsys, "schemas", "lock")[0] == 0
    schema.write_text('{"type": "object", "required": ["name"]}', encoding="utf-8")
    (repo / "cards").mkdir()
    for n in range(30):
        (repo / "cards" / f"c{n:02}.json").write_text(json.dumps({"name": f"c{n}"}), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--jobs", "3", *(f"cards/{name}" for name in _names(repo / "cards")))
    assert forks and code == 1
    assert [line.split(" ")[3] for line in out.splitlines()] == ["schema-lock:"]


def test_without_a_process_to_fork_the_parent_checks_every_file(
    catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _names(catalog)
    alone = run(capsys, "check", "--jobs", "1", *names)

    def no_process() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_process)
    assert run(capsys, "check", "--jobs", "3", *names) == alone


def test_few_files_are_not_shared_however_many_jobs(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mlmeta.jobs, "MIN_RUN", 20)  # 66 files: 3 processes at most
    names = _names(catalog)
    assert run(capsys, "check", "--jobs", "64", *names) == run(capsys, "check", "--jobs", "1", *names)
    assert len(forks) == 2


def test_skipped_files_are_listed_in_the_order_given(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large file is checked after the others; `-v` still names it where it was given."""
    monkeypatch.setattr(mlmeta.jobs, "SPLIT_BYTES", 1_000)
    (catalog / "aaa").mkdir()
    (catalog / "aaa" / "big.json").write_text(json.dumps({"x": "y" * 2_000}), encoding="utf-8")  # no route
    names = _names(catalog)
    assert names[0] == "aaa/big.json"
    alone = run(capsys, "check", "--jobs", "1", "-v", *names)
    assert run(capsys, "check", "--jobs", "3", "-v", *names) == alone
    assert forks and alone[2].startswith("aaa/big.json: skipped")


def test_the_sizes_come_from_the_stat_that_named_each_file(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files named on the command line are not stat'ed again for their size before the forks: the stat
    that told each from a folder told its size."""
    monkeypatch.setattr(mlmeta.jobs, "SPLIT_BYTES", 1_000)
    (catalog / "aaa").mkdir()
    (catalog / "aaa" / "big.json").write_text(json.dumps({"x": "y" * 2_000}), encoding="utf-8")
    sized: list[str] = []
    stat = Path.stat

    def counted(path: Path, **options: Any) -> os.stat_result:
        sized.append(path.as_posix())
        return stat(path, **options)

    monkeypatch.setattr(Path, "stat", counted)
    names = _names(catalog)
    alone = run(capsys, "check", "--jobs", "1", "-v", *names)
    sized.clear()
    assert run(capsys, "check", "--jobs", "3", "-v", *names) == alone and forks
    assert not set(names) & set(sized)


def test_a_yaml_file_read_in_another_process_is_read_alike(
    repo: Path, sharing: None, forks: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    """`reference` reads the files it was not given as the engine does (YAML too), whichever process asks."""
    (repo / "pyproject.toml").write_text(
        '[tool.mlmeta.routes]\n"dataset_metadata/*.yaml" = "dataset"\n"zz_datasets/*.json" = "dataset"\n',
        encoding="utf-8",
    )
    for folder in ("dataset_metadata", "model_metadata", "zz_datasets"):
        (repo / folder).mkdir()
    (repo / "dataset_metadata" / "a.yaml").write_text("name: shared\ndomains: []\n", encoding="utf-8")
    for n in range(30):
        (repo / "model_metadata" / f"m{n:02}.json").write_text(_model(n), encoding="utf-8")
    (repo / "zz_datasets" / "z.json").write_text('{"name": "shared", "domains": []}', encoding="utf-8")
    # z.json first (the parent's), the YAML file last (a child's): z.json's check reads it unchecked
    names = ["zz_datasets/z.json", *_names(repo / "model_metadata", "model_metadata/"), "dataset_metadata/a.yaml"]
    alone = run(capsys, "check", "--jobs", "1", *names)
    assert run(capsys, "check", "--jobs", "2", *names) == alone
    assert forks and alone[1].splitlines() == [
        "dataset_metadata/a.yaml:1:7: warning dataset/v1 reference: zz_datasets/z.json has the same name, "
        "so a model naming it is ambiguous (at /name)",
        "zz_datasets/z.json:1:10: warning dataset/v1 reference: dataset_metadata/a.yaml has the same name, "
        "so a model naming it is ambiguous (at /name)",
    ]


def test_the_children_take_runs_while_the_parent_is_busy(
    catalog: Path, forks: list[int], slow_parent: None, capsys: pytest.CaptureFixture[str]
) -> None:
    names = _names(catalog)
    alone = run(capsys, "check", "--jobs", "1", "-v", *names)
    assert run(capsys, "check", "--jobs", "3", "-v", *names) == alone
    assert len(forks) == 2 and sum(forks) > 0  # the children checked files, and told which


def test_an_interrupt_in_the_parent_leaves_no_child_behind(
    catalog: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C as the parent waits for its first child: every child is ended and waited for, none left to read."""
    real = os.waitpid
    children = forked_pids(monkeypatch)

    def first_wait_interrupted(pid: int, options: int) -> tuple[int, int]:
        if pid == children[0] and options == 0 and len(children) < 3:
            children.append(-1)  # once
            raise KeyboardInterrupt
        return real(pid, options)

    monkeypatch.setattr(os, "waitpid", first_wait_interrupted)
    assert run(capsys, "check", "--jobs", "3", *_names(catalog))[0] == 130
    monkeypatch.undo()
    assert len(children) == 3 and children[2] == -1
    for pid in children[:2]:
        with pytest.raises(ChildProcessError):  # waited for already
            real(pid, os.WNOHANG)


def test_the_queue_of_runs_never_outgrows_a_pipe_of_one_page(
    catalog: Path, forks: list[int], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many processes, the run numbers fit a pipe's least buffer: writing them cannot wait for a reader."""
    monkeypatch.setattr(mlmeta.jobs, "MIN_RUN", 1)
    monkeypatch.setattr(mlmeta.jobs, "QUEUE_RUNS", 8)  # 66 files and 64 processes: 1,024 runs asked, 8 made
    queued: list[int] = []
    queue = mlmeta.jobs._queue

    def counted(count: int) -> int | None:
        queued.append(count)
        return queue(count)

    monkeypatch.setattr(mlmeta.jobs, "_queue", counted)
    names = _names(catalog)
    assert run(capsys, "check", "--jobs", "64", *names) == run(capsys, "check", "--jobs", "1", *names)
    assert queued == [8] and len(forks) == 7  # no more processes than runs
    monkeypatch.undo()
    read_end = queue(mlmeta.jobs.QUEUE_RUNS)  # the most the real limit allows: written whole, no reader yet
    assert read_end is not None
    os.close(read_end)


def test_a_fork_leaves_nothing_frozen_in_the_parent() -> None:
    """The collector is frozen for the child's sake only: a cycle that was garbage at the fork is still collected."""
    import gc
    import weakref

    class Node:
        me: Any = None

    collecting = gc.isenabled()
    gc.disable()  # (no collection before the fork)
    try:
        node = Node()
        node.me = node
        alive = weakref.ref(node)
        del node
        child = mlmeta.jobs._forked(1, lambda ends: None)
        assert child is not None
        pid, ends = child
        os.waitpid(pid, 0)
        for end in ends:
            os.close(end)
        assert gc.get_freeze_count() == 0
        gc.collect()
        assert alive() is None
    finally:
        if collecting:
            gc.enable()
