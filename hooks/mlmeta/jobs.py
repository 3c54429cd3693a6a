"""`mlmeta check --jobs N`: work shared among processes, findings as one process gives.

- A large JSON Lines file's rows (`split`): mlmeta.partitions' map and reduce on one machine.
  Each partition of the file (whole lines, at most PART_BYTES) is judged in a worker of a
  process pool, and the parent adds the results in file order and judges again the few rows
  whose cross-row findings may differ.
- Many files (`files`): each file's findings depend on that file alone (and on the repository,
  which every process reads alike), so the files are cut into one run of files per process, the
  parent checking one of them. What does cross files stays in one process: a large JSON Lines
  file (split by rows afterwards), and a run with a user kind whose `unique` spans files.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmeta.config import Config
from mlmeta.engine import SPLIT_BYTES, Engine, Options, file_size
from mlmeta.findings import Finding
from mlmeta.schemas import Route

if TYPE_CHECKING:
    from mlmeta.partitions import Partition, PartResult

PART_BYTES = 8 << 20  # a worker holds one part in memory: bounded whatever the file's size

_engine: Engine | None = None  # a worker's: the parent's when forked, else built once per process


def _start(config: Config, options: Options, disabled_formats: frozenset[str]) -> None:
    global _engine
    if _engine is not None:
        return  # forked: the parent's engine, its schemas compiled and rules imported, is this worker's too
    _engine = Engine(config, options)
    _engine.kinds.disabled_formats = disabled_formats  # --disable-formats, set on the parent's kinds


def _portable(config: Config) -> Config:
    """The configuration without what was compiled from it (a worker that is not forked gets it pickled)."""
    copy = Config(config.root, config.routes, config.exclude, config.table, config.source)
    copy.derived = {name: value for name, value in config.derived.items() if name != "kinds"}
    return copy


def _part(path: Path, route: Route | None, partition: Partition) -> PartResult:
    from mlmeta.partitions import judge

    assert _engine is not None
    return judge(_engine, path, route, partition)


def split(engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
    """The findings of every row of a JSON Lines file, from `engine.options.jobs` processes, the parent one of them.

    Every `jobs`-th part is the parent's own; the others go to jobs - 1 workers, at most two
    rounds ahead of the part being added, so that results do not pile up in the parent's memory
    while it judges its share. The parts are added in file order, each let go once added; a part
    is cut (its lines counted) only when it is about to be handed out. A forked worker starts with
    the parent's engine (a spawned one builds its own from the configuration).
    """
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor  # here: sharing files forks, and needs none of it

    from mlmeta.partitions import Reduction, cuts

    global _engine
    size = os.path.getsize(path)
    jobs = max(2, min(engine.options.jobs, -(-size // PART_BYTES)))  # no more processes than parts (`--jobs 300`)
    count = jobs * max(1, -(-size // (PART_BYTES * jobs)))  # a multiple: every process ends together
    parts = enumerate(cuts(path, count))
    reduction = Reduction()
    given = (_portable(engine.config), engine.options, engine.kinds.disabled_formats)
    _engine = engine
    try:
        with ProcessPoolExecutor(jobs - 1, initializer=_start, initargs=given) as pool:
            ahead: deque[Partition | Future[PartResult]] = deque()  # in file order: the parent's parts, the workers'

            def hand_out() -> None:
                while sum(isinstance(item, Future) for item in ahead) < 2 * (jobs - 1):
                    index, part = next(parts, (-1, None))
                    if part is None:
                        return
                    ahead.append(part if index % jobs == 0 else pool.submit(_part, path, route, part))

            hand_out()
            while ahead:
                item = ahead.popleft()
                reduction.add(item.result() if isinstance(item, Future) else _own_part(engine, path, route, item))
                hand_out()
    finally:
        _engine = None
    yield from reduction.findings(engine, path, route, state)


def _own_part(engine: Engine, path: Path, route: Route | None, part: Partition) -> PartResult:
    """A part judged by the parent's own engine, whose allowlist uses of earlier files are kept."""
    from mlmeta.partitions import judge
    from mlmeta.rules.phi.allowlist import used_entries

    earlier = set(used_entries(engine.run))
    try:
        return judge(engine, path, route, part)
    finally:
        used_entries(engine.run).update(earlier)


Each = Callable[[Engine, Path], Iterable[Finding]]  # a file's findings (mlmeta.check._findings)


