"""mlmeta.partitions, the map and the reduce of `--jobs`, give what `mlmeta check --jobs 1` gives, with Dask or without.

The manifest is the one tests/test_jobs.py splits: duplicates, a shared hash and base models
whose rows lie in other partitions. Dask runs on its local schedulers only (no network, no cluster).
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

import mlmeta.partitions
from mlmeta.cli import main
from mlmeta.findings import Finding
from mlmeta.partitions import PartResult, check_partition, merge, partitions

from .test_jobs import _manifest

COUNT = 5  # partitions of the 300 rows: line 10's duplicates (250, 260) and line 5's hash (220, 240) lie in others
CROSSING = {(250, "duplicate-row"), (260, "duplicate-row"), (220, "duplicate-hash"), (240, "duplicate-hash")}


@pytest.fixture
def manifest(repo: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[Finding]]:
    """The manifest's path and what `mlmeta check --jobs 1` reports for it (read from its JSON output)."""
    _manifest(repo)
    main(["check", "-q", "--jobs", "1", "--format", "json", "models.jsonl"])
    one = [Finding(**found) for found in json.loads(capsys.readouterr().out)]
    assert {(f.line, f.rule) for f in one} >= CROSSING
    return repo / "models.jsonl", one


def test_partitions_are_whole_lines_in_file_order(manifest: tuple[Path, list[Finding]]) -> None:
    path, _ = manifest
    data = path.read_bytes()
    parts = partitions(path, COUNT)
    assert len(parts) == COUNT
    assert parts[0].start == 0 and parts[-1].end == len(data)
    for before, after in pairwise(parts):
        assert before.end == after.start and data[after.start - 1 : after.start] == b"\n"
        assert after.line == data[: after.start].count(b"\n") + 1

    def holding(line: int) -> int:
        return max(number for number, part in enumerate(parts) if part.line <= line)

    assert holding(10) < holding(250) and holding(5) < holding(220)  # duplicates in later partitions than their first


def test_map_and_reduce_without_dask(manifest: tuple[Path, list[Finding]], repo: Path) -> None:
    path, one = manifest
    results = [check_partition(path, part, root=repo) for part in partitions(path, COUNT)]
    mapped = {(f.line, f.rule) for result in results for f in result.findings}
    assert not {(250, "duplicate-row"), (220, "duplicate-hash")} & mapped  # no partition holds their first rows
    found = merge(path, results, root=repo)
    assert found == one
    assert merge(path, results, root=repo) == one  # again, in a process whose engines have run
    assert "line 10" in next(f.message for f in found if (f.line, f.rule) == (260, "duplicate-row"))  # not line 250
    for wrong in (results[::-1], results[1:], results[:-1]):  # a merge of others would find other things
        with pytest.raises(ValueError, match="cover the file in order"):
            merge("models.jsonl", wrong, root=repo)


def test_a_file_that_is_not_split_is_checked_whole(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A route the file cannot have (a version the manifest kind lacks): the engine's one finding, nothing else."""
    rows = ['{"$schema": "https://mlmeta.dev/schemas/manifest/v99.json", "repo_id": "a/b"}', '{"repo_id": "a/b"}']
    (repo / "models.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    main(["check", "-q", "--jobs", "1", "--format", "json", "models.jsonl"])
    one = [Finding(**found) for found in json.loads(capsys.readouterr().out)]
    results = [check_partition("models.jsonl", part, root=repo) for part in partitions(repo / "models.jsonl", 2)]
    assert all(result.whole and not result.findings for result in results)
    assert merge("models.jsonl", results, root=repo) == one
    assert [f.rule for f in one] == ["schema-ref"]


def test_results_cross_processes(manifest: tuple[Path, list[Finding]]) -> None:
    import pickle

    path, _ = manifest
    result = check_partition(path, partitions(path, COUNT)[2])
    assert isinstance(pickle.loads(pickle.dumps(result)), PartResult)
    assert pickle.loads(pickle.dumps(result)) == result


@pytest.mark.parametrize("scheduler", ["processes", "threads", "synchronous"])
def test_dask_map_and_reduce(manifest: tuple[Path, list[Finding]], scheduler: str) -> None:
    dask = pytest.importorskip("dask")
    path, one = manifest
    root = path.parent
    mlmeta.partitions._engines.clear()
    # the README's pattern: a task per partition, one reduce
    results = [dask.delayed(check_partition)(path, part, root=root) for part in partitions(path, COUNT)]
    found = dask.delayed(merge)(path, results, root=root).compute(scheduler=scheduler, num_workers=3)
    assert found == one
    assert {(f.line, f.rule) for f in found} >= CROSSING
    assert bool(mlmeta.partitions._engines) == (scheduler != "processes")  # processes: no engine built here
