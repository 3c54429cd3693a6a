"""`mlmeta check --jobs N`: a large JSON Lines file's rows split across processes, findings as one process gives.

Each part of the file (whole lines, at most PART_BYTES) is validated in a worker with tables of
its own, which keep every cross-row key they meet: `repo_id` -> its row's line (`duplicate-row`,
and the rows base models name), `reproducibility_hash` -> (line, repo_id) (`duplicate-hash`); a
base model that no row of the part has is set aside, not looked up in the whole file. The parent
merges the tables in file order, so a key's first row is the file's first. The only rows whose
cross-row findings a worker may have got wrong are then judged again with the merged tables: a
row whose key first appeared in an earlier part, and one whose base model is in no row at all
(rules.references reads the whole manifest for it, as one process would). Their findings of
those rules replace the worker's; findings of the other rules depend on the row alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from itertools import repeat
from pathlib import Path
from typing import Any, NamedTuple

from mlmeta.config import Config
from mlmeta.documents import Document
from mlmeta.engine import Engine, Options
from mlmeta.findings import Finding
from mlmeta.rules.seen import Seen
from mlmeta.schemas import Route

PART_BYTES = 8 << 20  # a worker holds one part in memory: bounded whatever the file's size
IDS, HASHES = "repo_ids", "hashes"  # the where.state tables of rules.repo_ids.first_lines and rules.hashes
RULE_OF = {IDS: "duplicate-row", HASHES: "duplicate-hash"}
UNSEEN = "unseen_base_models"  # where.state: (base model, line) a part has no row for (rules.references)

class Logged(dict[str, Any]):
    """A part's rows-seen table (a dict: a part is small) that also keeps every later row of a key seen."""

    __slots__ = ("repeats",)

    def __init__(self) -> None:
        super().__init__()
        self.repeats: list[tuple[str, Any]] = []  # (key, value) of each row whose key an earlier row had

    def setdefault(self, key: str, value: Any = None, /) -> Any:
        found = super().setdefault(key, value)
        if found != value:  # equal: the same row, asked by a second rule (repo_ids: duplicate-row, reference)
            self.repeats.append((key, value))
        return found


class Part(NamedTuple):
    findings: list[Finding]
    tables: dict[str, tuple[dict[str, Any], list[tuple[str, Any]]]]  # name -> (key -> first value, repeats)
    unseen: list[tuple[str, int]]  # base models no row of the part has, and their lines
    used: set[Any]  # phi allowlist entries that excused a finding


_engine: Engine | None = None  # a worker's own, built once per process


def _start(config: Config, options: Options, disabled_formats: frozenset[str]) -> None:
    global _engine
    _engine = Engine(config, options)
    _engine.kinds.disabled_formats = disabled_formats  # --disable-formats, set on the parent's kinds


def _portable(config: Config) -> Config:
    """The configuration without what was compiled from it (a worker that is not forked gets it pickled)."""
    copy = Config(config.root, config.routes, config.exclude, config.table, config.source)
    copy.derived = {name: value for name, value in config.derived.items() if name != "kinds"}
    return copy


def _part(path: Path, route: Route | None, bounds: tuple[int, int, int]) -> Part:
    assert _engine is not None
    tables = {IDS: Logged(), HASHES: Logged()}
    unseen: list[tuple[str, int]] = []
    findings = _engine.part(path, route, *bounds, {**tables, UNSEEN: unseen})
    from mlmeta.rules.phi.allowlist import used_entries

    seen = {name: (dict(table), table.repeats) for name, table in tables.items()}
    return Part(findings, seen, unseen, used_entries(_engine.run))


def split(engine: Engine, path: Path, route: Route | None, state: dict[str, Any]) -> Iterator[Finding]:
    """The findings of every row of a JSON Lines file, from `engine.options.jobs` processes."""
    jobs = engine.options.jobs
    count = jobs * max(1, -(-os.path.getsize(path) // (PART_BYTES * jobs)))  # a multiple: the workers end together
    first: dict[str, Seen[Any]] = {IDS: Seen(), HASHES: Seen()}  # each key's value at its first row in the file
    again: dict[str, set[int]] = {rule: set() for rule in AGAIN}  # rule -> lines whose finding is judged again
    unseen: list[tuple[str, int]] = []
    findings: list[Finding] = []
    used: set[Any] = set()
    given = (_portable(engine.config), engine.options, engine.kinds.disabled_formats)
    with ProcessPoolExecutor(min(jobs, count), initializer=_start, initargs=given) as pool:
        # a part is handed out as soon as its lines are counted; the parts come back in file order, each
        # merged as it comes and let go: the parent's memory stays bounded
        parts = pool.map(_part, repeat(path), repeat(route), _bounds(path, count))
        for part in parts:
            for name, (firsts, repeats) in part.tables.items():
                known = first[name].merge(firsts)  # keys whose first row is in an earlier part
                if known:
                    lines_again = again[RULE_OF[name]]
                    lines_again.update(_line(firsts[key]) for key in known)
                    lines_again.update(_line(value) for key, value in repeats if key in known)
            findings.extend(part.findings)
            unseen.extend(part.unseen)
            used |= part.used
    again["reference"].update(line for base, line in unseen if base not in first[IDS])
    yield from (f for f in findings if not _again(f, again))
    judged = set().union(*again.values())
    if judged:
        state.update(first)  # every first row known: a row's own key leads to the file's first row with it
        for document in _rows(path, engine.display(path), judged):
            yield from (f for f in engine.judge(document, route, path, state, "jsonl") if _again(f, again))
    if used:
        from mlmeta.rules.phi.allowlist import mark_used
        from mlmeta.rules.phi.settings import settings

        mark_used(engine.run, settings(engine.config, engine.run.cache), used)


AGAIN = (*RULE_OF.values(), "reference")  # the rules whose findings on some rows the parent judges again


def _again(finding: Finding, again: dict[str, set[int]]) -> bool:
    return finding.rule in again and finding.line in again[finding.rule]


def _line(value: Any) -> int:
    """The line a table's value names: the value itself (repo_ids), or its first item (hashes)."""
    return value if isinstance(value, int) else int(value[0])


def _bounds(path: Path, count: int) -> Iterator[tuple[int, int, int]]:
    """(start byte, end byte, first line) of `count` parts of whole lines (fewer when lines are longer)."""
    size = os.path.getsize(path)
    start, line = 0, 1
    with path.open("rb") as handle:
        for index in range(1, count + 1):
            end = size
            if index < count:
                handle.seek(max(size * index // count, start))
                handle.readline()  # to the end of the line the cut falls in
                end = min(handle.tell(), size)
            if end > start:
                yield start, end, line
                handle.seek(start)
                line += handle.read(end - start).count(b"\n")
                start = end


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
