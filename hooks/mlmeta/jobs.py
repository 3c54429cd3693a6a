"""`mlmeta check --jobs N`: work shared among forked processes, findings as one process gives.

- A large JSON Lines file's rows (`split`): mlmeta.partitions' map and reduce on one machine.
  Each partition of the file (whole lines, at most PART_BYTES) is judged by a forked worker or by
  the parent, and the parent adds the results in file order and judges again the few rows whose
  cross-row findings may differ.
- Many files (`files`): each file's findings depend on that file alone (and on the repository,
  which every process reads alike), so the files are cut into short runs that the processes take
  from a shared queue, the parent one of them. What does cross files stays in one process: a large
  JSON Lines file (split by rows afterwards), and a run with a user kind whose `unique` spans files.

Both fork (where os.fork exists; elsewhere the parent does all the work): a forked child has the
parent's engine, its compiled schemas and imported rules, for free, and answers through a pipe. A
process pool would cost ~25 ms of imports and start-up, and its results pass through threads of the
parent that wait for the GIL while the parent judges rows: its workers stood idle ~20 ms a part.
"""

from __future__ import annotations

import marshal
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlmeta.engine import SPLIT_BYTES, Engine
from mlmeta.findings import Finding
from mlmeta.schemas import Route

if TYPE_CHECKING:
    from mlmeta.partitions import Partition, PartResult

# a worker's task: its results (~140 bytes a row) fit a pipe of PIPE_BYTES, so a worker never waits for the parent
PART_BYTES = 4 << 20
PIPE_BYTES = 1 << 20  # Linux's pipe-max-size for any user
AHEAD = 2  # tasks a worker is given ahead: it has the next at hand while the parent judges or adds
HELD = 8  # the parent's own parts judged ahead of a worker's result: memory for a few parts, not the file
STEP_BYTES = 1 << 20  # the parent's own part: ~15 ms of rows, and then it can hand out again
SHARE = PART_BYTES // STEP_BYTES  # steps a worker is given at a time