def files(engine: Engine, paths: list[Path], each: Each) -> Iterator[Finding]:
    """Every file's findings, the files shared among `engine.options.jobs` processes, the parent one of them.

    The other processes are forked (where os.fork exists; elsewhere the files are checked in
    this process): a forked child has the parent's engine, its compiled schemas and imported
    rules, for free, and sends back marshalled tuples through a pipe. A process pool would cost
    the run ~25 ms of imports and start-up, a quarter of what sharing 1,000 files saves.
    """
    large = [path for path in paths if file_size(path) >= SPLIT_BYTES]  # split by rows, after the other files
    shared = [path for path in paths if file_size(path) < SPLIT_BYTES]
    runs = _runs(shared, engine.options.jobs)
    if len(runs) < 2 or not hasattr(os, "fork") or _across_files(engine):
        for path in paths:
            yield from each(engine, path)
        return
    from mlmeta.documents import json as json_reader

    json_reader.expect(len(shared))  # orjson loaded by the parent, once for every child
    skipped = len(engine.skipped)
    # the first file before the forks: imports, compiled schemas and rule tables are then every child's too
    found = list(each(engine, runs[0][0]))
    children = [_fork(engine, run, each) for run in runs[1:]]
    found.extend(finding for path in runs[0][1:] for finding in each(engine, path))
    for child, run in zip(children, runs[1:], strict=True):
        told = _collect(*child) if child is not None else None
        if told is None:  # no child (no process or pipe to be had), or it died: its files are checked here
            found.extend(finding for path in run for finding in each(engine, path))
        else:
            found.extend(Finding(*fields) for fields in told[0])
            engine.skipped.extend(told[1])
            engine._locked.update(told[2])
    for path in large:
        found.extend(each(engine, path))
    place = {engine.display(path): number for number, path in enumerate(paths)}  # -v lists them in the given order
    engine.skipped[skipped:] = sorted(engine.skipped[skipped:], key=lambda item: place.get(item[0], len(place)))
    yield from _once_per_lock(found)


def _fork(engine: Engine, run: list[Path], each: Each) -> tuple[int, int] | None:
    """(pid, the pipe to read) of a child checking a run of files; None when no pipe or process can be had."""
    try:
        read_end, write_end = os.pipe()
    except OSError:  # out of file descriptors
        return None
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory
        os.close(read_end)
        os.close(write_end)
        return None
    if pid:
        os.close(write_end)
        return pid, read_end
    status = 1
    try:  # the child: never back into the parent's code, and nothing printed (the parent reports)
        os.close(read_end)
        engine.options.jobs = 1  # no pool of its own: the parent keeps the large files
        before = len(engine.skipped)
        found = [tuple(finding) for path in run for finding in each(engine, path)]
        told = marshal.dumps((found, engine.skipped[before:], sorted(engine._locked)))
        with os.fdopen(write_end, "wb") as out:
            out.write(told)
        status = 0
    finally:
        os._exit(status)


def _collect(pid: int, read_end: int) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]], list[str]] | None:
    with os.fdopen(read_end, "rb") as handle:
        told = handle.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not told:
        return None
    found: tuple[list[tuple[Any, ...]], list[tuple[str, str]], list[str]] = marshal.loads(told)
    return found


def _across_files(engine: Engine) -> bool:
    """A user kind whose `unique` spans the files of a run (one row per file): one process sees them all."""
    return any(kind.unique and kind.rows is None and kind.format != "jsonl" for kind in engine.kinds.user.values())


MIN_RUN = 100  # files a process is given at the least: fewer are not worth a fork (nor `--jobs 300` 300 forks)


def _runs(paths: list[Path], jobs: int) -> list[list[Path]]:
    """Consecutive runs of the paths, one per process (fewer for fewer paths): files of a folder stay together."""
    count = max(1, min(jobs, len(paths) // MIN_RUN))
    return [paths[len(paths) * index // count : len(paths) * (index + 1) // count] for index in range(count)]


def _once_per_lock(found: list[Finding]) -> Iterator[Finding]:
    """`schema-lock` speaks once per kind per run: two processes may each have met a file of the kind."""
    said: set[Finding] = set()
    for finding in found:
        if finding.rule == "schema-lock":
            if finding in said:
                continue
            said.add(finding)
        yield finding
