"""`mlmeta check --jobs N`: a large JSON Lines file's rows split across processes, findings as one process gives.

Each part of the file (whole lines, at most PART_BYTES) is validated in a worker with tables of
its own, which log every cross-row key they meet: `repo_id` -> its row's line (`duplicate-row`,
and the base models `reference` looks up), `reproducibility_hash` -> (line, repo_id)
(`duplicate-hash`). The parent merges the logs in row order, so a key's first row is the file's
first. A row whose key first appeared in an earlier part is the only one whose cross-row finding
a worker may have got wrong: those rows are read again and judged with the merged tables, and
their findings replace the worker's. Findings of the other rules depend on the row alone.

A base model that names a row of another part is still found: the rule reads the whole
manifest's ids when the rows seen so far lack it (rules.references).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from mlmeta.config import Config
from mlmeta.documents import Document
from mlmeta.engine import Engine, Options
from mlmeta.findings import Finding
from mlmeta.rules.seen import Seen
from mlmeta.schemas import Route

PART_BYTES = 8 << 20  # a worker holds one part in memory: bounded whatever the file's size
IDS, HASHES = "repo_ids", "hashes"  # the where.state tables of rules.repo_ids.first_lines and rules.hashes
RULE_OF = {IDS: "duplicate-row", HASHES: "duplicate-hash"}

V = TypeVar("V")


class Logged(Seen[V]):
    """A rows-seen table that also logs every key it is asked about, with the value offered."""

    __slots__ = ("log",)

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, V]] = []

    def setdefault(self, key: str, value: V) -> V:
        self.log.append((key, value))
        return super().setdefault(key, value)


class Part(NamedTuple):
    findings: list[Finding]
    logs: dict[str, list[tuple[str, Any]]]  # table -> (key, value) in row order
    used: set[Any]  # phi allowlist entries that excused a finding


_engine: Engine | None = None  # a worker's own, built once per process


def _start(config: Config, options: Options) -> None:
    global _engine
    _engine = Engine(config, options)


def _part(path: Path, route: Route | None, start: int, end: int, line: int) -> Part:
    assert _engine is not None
    tables: dict[str, Logged[Any]] = {IDS: Logged(), HASHES: Logged()}
    findings = _engine.part(path, route, start, end, line, dict(tables))
    from mlmeta.rules.phi.allowlist import used_entries

    return Part(findings, {name: table.log for name, table in tables.items()}, used_entries(_engine.run))


def split(engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
    """The findings of every row of a JSON Lines file, from `engine.options.jobs` processes."""
    bounds = _bounds(path, engine.options.jobs)
    starts, ends, lines = zip(*bounds, strict=True)
    first: dict[str, Seen[Any]] = {IDS: Seen(), HASHES: Seen()}  # each key's value at its first row in the file
    again: dict[str, set[int]] = {IDS: set(), HASHES: set()}  # lines whose cross-row finding is judged again
    findings: list[Finding] = []
    used: set[Any] = set()
    workers = min(engine.options.jobs, len(bounds))
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(engine.config, engine.options)) as pool:
        # in file order, each part merged as it comes and its log let go: the parent's memory stays bounded
        parts = pool.map(_part, repeat(path), repeat(route), starts, ends, lines)
        for part, start_line in zip(parts, lines, strict=True):
            for name, log in part.logs.items():
                table, lines_again = first[name], again[name]
                for key, value in log:
                    if _line(table.setdefault(key, value)) < start_line:
                        lines_again.add(_line(value))
            findings.extend(part.findings)
            used |= part.used
    yield from (f for f in findings if not (f.rule in _RULES and f.line in again[_TABLE[f.rule]]))
    judged = again[IDS] | again[HASHES]
    if judged:
        state.update(first)  # every first row known: a row's own key leads to the file's first row with it
        for document in _rows(path, engine.display(path), judged):
            for finding in engine.judge(document, route, path, state, "jsonl"):
                if finding.rule in _RULES and finding.line in again[_TABLE[finding.rule]]:
                    yield finding
    if used:
        from mlmeta.rules.phi.allowlist import mark_used
        from mlmeta.rules.phi.settings import settings

        mark_used(engine.run, settings(engine.config, engine.run.cache), used)


_TABLE = {rule: name for name, rule in RULE_OF.items()}
_RULES = frozenset(_TABLE)


def _line(value: Any) -> int:
    """The line a table's value names: the value itself (repo_ids), or its first item (hashes)."""
    return value if isinstance(value, int) else int(value[0])


def _bounds(path: Path, jobs: int) -> list[tuple[int, int, int]]:
    """(start byte, end byte, first line) of each part: whole lines, at least one part per job."""
    size = os.path.getsize(path)
    count = max(jobs, -(-size // PART_BYTES))
    bounds = []
    start, line = 0, 1
    with path.open("rb") as handle:
        for index in range(1, count + 1):
            end = size
            if index < count:
                handle.seek(max(size * index // count, start))
                handle.readline()  # to the end of the line the cut falls in
                end = min(handle.tell(), size)
            if end > start:
                bounds.append((start, end, line))
                handle.seek(start)
                line += handle.read(end - start).count(b"\n")
                start = end
    return bounds


def _rows(path: Path, display: str, lines: set[int]) -> Iterator[Document]:
    """The rows on these lines, read again."""
    from mlmeta.documents.jsonl import rows

    last = max(lines)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number in lines:
                yield from rows(BytesIO(raw), display, number)
            if number == last:
                return