def split(engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
    """The findings of every row of a JSON Lines file, from `engine.options.jobs` processes, the parent one of them.

    The file is cut into parts of STEP_BYTES. The parent hands them out in file order, SHARE at a
    time (fewer toward the end, so that every process ends together), keeping each worker AHEAD
    tasks ahead; whenever the result it must add next is not in yet, it judges the next part
    itself. Its own parts are small, so it is soon back to hand out more. It adds the results in
    file order. A part is cut (its lines counted) only when it is handed out. The workers are
    forked once the parent has judged the file's first rows: they start with its compiled schema,
    imported rules and no-PHI detectors.
    """
    from mlmeta.partitions import Reduction, cuts

    size = os.path.getsize(path)
    jobs = max(2, min(engine.options.jobs, -(-size // PART_BYTES)))  # no more processes than tasks (`--jobs 300`)
    count = max(jobs, -(-size // STEP_BYTES))
    _warm(engine, path, route)
    workers: list[_Worker] = []
    reduction = Reduction()
    try:
        for _ in range(jobs - 1):
            worker = _Worker.fork(engine, path, route, workers)
            if worker is not None:
                workers.append(worker)
        for result in _in_order(engine, path, route, _Parts(cuts(path, count), count), workers):
            reduction.add(result)
    finally:
        _stop(workers)
    yield from reduction.findings(engine, path, route, state)


def _stop(workers: list[_Worker]) -> None:
    """Every worker told to stop (its pipes closed) before any is waited for: an interrupted wait leaves none
    waiting for a task."""
    import contextlib

    for worker in workers:
        for end in (worker.tasks, worker.results):
            with contextlib.suppress(OSError):
                os.close(end)
    for worker in workers:
        with contextlib.suppress(ChildProcessError, InterruptedError):
            os.waitpid(worker.pid, 0)


class _Parts:
    """The file's steps, taken in file order a few at a time, as one partition."""

    def __init__(self, steps: Iterator[Partition], count: int) -> None:
        self.steps, self.left = steps, count

    def take(self, number: int) -> Partition | None:
        from mlmeta.partitions import Partition

        taken = list(islice(self.steps, number))
        self.left = self.left - len(taken) if len(taken) == number else 0  # (fewer cuts when lines are long)
        return Partition(taken[0].start, taken[-1].end, taken[0].line) if taken else None


def _in_order(
    engine: Engine, path: Path, route: Route | None, parts: _Parts, workers: list[_Worker]
) -> Iterator[PartResult]:
    """Every part's result, in file order; a dead worker's parts are judged by the parent."""
    ahead: deque[tuple[Partition, _Worker | None, PartResult | None]] = deque()  # in file order
    held = 0  # the parent's own results in `ahead`: at most HELD
    while True:
        for worker in workers:
            while worker.alive and worker.given < AHEAD and parts.left:
                share = max(1, min(SHARE, parts.left // (AHEAD * (len(workers) + 1))))
                task = parts.take(share)
                if task is None:
                    break
                worker.give(task)
                ahead.append((task, worker, None))
        first = ahead[0][1] if ahead and ahead[0][2] is None else None  # the worker whose result is added next
        if not ahead or (first is not None and held < HELD and first.alive and not first.ready()):
            mine = parts.take(1)  # rather than wait: a part of its own, its result held till its turn
            if mine is not None:
                ahead.append((mine, None, _own_part(engine, path, route, mine)))
                held += 1
                continue
            if not ahead:
                return
        part, owner, result = ahead.popleft()
        if owner is None:
            held -= 1
        elif result is None:
            result = owner.receive()
        yield result if result is not None else _own_part(engine, path, route, part)  # None: the worker died


def _warm(engine: Engine, path: Path, route: Route | None) -> None:
    """The file's first rows judged, their results let go: what they load and compile, every worker has."""
    from mlmeta.partitions import Partition

    with path.open("rb") as handle:
        head = handle.read(WARM_BYTES << 4)
    end = head.find(b"\n", WARM_BYTES) + 1 or head.rfind(b"\n") + 1  # whole lines; none: no warming
    if end:
        _own_part(engine, path, route, Partition(0, end, 1))


WARM_BYTES = 64 << 10  # ~80 manifest rows: enough to meet most detectors, a millisecond to judge twice


def _own_part(engine: Engine, path: Path, route: Route | None, part: Partition) -> PartResult:
    """A part judged by the parent's own engine, whose allowlist uses of earlier files are kept."""
    from mlmeta.partitions import judge
    from mlmeta.rules.phi.allowlist import used_entries

    earlier = set(used_entries(engine.run))
    try:
        return judge(engine, path, route, part)
    finally:
        used_entries(engine.run).update(earlier)


class _Worker:
    """A forked process that judges the parts it is given, in order, and sends each result back pickled."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        import select

        self.pid, self.tasks, self.results = pid, tasks, results  # the pipes' ends: raw, unbuffered
        self.given = 0  # parts given whose results are not read yet
        self.alive = True
        self._poll = select.poll()  # (not select.select: no limit on the descriptor's number)
        self._poll.register(results, select.POLLIN)

    @classmethod
    def fork(cls, engine: Engine, path: Path, route: Route | None, others: list[_Worker]) -> _Worker | None:
        """None when no pipe or process can be had (or no os.fork): the parent judges those parts."""

        def serve(ends: list[int]) -> None:
            task_read, task_write, result_read, result_write = ends
            for end in (task_write, result_read, *(e for other in others for e in (other.tasks, other.results))):
                os.close(end)  # another worker's tasks pipe must end when the parent closes it
            _widen(result_write)
            _serve(engine, path, route, task_read, result_write)

        child = _forked(2, serve)
        if child is None:
            return None
        pid, (task_read, task_write, result_read, result_write) = child
        os.close(task_read)
        os.close(result_write)
        return cls(pid, task_write, result_read)

    def give(self, part: Partition) -> None:
        self.given += 1  # (a part given to a worker that died is judged by the parent, in its turn)
        try:
            os.write(self.tasks, b"".join(number.to_bytes(8, "little") for number in part))
        except OSError:
            self.alive = False

    def ready(self) -> bool:
        """Whether the next result has begun to arrive, or the worker is gone (without waiting)."""
        return bool(self._poll.poll(0))

    def receive(self) -> PartResult | None:
        """The result of the oldest part given; None when the worker died (it answers no more)."""
        import pickle

        self.given -= 1
        if self.alive:
            head = _exactly(self.results, 8)
            told = _exactly(self.results, int.from_bytes(head, "little")) if head is not None else None
            if told is not None:
                result: PartResult = pickle.loads(told)
                return result
            self.alive = False
        return None


def _exactly(end: int, size: int) -> bytes | None:
    """`size` bytes from a pipe (unbuffered: what is read is never hidden in a buffer from `ready`); None at its end."""
    chunks = []
    while size > 0:
        chunk = os.read(end, min(size, PIPE_BYTES))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


_TASK = 24  # a part given: its three numbers, 8 bytes each


def _serve(engine: Engine, path: Path, route: Route | None, tasks: int, results: int) -> None:
    """The worker's loop: a part read, judged and answered, until the parent closes the tasks pipe."""
    import pickle

    from mlmeta.partitions import Partition, judge

    with os.fdopen(tasks, "rb") as given, os.fdopen(results, "wb") as out:
        while len(task := given.read(_TASK)) == _TASK:
            part = Partition(*(int.from_bytes(task[at : at + 8], "little") for at in range(0, _TASK, 8)))
            told = pickle.dumps(judge(engine, path, route, part), pickle.HIGHEST_PROTOCOL)
            out.write(len(told).to_bytes(8, "little") + told)
            out.flush()


def _widen(end: int) -> None:
    """A pipe that holds a part's whole result: the worker goes on to its next part without waiting for the
    parent to read (Linux; elsewhere the pipe stays as it is)."""
    import contextlib
    import fcntl

    size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if size is not None:
        with contextlib.suppress(OSError):  # above this user's limit: a worker may wait for the parent
            fcntl.fcntl(end, size, PIPE_BYTES)


Each = Callable[[Engine, Path], Iterable[Finding]]  # a file's findings (Engine.check)


def files(engine: Engine, paths: list[Path], each: Each) -> Iterator[Finding]:
    """Every file's findings, the files shared among `engine.options.jobs` processes, the parent one of them.

    The other processes are forked (where os.fork exists; elsewhere the files are checked in
    this process): a forked child has the parent's engine, its compiled schemas and imported
    rules, for free, and sends back marshalled tuples through a pipe. A process pool would cost
    the run ~25 ms of imports and start-up, a quarter of what sharing 1,000 files saves.

    The files are cut into runs of consecutive files, shorter and shorter (`_runs`), whose numbers
    wait in a pipe (`_queue`): whichever process is free takes the next, so that all end together
    however fast each goes (a child pays for the pages it shares with the parent, and git may take
    a core for a while).
    """
    is_large = [engine.size(path) >= SPLIT_BYTES for path in paths]  # (before the forks: expand's stat, or one)
    large = [path for path, big in zip(paths, is_large, strict=True) if big]  # split by rows, after the other files
    shared = [path for path, big in zip(paths, is_large, strict=True) if not big]
    processes = max(1, min(engine.options.jobs, len(shared) // MIN_RUN))
    if processes < 2 or not hasattr(os, "fork") or _across_files(engine):
        for path in paths:
            yield from each(engine, path)
        return
    skipped = len(engine.skipped)
    # the first file before the forks: imports, compiled schemas and rule tables are then every child's too
    found = list(each(engine, shared[0]))
    runs = _runs(shared[1:], processes)
    queue = _queue(len(runs))
    children: list[tuple[int, int] | None] = []
    done: set[int] = set()
    try:
        if queue is not None:  # (no pipe: the parent takes every run)
            children.extend(_fork(engine, runs, queue, each) for _ in range(min(processes, len(runs)) - 1))
        for number in _taken(queue):
            found.extend(finding for path in runs[number] for finding in each(engine, path))
            done.add(number)
        for at, child in enumerate(children):
            children[at] = None  # _collect ends it, whatever happens
            told = _collect(*child) if child is not None else None
            if told is not None:  # (a child that died or could not be had: the runs it took are left undone)
                found.extend(Finding(*fields) for fields in told[0])
                engine.skipped.extend(told[1])
                engine._locked.update(told[2])
                done.update(told[3])
    finally:
        for child in children:  # interrupted: no child is left waiting to be read
            if child is not None:
                _abandon(child[0], [child[1]], lambda: None)
        if queue is not None:
            os.close(queue)
    for number, run in enumerate(runs):
        if number not in done:
            found.extend(finding for path in run for finding in each(engine, path))
    for path in large:
        found.extend(each(engine, path))
    if len(engine.skipped) > skipped:  # -v lists them in the given order
        place = {engine.display(path): number for number, path in enumerate(paths)}
        engine.skipped[skipped:] = sorted(engine.skipped[skipped:], key=lambda item: place.get(item[0], len(place)))
    yield from _once_per_lock(found)


def _queue(count: int) -> int | None:
    """The read end of a pipe holding the numbers 0..count-1, its write end closed: read to the end, it is
    empty; None when no pipe can be had (the parent takes every run itself).

    Written whole before any process reads (count * 4 bytes, at most QUEUE_RUNS * 4: one page, the
    least buffer Linux gives a pipe), so the write never waits, a 4-byte read takes one number
    whole, and no two processes take the same.
    """
    assert count <= QUEUE_RUNS
    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        told = b"".join(number.to_bytes(4, "little") for number in range(count))
        while told:
            told = told[os.write(write_end, told) :]
    finally:
        os.close(write_end)
    return read_end


def _taken(queue: int | None) -> Iterator[int]:
    """The numbers taken from the queue by this process, until it is empty (none without a queue: the runs
    no process took are checked by the parent afterwards)."""
    if queue is None:
        return
    while token := os.read(queue, 4):
        yield int.from_bytes(token, "little")


def _fork(engine: Engine, runs: list[list[Path]], queue: int, each: Each) -> tuple[int, int] | None:
    """(pid, the pipe to read) of a child checking the runs it takes from the queue; None when no pipe or
    process can be had."""

    def check(ends: list[int]) -> None:
        read_end, write_end = ends
        os.close(read_end)
        engine.options.jobs = 1  # no pool of its own: the parent keeps the large files
        before = len(engine.skipped)
        found: list[tuple[Any, ...]] = []
        done: list[int] = []
        for number in _taken(queue):
            found.extend(tuple(finding) for path in runs[number] for finding in each(engine, path))
            done.append(number)
        told = marshal.dumps((found, engine.skipped[before:], sorted(engine._locked), done))
        with os.fdopen(write_end, "wb") as out:
            out.write(told)

    child = _forked(1, check)
    if child is None:
        return None
    pid, (read_end, write_end) = child
    os.close(write_end)
    return pid, read_end


def _forked(pipes: int, work: Callable[[list[int]], None]) -> tuple[int, list[int]] | None:
    """(pid, ends) of a child that runs `work(ends)` and exits; None when no pipe or process can be had.

    `ends` are the read and write ends of `pipes` new pipes; each side closes those it does not
    use. The child never returns into the parent's code: nothing printed, no atexit (the parent
    reports). Ctrl-C and SIGTERM are held across the fork, so that one lands in the child inside
    its `try`; one that lands in the parent before it has the child (a pending handler runs when
    the mask is restored) ends that child and closes its pipes before the interrupt goes on.
    """
    import gc
    import signal

    if not hasattr(os, "fork"):
        return None
    mask = getattr(signal, "pthread_sigmask", None)
    caller = mask(signal.SIG_BLOCK, set()) if mask else None  # the mask as it is (read, not changed)

    def restore() -> None:
        if mask and caller is not None:
            mask(signal.SIG_SETMASK, caller)

    ends: list[int] = []
    pid = -1
    try:
        for _ in range(pipes):
            ends.extend(os.pipe())
        if mask:
            mask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        # the child's collector never scans (and so never copies) the pages it shares with the parent;
        # the parent's objects are collectable again at once (a cycle that was garbage stays garbage)
        gc.freeze()
        try:
            pid = os.fork()
        finally:
            if pid != 0:
                gc.unfreeze()
    except OSError:  # out of file descriptors, processes or memory
        pid = -1
    except BaseException:  # interrupted before the fork
        _abandon(None, ends, restore)
        raise
    if pid == 0:
        status = 1
        try:
            restore()
            work(ends)
            status = 0
        finally:
            os._exit(status)
    try:
        restore()
    except BaseException:  # a signal held across the fork: the child is let go before it goes on
        _abandon(pid if pid > 0 else None, ends, lambda: None)
        raise
    if pid < 0:
        _abandon(None, ends, lambda: None)
        return None
    return pid, ends


def _abandon(pid: int | None, ends: list[int], restore: Callable[[], None]) -> None:
    """A child ended and waited for, its pipes closed, the signal mask restored (whatever interrupts)."""
    import contextlib
    import signal

    try:
        if pid is not None:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        for end in ends:
            with contextlib.suppress(OSError):
                os.close(end)
    finally:
        restore()


Told = tuple[list[tuple[Any, ...]], list[tuple[str, str]], list[str], list[int]]  # findings, skipped, locked, runs


def _collect(pid: int, read_end: int) -> Told | None:
    """What a child told, once it ended; None when it failed. Interrupted, the child is ended too."""
    try:
        with os.fdopen(read_end, "rb") as handle:
            told = handle.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        _abandon(pid, [], lambda: None)
        raise
    if status != 0 or not told:
        return None
    found: Told = marshal.loads(told)
    return found


def _across_files(engine: Engine) -> bool:
    """A user kind whose `unique` spans the files of a run (one row per file): one process sees them all."""
    return any(kind.unique and kind.rows is None and kind.format != "jsonl" for kind in engine.kinds.user.values())


MIN_RUN = 100  # files a process is given at the least: fewer are not worth a fork (nor `--jobs 300` 300 forks)
LAST_RUN = 4  # files in the last, shortest runs: the processes end within a few files' work of each other
QUEUE_RUNS = 1024  # runs at most: their numbers fill one page of a pipe (a user past its pipe quota gets no more)


def _runs(paths: list[Path], processes: int) -> list[list[Path]]:
    """Runs of consecutive paths (files of a folder stay together), shorter and shorter: each is a share of
    what is left, so the first are long and the last hold LAST_RUN files (guided scheduling). Whichever
    process is free takes the next, and they end together however fast each goes. At most QUEUE_RUNS."""
    least = max(LAST_RUN, -(-len(paths) // QUEUE_RUNS))
    runs = []
    at = 0
    while at < len(paths):
        size = max(least, (len(paths) - at) // (2 * processes))
        runs.append(paths[at : at + size])
        at += size
    return runs


def _once_per_lock(found: list[Finding]) -> Iterator[Finding]:
    """`schema-lock` speaks once per kind per run: two processes may each have met a file of the kind."""
    said: set[Finding] = set()
    for finding in found:
        if finding.rule == "schema-lock":
            if finding in said:
                continue
            said.add(finding)
        yield finding
